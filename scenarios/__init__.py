"""The embedded scenarios: three reference halls, what-if variants (``whatif/``), an example
region (``regions/``) and the JSON Schema of scenario files, installed as package data.

They are found with :mod:`importlib.resources`, so they work from an installed wheel as well
as from the repository::

    from hallplan.scenarios import scenario_path
    load_scenario(scenario_path("flagship_city_centre.toml"))
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["reference_halls", "scenario_path", "scenarios_dir"]


def scenarios_dir() -> Path:
    """The folder of the embedded scenarios, as a real directory (scenario files name their
    base and halls by relative path, so they must be read from the file system)."""
    root = resources.files(__name__)
    if not isinstance(root, Path):
        raise RuntimeError(
            f"hallplan.scenarios: expected the package installed as files on disk; found "
            f"{type(root).__name__} (install hallplan from a wheel or a source folder, not a zip)"
        )
    return root


def scenario_path(name: str) -> Path:
    """The embedded scenario ``name`` (e.g. ``"county_hall.toml"``,
    ``"whatif/kiosk_outage.toml"``, ``"regions/riverside.toml"``)."""
    path = scenarios_dir() / name
    if not path.is_file():
        known = ", ".join(p.name for p in reference_halls())
        raise FileNotFoundError(
            f"hallplan.scenarios: expected an embedded scenario file; found no {name!r} "
            f"(reference halls: {known})"
        )
    return path


def reference_halls() -> list[Path]:
    """The reference-hall scenario files (not the what-if variants or regions)."""
    return sorted(scenarios_dir().glob("*.toml"))
