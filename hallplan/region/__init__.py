"""Regional planning: many halls planned in parallel (local processes or a Dask cluster),
headcount allocated across them, one region report. See ``hallplan region plan``."""

from hallplan.region.file import Region, load_region
from hallplan.region.run import RegionRun, allocate, run_region, write_region_outputs

__all__ = ["Region", "RegionRun", "allocate", "load_region", "run_region",
           "write_region_outputs"]
