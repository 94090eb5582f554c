"""The region file: which halls, which month, the headcount budget and shared settings.

A region TOML lists halls, each either its own scenario file or a base scenario with per-hall
overrides (demand scale, counters, kiosks, headcount, or any scenario table). Everything is
validated before any work starts, and every problem is reported as
``file: key.path: expected …; found …`` — a hall's overrides are checked by building its
scenario, so a bad override names the hall's entry in the region file.

```toml
[region]
id = "riverside"
month = "2026-12"            # --month overrides
headcount_budget = 60        # optional: allocate this many people across the halls

[settings]                   # shared by every hall (all optional)
reps = 3
seed = 1
days = 7                     # plan the first N days of the month (default: the whole month)
language = "en"              # reports: en (default) or zh (简体中文); --lang overrides

[[halls]]
id = "riverside-county-1"
scenario = "../county_hall.toml"   # paths are relative to the region file
demand_scale = 0.8                 # × the scenario's daily visits
counters = { general = 3 }         # physical counters per lane
kiosks = 2
headcount = 8                      # people on the hall's books (see `apply_headcount`)
```
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from hallplan.sim.bounds import (
    MAX_EMPLOYEES,
    CounterCount,
    KioskCount,
    StaffCountPositive,
)
from hallplan.sim.errors import Problem, ScenarioError
from hallplan.sim.loader import (
    _show,
    deep_merge,
    problems_from_validation,
    read_toml,
    resolve_extends,
)
from hallplan.sim.scenario import Scenario

HALL_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _plain_number(value: object) -> object:
    if isinstance(value, bool | str):
        raise ValueError(f"a number, found {value!r}")
    return value


def _bounded(gt: float, le: float, kind: type = float):
    """A finite number in (gt, le]; true/false and text are no numbers."""
    field = Field(gt=gt, le=le, allow_inf_nan=False) if kind is float else Field(gt=gt, le=le)
    return Annotated[kind, field, BeforeValidator(_plain_number)]


#: a region of 10,000 halls with overrides stays well under this
REGION_MAX_BYTES = 10_000_000
#: × the scenario's daily visits: a region scales halls, it does not invent megahalls
MAX_DEMAND_SCALE = 50.0
PositiveSmall = _bounded(0, 1000, int)


class RegionInfo(_Frozen):
    id: Annotated[str, Field(pattern=HALL_ID)]
    name: str = ""
    month: Annotated[str, Field(pattern=MONTH)] | None = None
    headcount_budget: _bounded(0, 100 * MAX_EMPLOYEES, int) | None = Field(
        None, description="people the region can place across its halls (allocation)")


class RegionSettings(_Frozen):
    """Settings shared by every hall's plan (the same loop as ``hallplan plan``)."""

    reps: _bounded(0, 1000, int) = 3
    seed: Annotated[int, Field(ge=0, le=2**32 - 1), BeforeValidator(_plain_number)] = 1
    requirement_method: Literal["sipp", "lag"] = "lag"
    roster_time_limit: _bounded(0, 86_400.0) = Field(
        20.0, description="roster budget per loop round, deterministic work units")
    max_rounds: _bounded(0, 20, int) = 2
    confidence: Annotated[float, Field(gt=0.5, lt=1), BeforeValidator(_plain_number)] = 0.9
    days: _bounded(0, 31, int) | None = Field(
        None, description="plan only the first N days of the month (quick what-ifs)")
    month_start_days: _bounded(0, 31, int) = Field(
        3, description="billing-peak days at the start of the month (domain: days 1–3)")
    holiday_demand_factor: _bounded(0, 10.0) = Field(
        1.35, description="holiday stress day: the plan's busiest day with demand × this "
        "(assumption; set from the hall's own holiday history where known)")
    cost_per_paid_hour: _bounded(0, 100_000.0) = 45.0
    language: Literal["en", "zh"] = Field(
        "en", description="language of the region report and every hall's report: en "
        "(English) or zh (简体中文); `region plan --lang` overrides it")


class HallEntry(_Frozen):
    id: Annotated[str, Field(pattern=HALL_ID)]
    scenario: str = Field(description="scenario TOML, relative to the region file")
    demand_scale: _bounded(0, MAX_DEMAND_SCALE) = Field(
        1.0, description="× the scenario's daily visits")
    counters: dict[str, CounterCount] = Field(default_factory=dict)
    kiosks: KioskCount | None = None
    headcount: StaffCountPositive | None = None
    min_headcount: StaffCountPositive | None = None
    max_headcount: StaffCountPositive | None = None
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="any scenario tables, merged over the scenario")


class RegionFile(_Frozen):
    region: RegionInfo
    settings: RegionSettings = RegionSettings()
    halls: Annotated[list[HallEntry], Field(min_length=1, max_length=10_000)]


class _NotATable(Exception):
    """A scenario key that must be a table holds something else (after the overrides)."""

    def __init__(self, key: str, found: object, expected: str = "a table"):
        self.key, self.found, self.expected = key, found, expected
        super().__init__(key)


def _table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """``data[k1][k2]…`` as a table ({} if absent), or _NotATable naming the key path."""
    node: Any = data
    for i, k in enumerate(keys):
        node = node.get(k, {})
        if not isinstance(node, dict):
            raise _NotATable(".".join(keys[: i + 1]), node)
    return node


# --------------------------------------------------------------------------- hall scenarios


def apply_headcount(data: dict[str, Any], headcount: int) -> tuple[dict[str, Any], str]:
    """Rescale the hall's staff to ``headcount`` people by changing the largest staff group
    that holds no duty managers (the counter staff); named employees and other groups stay.
    Returns the new scenario dict, or raises ValueError saying why it cannot be done."""
    staff = _table(data, "staff")
    raw_groups = staff.get("groups", [])
    if not isinstance(raw_groups, list) or not all(isinstance(g, dict) for g in raw_groups):
        raise _NotATable("staff.groups", raw_groups, "an array of tables")
    groups = [dict(g) for g in raw_groups]
    for i, g in enumerate(groups):
        if isinstance(g.get("count", 0), bool) or not isinstance(g.get("count", 0), int):
            raise _NotATable(f"staff.groups[{i}].count", g.get("count"), "a whole number")
    employees = staff.get("employees", [])
    if not isinstance(employees, list):
        raise _NotATable("staff.employees", employees, "an array of tables")
    named = len(employees)
    movable = [i for i, g in enumerate(groups) if not g.get("duty_manager", False)]
    if not movable:
        raise ValueError("the scenario has no staff group without duty managers to resize")
    k = max(movable, key=lambda i: groups[i].get("count", 0))
    others = named + sum(g.get("count", 0) for i, g in enumerate(groups) if i != k)
    n = headcount - others
    if n < 1:
        raise ValueError(f"at least {others + 1} (the other staff groups and named employees "
                         f"hold {others})")
    groups[k]["count"] = n
    out = deep_merge(data, {"staff": {}})
    out["staff"] = {**staff, "groups": groups}
    return out, str(groups[k].get("id_prefix", k))


def hall_scenario_dict(entry: HallEntry, base_dir: Path) -> dict[str, Any]:
    """The hall's scenario as a plain dict: the scenario file (with ``extends``) and the
    entry's overrides on top. Raises ValueError / ScenarioError for the caller to place."""
    path = (base_dir / entry.scenario).resolve()
    data = resolve_extends(path)
    if entry.overrides:
        data = deep_merge(data, entry.overrides)
    if entry.demand_scale != 1.0:
        visits = _table(data, "demand", "daily_visits")
        scaled = {}
        for k, v in visits.items():
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise _NotATable(f"demand.daily_visits.{k}", v, "a number")
            scaled[k] = float(v) * entry.demand_scale
        data = deep_merge(data, {"demand": {"daily_visits": scaled}})
    lanes = _table(data, "lanes") if entry.counters else {}
    for lane, n in entry.counters.items():
        if lane not in lanes:
            raise KeyError(lane)
        _table(data, "lanes", lane)
        data = deep_merge(data, {"lanes": {lane: {"counters": n}}})
    if entry.kiosks is not None:
        _table(data, "kiosks")
        data = deep_merge(data, {"kiosks": {"count": entry.kiosks}})
    if entry.headcount is not None:
        data, _ = apply_headcount(data, entry.headcount)
    data["hall"] = {**_table(data, "hall"), "id": entry.id}
    return data


class Region:
    """A validated region: the file, and each hall's validated scenario."""

    def __init__(self, path: Path, spec: RegionFile, scenarios: dict[str, Scenario],
                 sources: dict[str, Path]):
        self.path = path
        self.spec = spec
        self.scenarios = scenarios
        self.sources = sources  # hall id → its scenario file

    def with_days(self, days: int) -> Region:
        """The same region planning only the first ``days`` days of the month."""
        st = self.spec.settings.model_copy(update={"days": days})
        return Region(self.path, self.spec.model_copy(update={"settings": st}),
                      self.scenarios, self.sources)

    @property
    def halls(self) -> list[HallEntry]:
        return list(self.spec.halls)

    def month(self, override: str | None = None) -> tuple[int, int]:
        m = override or self.spec.region.month
        if m is None:
            raise ScenarioError([Problem(str(self.path), "region.month",
                                         "a month YYYY-MM here or --month", "none")])
        if not re.match(MONTH, m):
            raise ScenarioError([Problem("--month", "", "YYYY-MM", repr(m))])
        return int(m[:4]), int(m[5:])

    def dates(self, month: str | None = None) -> list[dt.date]:
        y, m = self.month(month)
        first = dt.date(y, m, 1)
        n = ((dt.date(y + m // 12, m % 12 + 1, 1)) - first).days
        if self.spec.settings.days is not None:
            n = min(n, self.spec.settings.days)
        return [first + dt.timedelta(days=k) for k in range(n)]

    def hall_hash(self, hall_id: str) -> str:
        """Fingerprint of everything that determines a hall's plan except the month (the
        validated scenario, the shared settings): a resumed run recomputes a hall whose
        inputs changed."""
        # the report language is not an input of the plan (as `--lang` is not)
        settings = self.spec.settings.model_dump(mode="json", exclude={"language"})
        blob = json.dumps({"scenario": self.scenarios[hall_id].model_dump(mode="json"),
                           "settings": settings},
                          sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def load_region(path: str | Path) -> Region:
    """Read and validate a region file and every hall in it; all problems at once."""
    p = Path(path)
    file = str(p)
    data = read_toml(p, max_bytes=REGION_MAX_BYTES)
    try:
        spec = RegionFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, file)) from None
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(spec.halls):
        if h.id in seen:
            problems.append(Problem(file, f"halls[{i}].id", "a hall id used once",
                                    f"{h.id!r} (also halls[{seen[h.id]}])"))
        seen.setdefault(h.id, i)
    scenarios: dict[str, Scenario] = {}
    sources: dict[str, Path] = {}
    for i, h in enumerate(spec.halls):
        where = f"halls[{i}]"
        src = (p.parent / h.scenario).resolve()
        if not src.exists():
            problems.append(Problem(file, f"{where}.scenario", "an existing scenario file",
                                    f"{h.scenario!r} ({src} does not exist)"))
            continue
        try:
            d = hall_scenario_dict(h, p.parent)
            scenarios[h.id] = Scenario.model_validate(d)
            sources[h.id] = src
        except ScenarioError as exc:  # before ValueError: a ScenarioError is one
            problems.extend(exc.problems)
        except _NotATable as exc:
            problems.append(Problem(f"{file} ({where}: {h.scenario} with its overrides)",
                                    exc.key, exc.expected, _show(exc.found)))
        except KeyError as exc:
            problems.append(Problem(file, f"{where}.counters", "a lane of the scenario",
                                    f"{exc.args[0]!r}"))
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, f"{file} ({where}: {h.scenario})"))
        except ValueError as exc:
            problems.append(Problem(file, f"{where}.headcount", str(exc), str(h.headcount)))
        if h.min_headcount and h.max_headcount and h.min_headcount > h.max_headcount:
            problems.append(Problem(file, f"{where}.min_headcount", "≤ max_headcount",
                                    f"{h.min_headcount} > {h.max_headcount}"))
    if problems:
        raise ScenarioError(problems)
    return Region(p, spec, scenarios, sources)


def region_schema() -> dict:
    return RegionFile.model_json_schema()
