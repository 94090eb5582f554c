"""Generated bad and hostile inputs over every input surface, run through the real CLI and
classified — the engine of ``tests/test_fuzz_inputs.py`` (small budget) and
``tools/fuzz_inputs.py`` (a larger run).

Surfaces: scenario TOML (``hallplan validate``), requirement CSV (``hallplan roster``), region
file (``hallplan region validate``), command-line flags. Every case is a planner's mistake
or a hostile file; each is classified as

* ``clear_error`` — exit 2 and the message names the file, key or option that is wrong;
* ``unnamed_error`` — exit 2 but nothing in the message says where (a bad kind);
* ``traceback`` — a Python exception escaped, or the internal-error line (exit 1);
* ``hang`` — no exit within the case's time limit;
* ``silent_accept`` — exit 0 on an input that is wrong;
* ``result`` — exit 0 on a control input that is right (controls keep the cases honest: a
  CLI that refused everything would pass the other checks).

Cases run in-process with typer's ``CliRunner`` (a SIGALRM timer detects hangs), so the
suite's budget buys many cases.
"""

from __future__ import annotations

import dataclasses
import math
import os
import random
import signal
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "scenarios" / "county_hall.toml"
BAD_KINDS = ("unnamed_error", "traceback", "hang", "silent_accept")
CLASSES = ("result", "clear_error", *BAD_KINDS)


@dataclass(frozen=True)
class Case:
    surface: str
    name: str
    #: writes the input files into the folder and returns the CLI arguments
    build: Callable[[Path], list[str]]
    #: text the error must contain to count as clear (file, key or option); None = a control
    names: str | None
    timeout_s: int = 30
    #: what sort of mistake it is (one of :data:`KINDS`); set by the ``*_cases`` functions
    kind: str = ""


#: every kind of case, per surface: the suite runs at least one of each (:func:`suite_cases`)
KINDS = (
    "scenario:number", "scenario:structure", "scenario:extends", "scenario:file",
    "scenario:control",
    "requirement:row", "requirement:content", "requirement:file", "requirement:control",
    "region:value", "region:overrides", "region:settings", "region:structure",
    "region:control",
    "cli:range", "cli:choice", "cli:date", "cli:path", "cli:control",
)


def _kind(kind: str, cases: list[Case]) -> list[Case]:
    assert kind in KINDS, kind
    return [dataclasses.replace(c, kind=kind) for c in cases]


# ------------------------------------------------------------------ scenario TOML


def _variant(table: str, body: str) -> Callable[[Path], list[str]]:
    def build(d: Path) -> list[str]:
        f = d / "variant.toml"
        head = f"[{table}]\n" if table else ""
        f.write_text(f'extends = "{COUNTY.as_posix()}"\n{head}{body}\n', encoding="utf-8")
        return ["validate", str(f)]
    return build


def _raw_file(name: str, data: bytes | Callable[[], bytes]) -> Callable[[Path], list[str]]:
    def build(d: Path) -> list[str]:
        f = d / name
        f.write_bytes(data() if callable(data) else data)
        return ["validate", str(f)]
    return build


#: (table, key) of numbers a typo can blow up; every value below is wrong for each of them
NUMERIC_KEYS = (
    ("kiosks", "count"), ("greeters", "posts"), ("lanes.general", "counters"),
    ("demand.daily_visits", "weekday"), ("demand", "curve_slot_min"),
    ("escalation", "check_every_min"), ("escalation", "sustain_min"),
    ("escalation", "trigger_waiting"), ("closing", "ticket_cutoff_min_before_close"),
    ("waiting_care", "threshold_min"), ("targets", "wait_target_min"),
    ("targets", "min_share_called_within"), ("labour", "max_weekly_hours"),
    ("labour", "max_avg_weekly_hours"), ("labour", "min_rest_hours"),
    ("labour", "max_consecutive_days"), ("labour", "handover_min"),
    ("labour.meal_break", "length_min"), ("triage", "kiosk_acceptance"),
    ("kiosks", "failure_probability"), ("service_types.bill_payment.counter_time", "mean_min"),
    ("service_types.bill_payment.counter_time", "cv"), ("staff", "on_call_reserve_holidays"),
)
BAD_NUMBERS = ("true", '"3"', "inf", "nan", "-inf", "1e12", "-1", "[1]", "{ x = 1 }",
               "1000000000000000000000000000000")


def numeric_case(table: str, key: str, value: str, suffix: str = "") -> Case:
    """A hostile ``value`` for the number ``table.key`` of the county hall."""
    return Case("scenario", f"{table}.{key} = {value}{suffix}",
                _variant(table, f"{key} = {value}"), key, kind="scenario:number")


def scenario_cases() -> list[Case]:
    cases = [numeric_case(t, k, v) for t, k in NUMERIC_KEYS for v in BAD_NUMBERS]
    big_group = '[[staff.groups]]\nid_prefix = "G"\ncount = {n}\n'
    cases += _kind("scenario:structure", [
        Case("scenario", "group count 1000000", _variant("", big_group.format(n=1_000_000)),
             "count"),
        Case("scenario", "two groups with one id prefix (duplicate ids)",
             _variant("", big_group.format(n=2000) + big_group.format(n=1)), "staff"),
        Case("scenario", "a day of counter work no hall finishes (50,000 visits, 10-h cases)",
             _variant("", "[demand.daily_visits]\nweekday = 50000\n"
                      "[service_types.bill_payment.counter_time]\nmean_min = 600"),
             "demand.daily_visits"),
        Case("scenario", "10000 counters", _variant("lanes.general", "counters = 10000"),
             "counters"),
        Case("scenario", "cutoff longer than the day",
             _variant("closing", "ticket_cutoff_min_before_close = 600"),
             "ticket_cutoff_min_before_close"),
        Case("scenario", "no shift lengths", _variant("labour", "shift_lengths_hours = []"),
             "shift_lengths_hours"),
        Case("scenario", "100-hour shifts", _variant("labour", "shift_lengths_hours = [100.0]"),
             "shift_lengths_hours"),
        Case("scenario", "unknown key", _variant("kiosks", "cuont = 2"), "cuont"),
        Case("scenario", "kiosks = true", _variant("", "kiosks = true"), "kiosks"),
    ])
    cases += _kind("scenario:extends", [
        Case("scenario", "extends a missing file",
             _raw_file("v.toml", b'extends = "nowhere.toml"\n'), "extends"),
        Case("scenario", "extends a number", _raw_file("v.toml", b"extends = 3\n"), "extends"),
        Case("scenario", "error inside the extended base names the base",
             _extends_chain, "base.toml"),
    ])
    cases += _kind("scenario:file", [
        Case("scenario", "deeply nested arrays",
             _raw_file("deep.toml", b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n"), "deep.toml"),
        Case("scenario", "deeply nested inline tables",
             _raw_file("deep2.toml", b"x = " + b"{a = " * 3000 + b"1" + b"}" * 3000 + b"\n"),
             "deep2.toml"),
        Case("scenario", "6 MB of unknown keys (refused by size)",
             _raw_file("huge.toml", lambda: "".join(f"k{i} = {i}\n" for i in range(500_000))
                       .encode()), "huge.toml"),
        Case("scenario", "40,000 unknown keys (capped list)",
             _raw_file("many.toml", lambda: "".join(f"k{i} = {i}\n" for i in range(40_000))
                       .encode()), "more"),
        Case("scenario", "binary garbage",
             _raw_file("garbage.toml", bytes(random.Random(1).randrange(256)
                                             for _ in range(4000))), "garbage.toml"),
        Case("scenario", "empty file", _raw_file("empty.toml", b""), "empty.toml"),
        Case("scenario", "GBK text", _raw_file("gbk.toml", "# 县营业厅\n".encode("gbk")),
             "gbk.toml"),
        Case("scenario", "invalid TOML", _raw_file("broken.toml", b"[hall\nid = 1\n"),
             "broken.toml"),
        Case("scenario", "a folder", lambda d: ["validate", str(d)], "folder"),
        Case("scenario", "path with [/] markup", _markup_path, "]q.toml"),
    ])
    cases += _kind("scenario:control", [
        Case("scenario", "control: the county hall", lambda d: ["validate", str(COUNTY)], None),
        Case("scenario", "control: a valid variant",
             _variant("kiosks", "count = 2"), None),
    ])
    return cases


def _extends_chain(d: Path) -> list[str]:
    base = d / "base.toml"
    base.write_text(f'extends = "{COUNTY.as_posix()}"\n[kiosks]\ncount = -4\n', encoding="utf-8")
    top = d / "top.toml"
    top.write_text('extends = "base.toml"\n[greeters]\nposts = 1\n', encoding="utf-8")
    return ["validate", str(top)]


def _markup_path(d: Path) -> list[str]:
    folder = d / "p["
    folder.mkdir()
    f = folder / "]q.toml"
    f.write_text('extends = "nowhere.toml"\n', encoding="utf-8")
    return ["validate", str(f)]


# ------------------------------------------------------------------ requirement CSV

HEADER = "date,interval_start_min,post,staff,method\n"


def _requirement(body: bytes | str, name: str = "req.csv") -> Callable[[Path], list[str]]:
    def build(d: Path) -> list[str]:
        f = d / name
        f.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
        return ["roster", str(COUNTY), "--requirement", str(f), "--out", str(d / "out")]
    return build


def requirement_cases() -> list[Case]:
    row = "2026-12-01,{t},{post},{n},lag\n"
    good = row.format(t=540, post="general", n=3)
    bad_rows = {
        "staff = two": row.format(t=540, post="general", n="two"),
        "empty staff": row.format(t=540, post="general", n=""),
        "1e12 staff": row.format(t=540, post="general", n="1e12"),
        "negative staff": row.format(t=540, post="general", n=-2),
        "fractional staff": row.format(t=540, post="general", n=2.5),
        "fractional interval": row.format(t=540.5, post="general", n=3),
        "text interval": row.format(t="nine", post="general", n=3),
        "negative interval": row.format(t=-30, post="general", n=3),
        "interval past midnight": row.format(t=2000, post="general", n=3),
        "date tomorrow": "tomorrow,540,general,3,lag\n",
        "date 2026-02-30": "2026-02-30,540,general,3,lag\n",
        "date 01/12/2026": "01/12/2026,540,general,3,lag\n",
        "empty post": row.format(t=540, post="", n=3),
        "unknown post": row.format(t=540, post="vipp", n=3),
        "off-grid interval": row.format(t=545, post="general", n=3),
    }
    cases = _kind("requirement:row", [Case("requirement", k, _requirement(HEADER + v), "req.csv")
                                      for k, v in bad_rows.items()])
    cases += _kind("requirement:file", [
        Case("requirement", "empty file", _requirement(""), "req.csv"),
        Case("requirement", "header only", _requirement(HEADER), "req.csv"),
        Case("requirement", "binary garbage", _requirement(bytes(range(256)) * 20), "req.csv"),
        Case("requirement", "GBK post names",
             _requirement((HEADER + row.format(t=540, post="总台", n=3)).encode("gbk")),
             "req.csv"),
        Case("requirement", "missing column", _requirement("date,post,staff\n2026-12-01,g,1\n"),
             "req.csv"),
        Case("requirement", "ragged CSV", _requirement(HEADER + "2026-12-01,540\n" + good
                                                       + "a,b,c,d,e,f,g\n"), "req.csv"),
        Case("requirement", "a folder",
             lambda d: ["roster", str(COUNTY), "--requirement", str(d), "--out", str(d / "o")],
             "folder"),
        Case("requirement", "missing file",
             lambda d: ["roster", str(COUNTY), "--requirement", str(d / "no.csv"), "--out",
                        str(d / "o")], "no.csv"),
    ])
    cases += _kind("requirement:content", [
        Case("requirement", "conflicting duplicate rows",
             _requirement(HEADER + good + row.format(t=540, post="general", n=5)), "req.csv"),
        Case("requirement", "no staff at all",
             _requirement(HEADER + row.format(t=540, post="general", n=0)), "req.csv"),
        Case("requirement", "dates 45 days apart",
             _requirement(HEADER + good + "2027-01-15,540,general,3,lag\n"),
             "requirement dates"),
    ])
    cases += _kind("requirement:control", [
        Case("requirement", "control: one valid row",
             lambda d: [*_requirement(HEADER + good)(d), "--time-limit", "2", "--workers", "1"],
             None, timeout_s=120),
    ])
    return cases


# ------------------------------------------------------------------ region file


def _region(hall_lines: str, settings: str = "") -> Callable[[Path], list[str]]:
    def build(d: Path) -> list[str]:
        f = d / "region.toml"
        f.write_text(f'[region]\nid = "r"\nmonth = "2026-12"\n{settings}\n[[halls]]\nid = "h1"\n'
                     f'scenario = "{COUNTY.as_posix()}"\n{hall_lines}\n', encoding="utf-8")
        return ["region", "validate", str(f)]
    return build


def region_cases() -> list[Case]:
    cases = _kind("region:value", [
        Case("region", f"demand_scale = {v}", _region(f"demand_scale = {v}"), "demand_scale")
        for v in ("inf", "nan", "1e12", "0", "-1", "true", '"2"')])
    cases += _kind("region:overrides", [
        Case("region", f"overrides.{table} is a scalar",
             _region(f"demand_scale = 0.8\ncounters = {{ general = 2 }}\n"
                     f"kiosks = 1\nheadcount = 6\noverrides = {{ {table} = 5 }}"), table)
        for table in ("demand", "lanes", "staff", "hall", "kiosks", "labour", "hours")])
    cases += _kind("region:overrides", [
        Case("region", "daily_visits a scalar",
             _region("demand_scale = 0.5\noverrides = { demand = { daily_visits = 3 } }"),
             "daily_visits"),
    ])
    cases += _kind("region:value", [
        Case("region", "counters of an unknown lane", _region("counters = { vipp = 2 }"),
             "counters"),
        Case("region", "kiosks = true", _region("kiosks = true"), "kiosks"),
        Case("region", "headcount 1e9", _region("headcount = 1000000000"), "headcount"),
    ])
    cases += _kind("region:settings", [
        Case("region", "reps 10**9", _region("", "[settings]\nreps = 1000000000"), "reps"),
        Case("region", "days 0", _region("", "[settings]\ndays = 0"), "days"),
        Case("region", "language fr", _region("", '[settings]\nlanguage = "fr"'), "language"),
    ])
    cases += _kind("region:structure", [
        Case("region", "no halls", lambda d: _write_and(d, "r.toml", '[region]\nid = "r"\n',
                                                        ["region", "validate"]), "halls"),
    ])
    cases += _kind("region:control", [
        Case("region", "control: a valid region", _region("demand_scale = 0.8"), None),
        Case("region", "control: a region in Chinese",
             _region("", '[settings]\nlanguage = "zh"'), None),
    ])
    return cases


def _write_and(d: Path, name: str, text: str, argv: list[str]) -> list[str]:
    f = d / name
    f.write_text(text, encoding="utf-8")
    return [*argv, str(f)]


# ------------------------------------------------------------------ command-line flags


def cli_cases() -> list[Case]:
    c = str(COUNTY)

    def argv(*a: str) -> Callable[[Path], list[str]]:
        return lambda d: [x.replace("{d}", str(d)) for x in a]

    def with_file(name: str, *a: str) -> Callable[[Path], list[str]]:
        def build(d: Path) -> list[str]:
            (d / name).write_text("x", encoding="utf-8")
            return [x.replace("{d}", str(d)) for x in a]
        return build

    cases = [
        Case("cli", "simulate --reps 10**9", argv("simulate", c, "--reps", "1000000000"),
             "--reps"),
        Case("cli", "simulate --reps 0", argv("simulate", c, "--reps", "0"), "--reps"),
        Case("cli", "simulate --seed -1", argv("simulate", c, "--seed", "-1"), "--seed"),
        Case("cli", "simulate --workers 10**6", argv("simulate", c, "--workers", "1000000"),
             "--workers"),
        Case("cli", "simulate --date tomorrow", argv("simulate", c, "--date", "tomorrow",
                                                     "--out", "{d}/o"), "--date"),
        Case("cli", "simulate --out a file", with_file("f", "simulate", c, "--out", "{d}/f"),
             "--out"),
        Case("cli", "plan --method magic", argv("plan", c, "--month", "2026-12", "--method",
                                                "magic"), "--method"),
        Case("cli", "plan --month 2026-13", argv("plan", c, "--month", "2026-13", "--out",
                                                 "{d}/o"), "--month"),
        Case("cli", "plan --rounds 10**6", argv("plan", c, "--month", "2026-12", "--rounds",
                                                "1000000"), "--rounds"),
        Case("cli", "plan --time-limit 1e12", argv("plan", c, "--month", "2026-12",
                                                   "--time-limit", "1e12"), "--time-limit"),
        Case("cli", "requirement --method magic",
             argv("requirement", c, "--month", "2026-12", "--method", "magic"), "--method"),
        Case("cli", "schema --out a folder", argv("schema", "--out", "{d}"), "--out"),
        Case("cli", "region schema --out a folder", argv("region", "schema", "--out", "{d}"),
             "--out"),
        Case("cli", "history generate g.txt (no writer for the suffix)",
             argv("history", "generate", "{d}/g.txt", "--scenario", c), "g.txt"),
        Case("cli", "history generate into a folder",
             argv("history", "generate", "{d}", "--scenario", c), "folder"),
        Case("cli", "history generate --start after --end",
             argv("history", "generate", "{d}/g.csv", "--scenario", c, "--start", "2026-05-01",
                  "--end", "2026-01-01"), "--start"),
        Case("cli", "history generate 200 years",
             argv("history", "generate", "{d}/g.csv", "--scenario", c, "--start", "1900-01-01",
                  "--end", "2100-01-01"), "--start/--end"),
        Case("cli", "region plan --out a file",
             with_file("f", "region", "plan", str(ROOT / "scenarios" / "regions"
                                                  / "riverside.toml"), "--out", "{d}/f"),
             "--out"),
        Case("cli", "region generate --halls 10**9",
             argv("region", "generate", "--halls", "1000000000"), "--halls"),
        Case("cli", "region generate --month 2026-13",
             argv("region", "generate", "--out", "{d}/r.toml", "--month", "2026-13"),
             "--month"),
        Case("cli", "validate a missing file", argv("validate", "{d}/none.toml"), "none.toml"),
        Case("cli", "simulate --lang fr", argv("simulate", c, "--lang", "fr", "--out", "{d}/o"),
             "--lang"),
        Case("cli", "history generate --lang fr",
             argv("history", "generate", "{d}/g.csv", "--scenario", c, "--lang", "fr"),
             "--lang"),
        Case("cli", "region plan --lang fr",
             argv("region", "plan", str(ROOT / "scenarios" / "regions" / "riverside.toml"),
                  "--lang", "fr", "--out", "{d}/o"), "--lang"),
        Case("cli", "control: schema to a file", argv("schema", "--out", "{d}/s.json"), None),
    ]
    return [dataclasses.replace(case, kind=f"cli:{_cli_kind(case.name)}") for case in cases]


def _cli_kind(name: str) -> str:
    """The kind of a command-line case, from its name."""
    if name.startswith("control:"):
        return "control"
    if "--method" in name or "--lang" in name:
        return "choice"
    if any(w in name for w in ("--date", "--month", "--start", "200 years")):
        return "date"
    if any(w in name for w in ("--out", "folder", "g.txt", "missing file")):
        return "path"
    return "range"


def all_cases() -> list[Case]:
    return [*scenario_cases(), *requirement_cases(), *region_cases(), *cli_cases()]


# ------------------------------------------------------------------ running and classifying


class _Timeout(Exception):
    pass


def _alarm(signum, frame):  # pragma: no cover - only on a hang
    raise _Timeout


def run_case(case: Case, folder: Path) -> tuple[str, str]:
    """Run one case through the real CLI; returns (class, output excerpt)."""
    from hallplan.cli import app

    folder.mkdir(parents=True, exist_ok=True)
    argv = case.build(folder)
    runner = CliRunner()
    env = {"HALLPLAN_LOG_DIR": str(folder / "logs"), "COLUMNS": "200"}
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(case.timeout_s)
    try:
        result = runner.invoke(app, argv, env=env, catch_exceptions=True)
    except _Timeout:
        return "hang", f"no exit within {case.timeout_s} s"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    out = result.output
    exc = result.exception
    if isinstance(exc, _Timeout):
        return "hang", f"no exit within {case.timeout_s} s"
    if exc is not None and not isinstance(exc, SystemExit):
        return "traceback", f"{type(exc).__name__}: {exc}"
    if "Traceback" in out or "internal error" in out or result.exit_code == 1:
        return "traceback", out[-400:]
    if result.exit_code == 0:
        return ("result" if case.names is None else "silent_accept"), out[-300:]
    if result.exit_code == 2:
        if case.names is None:
            return "unnamed_error", f"control refused: {out[-300:]}"
        flat = " ".join(out.split())
        return ("clear_error" if case.names in flat or case.names in out
                else "unnamed_error"), out[-300:]
    return "traceback", f"exit {result.exit_code}: {out[-300:]}"


def run_cases(cases: list[Case], root: Path) -> list[tuple[Case, str, str]]:
    out = []
    for i, case in enumerate(cases):
        cls, text = run_case(case, root / f"case{i:04d}")
        out.append((case, cls, text))
    return out


def sample(cases: list[Case], n: int, seed: int) -> list[Case]:
    """``n`` cases: fewer than there are, at least one of every kind (:func:`suite_cases`);
    more, every case once, then random repeats of the generated numeric mutations with fresh
    hostile values."""
    rng = random.Random(seed)
    if n <= len(cases):
        return suite_cases(cases, n, seed)
    picked = list(cases)
    extra_values = ("1e308", "-0.0001", "0.0", "99999999", "1.5e6", '""', "[]", "{}",
                    "2026-01-01", "\"\\u0000\"")
    while len(picked) < n:
        t, k = rng.choice(NUMERIC_KEYS)
        v = rng.choice(BAD_NUMBERS + extra_values)
        if not _is_wrong(t, k, v):  # 0 / 0.0 is right for some keys (counts, shares)
            continue
        picked.append(numeric_case(t, k, v, " (sampled)"))
    return picked


def kinds(cases: list[Case]) -> dict[str, list[Case]]:
    """The cases by kind, in :data:`KINDS` order (a case without a known kind is an error,
    so a new case cannot slip past the suite's coverage)."""
    by: dict[str, list[Case]] = {k: [] for k in KINDS}
    for c in cases:
        if c.kind not in by:
            raise ValueError(f"case {c.surface}/{c.name}: unknown kind {c.kind!r}")
        by[c.kind].append(c)
    return by


def suite_cases(cases: list[Case], budget: int, seed: int = 1) -> list[Case]:
    """About ``budget`` cases, deterministic for a seed: first one case of every kind (drawn
    with ``seed``), so every surface and every sort of mistake is run, then a draw from the
    rest spread over the kinds in turn (each kind's cases shuffled with ``seed``)."""
    rng = random.Random(seed)
    pools = []
    for kind, of_kind in kinds(cases).items():
        if not of_kind:
            raise ValueError(f"no case of kind {kind!r}")
        pool = list(of_kind)
        rng.shuffle(pool)
        pools.append(pool)
    picked = [pool.pop(0) for pool in pools]
    while len(picked) < budget and any(pools):
        for pool in pools:
            if pool and len(picked) < budget:
                picked.append(pool.pop(0))
    return picked


def tally_kinds(results: list[tuple[Case, str, str]]) -> dict[str, dict[str, int]]:
    """Counts per kind and class (kinds in :data:`KINDS` order, only those run)."""
    table: dict[str, dict[str, int]] = {}
    for kind in KINDS:
        for case, cls, _ in results:
            if case.kind == kind:
                table.setdefault(kind, dict.fromkeys(CLASSES, 0))[cls] += 1
    return table


def _is_wrong(table: str, key: str, value: str) -> bool:
    """Whether ``value`` breaks the scenario's documented rules for ``table.key`` (decided by
    the committed JSON schema's minimum/maximum, not by running the validator)."""
    try:
        x = tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        return True
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        return True
    lo, hi, excl, whole = _schema_bounds(table, key)
    if whole and float(x) != int(x):
        return True
    return not ((x > lo if excl else x >= lo) and x <= hi)


def _schema_bounds(table: str, key: str) -> tuple[float, float, bool, bool]:
    import json

    schema = json.loads((ROOT / "scenarios" / "scenario.schema.json").read_text("utf-8"))
    defs = schema["$defs"]

    def resolve(node: dict) -> dict:
        while True:
            if "$ref" in node:
                node = defs[node["$ref"].split("/")[-1]]
            elif "allOf" in node:
                node = node["allOf"][0]
            elif "anyOf" in node:
                node = next(n for n in node["anyOf"] if n.get("type") != "null")
            elif "oneOf" in node:  # a distribution: the lognormal family's bounds
                node = defs["LogNormal"]
            else:
                return node

    node = resolve(schema)
    for part in [*table.split("."), key]:
        props = node.get("properties", {})
        if part in props:
            node = resolve(props[part])
        elif "additionalProperties" in node:
            node = resolve(node["additionalProperties"])
        else:  # a table keyed by names (lanes, service types …)
            node = resolve(next(iter(node["patternProperties"].values())))
    lo = node.get("exclusiveMinimum", node.get("minimum", float("-inf")))
    hi = node.get("maximum", float("inf"))
    return float(lo), float(hi), "exclusiveMinimum" in node, node.get("type") == "integer"


def tally(results: list[tuple[Case, str, str]]) -> dict[str, dict[str, int]]:
    """Counts per surface and class (plus a ``total`` row)."""
    table: dict[str, dict[str, int]] = {}
    for case, cls, _ in results:
        for key in (case.surface, "total"):
            row = table.setdefault(key, dict.fromkeys(CLASSES, 0))
            row[cls] += 1
    return table


os.environ.setdefault("COLUMNS", "200")
