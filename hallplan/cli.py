"""The ``hallplan`` command line.

Bad input never ends in a traceback: problems are listed as ``file: key path: expected …;
found …`` and the exit code is 2.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from contextlib import AbstractContextManager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from hallplan.console import (
    activity,
    console,
    err_console,
    escape,
    fail,
    output_dir,
    output_file,
    progress_bar,
    show_written,
)
from hallplan.crash import GuardedGroup
from hallplan.scenarios import reference_halls, scenario_path
from hallplan.sim.errors import ScenarioError

app = typer.Typer(
    cls=GuardedGroup,  # planner errors → exit 2; anything else → one line + a log file, exit 1
    add_completion=False,
    no_args_is_help=True,
    help="Plan telecom business halls: simulate, forecast, staff and roster.",
)
FLAGSHIP = scenario_path("flagship_city_centre.toml")

#: Upper bounds of the run-size options: far above any real plan, low enough that a typo
#: (``--reps 1000000000``) is an immediate clear error instead of a run that never ends.
MAX_REPS = 1000
MAX_WORKERS = 64
MAX_TIME_LIMIT = 86_400.0  # one day of solver work units
MAX_ROUNDS = 20
MAX_HISTORY_DAYS = 3660  # `history generate`: ten years, each day simulated
SEED_MAX = 2**32 - 1


class RequirementMethod(StrEnum):
    """``hallplan requirement --method``: queueing (sipp, lag) or simulation search."""

    sipp = "sipp"
    lag = "lag"
    simulation = "simulation"


class LoopMethod(StrEnum):
    """``hallplan plan --method``: the initial requirement of the planning loop."""

    sipp = "sipp"
    lag = "lag"


SeedOpt = Annotated[int, typer.Option(min=0, max=SEED_MAX, help="base seed (results are a "
                                      "function of it)")]
WorkersOpt = Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help="local worker processes")]


@app.callback()
def _every_command(ctx: typer.Context) -> None:
    """Ctrl-C in any command: stop within seconds, one line, exit 130 (hallplan.interrupt)."""
    from hallplan.interrupt import handling

    ctx.with_resource(handling(err_console))


def _announce(out: Path) -> None:
    """Ctrl-C from here on says what ``out`` still holds (hallplan.interrupt)."""
    from hallplan.interrupt import output_folder

    output_folder(out)


def _run_folder(out: Path, command: str) -> AbstractContextManager[Path]:
    """The run's output folder, built beside ``out`` and swapped in when complete
    (hallplan.atomic.run_folder); a folder that cannot take a run is a clear error."""
    from hallplan.atomic import OutputFolderError, check_output_folder, run_folder

    try:
        check_output_folder(out)
    except OutputFolderError as exc:
        fail([str(exc)])
    return run_folder(out, command)


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail([f"--date: expected a date YYYY-MM-DD; found {value!r}"])
    return None


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="scenario TOML files")],
) -> None:
    """Check scenario files; list every problem with its key path."""
    from hallplan.sim.loader import load_scenario

    problems = []
    for f in files:
        try:
            s = load_scenario(f)
            console.print(
                f"[green]✓[/] {escape(str(f))}: hall {escape(repr(s.hall.id))}, "
                f"{sum(lane.counters for lane in s.lanes.values())} "
                f"counters, {len(s.service_types)} service types, "
                f"{len(s.staff.all_employees())} employees"
            )
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        fail(problems)


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option(help="write to this file instead of stdout")] = None,
) -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from hallplan.sim.scenario import Scenario

    if out is not None:
        output_file(out)
    text = json.dumps(Scenario.model_json_schema(), indent=2, ensure_ascii=False)
    if out is None:
        typer.echo(text)
    else:
        from hallplan.atomic import write_text

        write_text(out, text + "\n")
        console.print(f"wrote {out}", markup=False, highlight=False)


LangOpt = Annotated[
    str | None,
    typer.Option("--lang", help="report language: en | zh (default: the scenario's "
                 "report.language, else en)"),
]
PolishOpt = Annotated[
    float,
    typer.Option(
        "--polish",
        min=0,
        max=MAX_TIME_LIMIT,
        help="extra work units for CP-SAT to improve the month's shift plan (0 = off; "
        "deterministic but slow: on the flagship month 100 units took 6 more minutes on 2 "
        "cores for 7 staff-h more cover)",
    ),
]


def _lang(option: str | None, scenario=None) -> str:
    """``--lang``, else the scenario's ``report.language``, else English; a bad value exits 2."""
    from hallplan.i18n import check_lang

    value = option if option is not None else (
        scenario.report.language if scenario is not None else "en")
    try:
        return check_lang(value)
    except ValueError as exc:
        fail([f"--lang: {exc}"])


def _run_simulation(
    file: Path, reps: int, seed: int, out: Path, date: str | None, workers: int,
    lang: str | None = None,
) -> Path:
    _announce(out)
    from hallplan.i18n import label
    from hallplan.reports.simulation import write_simulation_outputs
    from hallplan.sim.loader import load_scenario
    from hallplan.sim.replicate import simulate

    output_dir(out)
    try:
        scenario = load_scenario(file)
        lang = _lang(lang, scenario)
        day = _parse_date(date) or scenario.reference_date
        t0 = time.perf_counter()
        with progress_bar(lang=lang) as progress:
            task = progress.add_task(
                label("cli_simulating", lang, hall=escape(scenario.hall.id), day=day), total=reps)
            results = simulate(
                scenario,
                dates=[day],
                reps=reps,
                seed=seed,
                workers=workers,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        elapsed = time.perf_counter() - t0
    except ScenarioError as exc:
        fail(exc.problems)
    from hallplan.atomic import final_paths

    with _run_folder(out, "simulate") as stage:
        written = final_paths(write_simulation_outputs(results, stage, elapsed, lang), stage,
                              out)
    console.print(label("cli_sim_done", lang, reps=reps, day=day, s=f"{elapsed:.1f}"),
                  markup=False, highlight=False)
    show_written(written, out / "summary.md", lang)
    return out


@app.command()
def simulate(
    file: Annotated[Path, typer.Argument(help="scenario TOML file")],
    reps: Annotated[int, typer.Option(min=1, max=MAX_REPS, help="replications")] = 20,
    seed: SeedOpt = 1,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("hallplan-out/simulate"),
    date: Annotated[
        str | None,
        typer.Option(help="day to simulate, YYYY-MM-DD (default: the scenario's reference_date)"),
    ] = None,
    workers: WorkersOpt = 1,
    lang: LangOpt = None,
) -> None:
    """Simulate a hall day with the scenario's staffing; write customers.csv,
    kpi_interval.csv, summary.md and waits.png."""
    _run_simulation(file, reps, seed, out, date, workers, lang)


@app.command()
def whatif(
    base: Annotated[Path, typer.Argument(help="base scenario TOML")],
    variants: Annotated[list[Path], typer.Argument(help="variant TOML files (override the base)")],
    reps: Annotated[int, typer.Option(min=2, max=MAX_REPS, help="replications per scenario")] = 20,
    seed: Annotated[int, typer.Option(min=0, max=SEED_MAX, help="seed shared by all scenarios")
                    ] = 1,
    date: Annotated[str | None, typer.Option(help="force one day for all (YYYY-MM-DD)")] = None,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("hallplan-out/whatif"),
    workers: WorkersOpt = 1,
    lang: LangOpt = None,
) -> None:
    """Compare variants with a base hall: waits, abandonment and staff-hours, with the
    difference to the base and its confidence interval (common random numbers)."""
    _announce(out)
    from hallplan.i18n import label
    from hallplan.reports.whatif import write_whatif_outputs
    from hallplan.sim.loader import load_scenario
    from hallplan.whatif import compare, run_whatif

    day = _parse_date(date)
    output_dir(out)
    try:
        lang = _lang(lang, load_scenario(base))
        with progress_bar(lang=lang) as progress:
            task = progress.add_task(label("cli_whatif", lang), total=reps * (1 + len(variants)))
            done_before: dict[str, int] = {}

            def tick(name: str, done: int, total: int) -> None:
                done_before[name] = done
                progress.update(
                    task,
                    completed=sum(done_before.values()),
                    description=label("cli_whatif_variant", lang, name=escape(name)),
                )

            base_run, variant_runs = run_whatif(base, variants, reps, seed, day, workers, tick)
    except ScenarioError as exc:
        fail(exc.problems)
    from hallplan.atomic import final_paths

    table = compare(base_run, variant_runs)
    with _run_folder(out, "whatif") as stage:
        written = final_paths(write_whatif_outputs(table, stage, reps, seed, lang), stage, out)
    show_written(written, out / "whatif.md", lang)


history_app = typer.Typer(no_args_is_help=True, help="Ticket-log history: import and generate.")
app.add_typer(history_app, name="history")

HallOpt = Annotated[str, typer.Option(help="hall id")]
HallScenarioOpt = Annotated[Path | None, typer.Option(help="scenario of the hall")]
MonthOpt = Annotated[str, typer.Option(help="month, YYYY-MM")]
DEFAULT_STORE = Path("hallplan-history.duckdb")
StoreOpt = Annotated[
    Path, typer.Option("--store", envvar="HALLPLAN_STORE", help="history store (DuckDB file)")
]


def _parse_month(value: str) -> tuple[int, int]:
    try:
        d = dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        fail([f"--month: expected a month YYYY-MM; found {value!r}"])
    return d.year, d.month


def _hall_month(hall: str, month: str, scenario: Path | None):
    """``(year, month, scenario)`` of a per-hall monthly command's options."""
    y, m = _parse_month(month)
    return y, m, _scenario_for_hall(hall, scenario)


def _scenario_for_hall(hall: str, scenario: Path | None):
    """The scenario file given, else the reference scenario whose hall id is ``hall``."""
    from hallplan.sim.loader import load_scenario

    try:
        if scenario is not None:
            return load_scenario(scenario)
        for f in reference_halls():
            s = load_scenario(f)
            if s.hall.id == hall:
                return s
    except ScenarioError as exc:
        fail(exc.problems)
    known = ", ".join(sorted(load_scenario(f).hall.id for f in reference_halls()))
    fail(
        [
            f"--hall: expected a hall with a scenario (pass --scenario FILE, or one of: "
            f"{known}); found {hall!r}"
        ]
    )
    return None


def _require_history(store: Path, hall: str, option: str = "--store") -> None:
    """Read commands never create a store: ``store`` must be an existing history store
    holding visits of ``hall`` (else exit 2 with what was found)."""
    from hallplan.forecast.store import HistoryStore, StoreError

    try:
        with HistoryStore(store, read_only=True, create=False) as st:
            halls = st.halls()
    except StoreError as exc:
        fail([f"{option}: {exc}"])
    if hall not in halls:
        held = ", ".join(halls) if halls else "none"
        fail(
            [
                f"{option}: {store}: expected visits of hall {hall!r}; found none (halls in "
                f"the store: {held}) — import its ticket log with `hallplan history import`"
            ]
        )


def _import_summary(report, lang: str, errors: bool = True) -> str:
    """What an import did (:meth:`ImportReport.summary`) in ``lang``; the reasons keep their
    names and the examples their detail (they quote the file)."""
    if lang == "en":
        return report.summary(errors=errors)
    from hallplan.i18n import labels

    t = labels(lang)
    lines = [report.mapping_summary] if report.mapping_summary else []
    lines.append(t("cli_import_summary", path=report.path, read=report.rows_read,
                   imported=report.rows_imported, rejected=report.rows_rejected,
                   stored=report.rows_already_stored))
    if report.read_as:
        lines.append("  " + t("cli_import_read_as", how=report.read_as))
    if report.first_date:
        lines.append("  " + t("cli_import_dates", first=report.first_date, last=report.last_date))
    lines += [f"  ERROR {e}" for e in report.file_errors] if errors else []
    lines += ["  " + t("cli_warning", text=w) for w in report.warnings]
    for reason, n in sorted(report.reasons.items(), key=lambda kv: -kv[1]):
        lines.append("  " + t("cli_reason", reason=reason, n=n))
        for ex in report.examples.get(reason, []):
            lines.append("    " + t("cli_example", line=ex["line"], detail=ex["detail"]))
    return "\n".join(lines)


def _import_rows(step, path: Path, lang: str):
    """``rows(done, total)`` for :func:`import_ticket_log`: a bar with an ETA by rows read
    (plain lines with the count and the time left in a log)."""
    from hallplan.i18n import label

    message = label("cli_import_rows", lang, path=path)
    return lambda done, total: step(message, done, total)


def _import_steps(step, lang: str):
    """``progress(message)`` for :func:`import_ticket_log`: its steps in ``lang``."""
    from hallplan.i18n import note_text

    return lambda message: step(note_text(message, lang))


@history_app.command("import")
def history_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="ticket log: CSV (UTF-8/GBK, , ; or tab), XLSX or Parquet (docs/ticket_log.md)"
        ),
    ],
    hall: HallOpt,
    store: StoreOpt = DEFAULT_STORE,
    scenario: HallScenarioOpt = None,
    mapping: Annotated[
        Path | None,
        typer.Option(help="column mapping TOML of a queue-system export (docs/column_mapping.md)"),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="text encoding of a CSV (default: detected UTF-8 / GBK)")
    ] = None,
    max_reject_share: Annotated[
        float,
        typer.Option(
            min=0.0, max=1.0, help="fail (exit 2, nothing stored) above this share of bad rows"
        ),
    ] = 0.05,
    lang: LangOpt = None,
) -> None:
    """Validate a ticket log and add its good rows to the history store (one transaction);
    bad rows are counted by reason, with examples, and kept in the store's rejects table."""
    from hallplan.forecast.store import StoreError, TooManyRejectsError, import_ticket_log
    from hallplan.forecast.ticket_log import TicketLogError
    from hallplan.i18n import label

    s = _scenario_for_hall(hall, scenario)
    lang = _lang(lang, s)
    try:
        with activity(label("cli_importing", lang, path=file), lang) as step:
            report = import_ticket_log(
                file,
                hall,
                store,
                s,
                mapping=mapping,
                encoding=encoding,
                max_reject_share=max_reject_share,
                progress=_import_steps(step, lang),
                rows=_import_rows(step, file, lang),
            )
    except KeyboardInterrupt:
        from hallplan.interrupt import note

        note(f"the store {store} is unchanged (the import is one transaction)")
        raise
    except TicketLogError as exc:
        rep = exc.report
        if isinstance(exc, TooManyRejectsError):  # the reasons, with examples
            console.print(_import_summary(rep, lang, errors=False), markup=False,
                          highlight=False, soft_wrap=True)
        elif rep is not None and rep.mapping_summary:
            console.print(rep.mapping_summary, markup=False, highlight=False, soft_wrap=True)
        fail([str(exc)])
    except StoreError as exc:
        fail([f"--store: {exc}"])
    console.print(_import_summary(report, lang), markup=False, highlight=False, soft_wrap=True)


@history_app.command("generate")
def history_generate(
    out: Annotated[Path, typer.Argument(help="ticket log to write (.csv, .parquet or .xlsx)")],
    scenario: Annotated[Path, typer.Option(help="scenario of the hall")] = FLAGSHIP,
    start: Annotated[str, typer.Option(help="first day YYYY-MM-DD")] = "2025-01-01",
    end: Annotated[str, typer.Option(help="last day YYYY-MM-DD")] = "2026-10-31",
    seed: SeedOpt = 1,
    workers: WorkersOpt = 2,
    lang: LangOpt = None,
) -> None:
    """Generate ticket-log history with the simulator (weekdays, month-start peak, Chinese
    holidays and make-up days, 5.17, handset launches, trend and noise); the months are
    simulated side by side (the same rows for any ``--workers``)."""
    from hallplan.forecast.generator import generate_history_file
    from hallplan.forecast.ticket_log import TicketLogError, check_ticket_log_suffix
    from hallplan.sim.loader import load_scenario

    output_file(out, "OUT")
    a, b = _parse_date(start), _parse_date(end)
    if a > b:
        fail([f"--start/--end: expected the first day on or before the last; found {a} > {b}"])
    if (b - a).days >= MAX_HISTORY_DAYS:
        fail([f"--start/--end: expected at most {MAX_HISTORY_DAYS:,} days of history (ten "
              f"years; every day is simulated); found {(b - a).days + 1:,} days, {a} … {b}"])
    try:
        check_ticket_log_suffix(out)
    except TicketLogError as exc:
        fail([str(exc)])
    if out.is_dir():
        fail([f"{out}: expected a file name for the ticket log; found a folder"])
    try:
        s = load_scenario(scenario)
    except ScenarioError as exc:
        fail(exc.problems)
    from hallplan.i18n import labels

    lang = _lang(lang, s)
    tr = labels(lang)
    with activity(tr("cli_history", first=a, last=b), lang) as step:
        try:
            path = generate_history_file(
                s, a, b, out, seed=seed, workers=workers,
                progress=lambda d, t: step(tr("cli_simulating_days"), d, t))
        except TicketLogError as exc:  # e.g. more rows than an Excel sheet holds
            fail([str(exc)])
    console.print(tr("cli_wrote", path=path), markup=False, highlight=False)


@app.command()
def calibrate(
    ticketlog: Annotated[
        Path,
        typer.Argument(help="ticket log (CSV/Parquet), or a queue-system export with --mapping"),
    ],
    scenario: Annotated[Path, typer.Option(help="scenario TOML of the hall")],
    mapping: Annotated[
        Path | None, typer.Option(help="column mapping TOML (docs/column_mapping.md)")
    ] = None,
    fit_days: Annotated[
        str | None, typer.Option(help="days to fit on: A..B or a comma list (default: 1st half)")
    ] = None,
    test_days: Annotated[
        str | None, typer.Option(help="held-out days: A..B or a comma list (default: the rest)")
    ] = None,
    reps: Annotated[int, typer.Option(min=2, max=MAX_REPS, help="replications per held-out day")
                    ] = 20,
    seed: SeedOpt = 1,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("hallplan-out/calibrate"),
    lang: LangOpt = None,
) -> None:
    """Fit service times, patience and staff availability from a ticket log, write a
    scenario overlay that extends the hall, and check the model on held-out days."""
    _announce(out)
    from hallplan.forecast.calibrate import CalibrationError, parse_days
    from hallplan.forecast.calibrate import calibrate as run_calibration
    from hallplan.forecast.mapping import MappingError, read_with_mapping
    from hallplan.forecast.ticket_log import TicketLogError, read_ticket_log, validate_ticket_log
    from hallplan.i18n import labels
    from hallplan.reports.calibration import write_calibration_outputs
    from hallplan.sim.loader import load_scenario

    output_dir(out)
    try:
        s = load_scenario(scenario)
    except ScenarioError as exc:
        fail(exc.problems)
    lang = _lang(lang, s)
    t = labels(lang)
    try:
        if mapping is not None:
            frame, mreport = read_with_mapping(ticketlog, mapping, s.hall.id)
            console.print(mreport.summary(), markup=False, highlight=False, soft_wrap=True)
        else:
            frame = read_ticket_log(ticketlog)
        v = validate_ticket_log(frame, s.hall.id, s, source=ticketlog)
    except (MappingError, TicketLogError, OSError) as exc:
        fail([str(exc)])
    if len(v.bad):
        counts = v.bad.groupby("reason")["line"].count().to_dict()
        shown = ", ".join(f"{k} {n}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        console.print(t("cli_calibrate_rows", path=ticketlog, good=len(v.good),
                        bad=v.bad["line"].nunique(), reasons=shown), markup=False)
    days = sorted(set(v.good["ticket_date"]))
    try:
        with activity(t("cli_calibrating"), lang) as step:
            step(t("cli_calibrate_step", reps=reps))
            cal = run_calibration(
                v.good, s, parse_days(fit_days, days), parse_days(test_days, days), reps=reps,
                seed=seed, source=ticketlog.name,
            )
    except (CalibrationError, ValueError) as exc:
        fail([str(exc)])
    except ScenarioError as exc:
        fail(exc.problems)
    from hallplan.atomic import final_paths

    with _run_folder(out, "calibrate") as stage:
        written = final_paths(write_calibration_outputs(cal, scenario, stage, lang=lang), stage,
                              out)
    show_written(written, out / "calibration.md", lang)


@app.command()
def forecast(
    hall: HallOpt,
    month: MonthOpt,
    store: StoreOpt = DEFAULT_STORE,
    scenario: HallScenarioOpt = None,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("hallplan-out/forecast"),
    lang: LangOpt = None,
) -> None:
    """Forecast a month's visits per day, interval, service type and class from the history
    store (calendar Poisson model) and keep the forecast in the store."""
    _announce(out)
    from hallplan.forecast.five_tables import forecast_month
    from hallplan.forecast.store import StoreError
    from hallplan.i18n import labels, note_text
    from hallplan.reports.forecast import write_forecast_outputs

    y, m, s = _hall_month(hall, month, scenario)
    output_dir(out)
    lang = _lang(lang, s)
    t = labels(lang)
    _require_history(store, hall)
    try:
        with activity(f"{t('forecast')} {hall} {month}", lang) as step:
            step(t("cli_forecast_step"))
            demand, summary = forecast_month(store, hall, s, y, m)
    except StoreError as exc:
        fail([f"--store: {exc}"])
    from hallplan.atomic import final_paths

    with _run_folder(out, "forecast") as stage:
        written = final_paths(write_forecast_outputs(stage, demand, summary), stage, out)
    show_written(written, lang=lang)
    console.print(t("cli_forecast_month", hall=hall, month=month, total=f"{summary.total:.0f}",
                    model=summary.model, start=summary.train_start, end=summary.train_end),
                  markup=False)
    for note in summary.notes:
        console.print("  " + t("cli_note", note=note_text(note, lang)), markup=False)


def _month_staffing(store: Path, hall: str, s, y: int, m: int):
    """This month's staffing for tables 1–2: the stored roster when one exists, else the
    requirement for the month's forecast (people at the posts per interval)."""
    from hallplan.forecast.five_tables import forecast_month
    from hallplan.forecast.store import HistoryStore
    from hallplan.optimize.requirements import compute_requirement
    from hallplan.optimize.requirements.isa import staffing_from_table
    from hallplan.sim.dates import month_dates

    dates = month_dates(y, m)
    with HistoryStore(store, create=False) as st:
        rostered = st.load_staffing(hall, dates[0], dates[-1])
    if rostered is not None and set(rostered.by_date) >= set(dates):
        return rostered, "the stored roster"
    demand, _ = forecast_month(store, hall, s, y, m)
    req = compute_requirement(s, demand, "lag")
    cap = {post: s.physical_capacity(post) for post in s.posts}
    staffing = staffing_from_table(req.table, req.interval_min, list(s.posts), cap)
    return staffing, "the requirement for the forecast (no roster stored)"


@app.command("five-tables")
def five_tables_cmd(
    hall: HallOpt,
    month: MonthOpt,
    store: StoreOpt = DEFAULT_STORE,
    scenario: HallScenarioOpt = None,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("hallplan-out/five-tables"),
    lang: LangOpt = None,
) -> None:
    """The five tables (五表) for a hall and month: CSV, one XLSX workbook, PNG charts."""
    _announce(out)
    from hallplan.forecast.five_tables import five_tables
    from hallplan.forecast.store import StoreError
    from hallplan.i18n import labels
    from hallplan.reports.forecast import write_five_tables

    y, m, s = _hall_month(hall, month, scenario)
    output_dir(out)
    lang = _lang(lang, s)
    t = labels(lang)
    _require_history(store, hall)
    try:
        with activity(t("cli_act_five_tables", hall=hall, month=month), lang) as step:
            step(t("cli_act_five_tables_step"))
            staffing, basis = _month_staffing(store, hall, s, y, m)
            ft = five_tables(store, hall, s, y, m, staffing=staffing)
    except StoreError as exc:
        fail([f"--store: {exc}"])
    ft.notes["capacity_basis"] = basis
    from hallplan.atomic import final_paths

    with _run_folder(out, "five-tables") as stage:
        written = final_paths(write_five_tables(stage, ft, lang=lang), stage, out)
    show_written(written, lang=lang)
    console.print(t("cli_capacity_from", basis=basis), markup=False)
    for name, table in ft.tables().items():
        console.print(f"[bold]{t(f'five_title_{name}')}[/]")
        console.print(table.head(8).to_string(), markup=False, highlight=False, soft_wrap=True)


@app.command()
def requirement(
    file: Annotated[Path, typer.Argument(help="scenario TOML file")],
    month: Annotated[str, typer.Option(help="month, YYYY-MM")],
    method: Annotated[RequirementMethod, typer.Option(help="requirement method")
                      ] = RequirementMethod.lag,
    reps: Annotated[int, typer.Option(min=1, max=MAX_REPS,
                                      help="replications (simulation method)")] = 10,
    seed: SeedOpt = 1,
    workers: WorkersOpt = 2,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("hallplan-out/requirement"),
    lang: LangOpt = None,
) -> None:
    """Minimum staff per (date, interval, post) meeting the hall's targets: writes
    requirement.csv (date, interval_start_min, post, staff, method) and a heatmap."""
    _announce(out)
    from hallplan.optimize.requirements import METHODS, requirement_for_month
    from hallplan.reports.requirement import write_requirement_outputs
    from hallplan.sim.loader import load_scenario

    method = method.value
    if method not in METHODS:
        fail([f"--method: expected one of {', '.join(METHODS)}; found {method!r}"])
    y, m = _parse_month(month)
    output_dir(out)
    try:
        s = load_scenario(file)
        lang = _lang(lang, s)
        from hallplan.i18n import labels

        t = labels(lang)
        with activity(t("cli_act_requirement", method=method, month=month), lang) as step:
            step(t("cli_act_computing"))
            extra = {} if method != "simulation" else {"progress": lambda rec: step(
                t("cli_act_req_iteration", iteration=rec["iteration"],
                  missing=rec["intervals_missing"]))}
            req, diag = requirement_for_month(
                s, y, m, method, reps=reps, seed=seed, workers=workers, **extra
            )
    except ScenarioError as exc:
        fail(exc.problems)
    from hallplan.atomic import final_paths
    from hallplan.i18n import label

    title = f"{s.hall.id} {month} ({method})"
    with _run_folder(out, "requirement") as stage:
        written = final_paths(write_requirement_outputs(req, stage, title=title, lang=lang),
                              stage, out)
    show_written(written, lang=lang)
    console.print(label("cli_req_done", lang, hall=s.hall.id, month=month, method=method,
                        staff=f"{diag.staff_hours:,.1f}", paid=f"{diag.paid_hours:,.1f}"),
                  markup=False, highlight=False)


@app.command()
def roster(
    file: Annotated[Path, typer.Argument(help="scenario TOML file")],
    requirement_csv: Annotated[Path, typer.Option("--requirement", help="requirement.csv")],
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            min=1,
            max=MAX_TIME_LIMIT,
            help="solver budget in deterministic work units (≈ s of one core); reproducible",
        ),
    ] = 60.0,
    workers: WorkersOpt = 2,
    seed: SeedOpt = 0,
    polish: PolishOpt = 0.0,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("hallplan-out/roster"),
    lang: LangOpt = None,
) -> None:
    """Roster named staff against a requirement with CP-SAT: roster.csv, the employee × day
    grid, hours per week, coverage chart and Gantt charts; infeasible rules are explained,
    not just reported."""
    _announce(out)
    from hallplan.optimize.roster import (
        RosterInfeasibleError,
        RosterNotFoundError,
        roster_from_files,
    )
    from hallplan.optimize.roster.io import requirement_warnings
    from hallplan.optimize.staffing_requirement import Requirement, staff_on_the_floor
    from hallplan.reports.roster import write_roster_outputs
    from hallplan.sim.loader import load_scenario

    output_dir(out)
    try:
        s = load_scenario(file)
        lang = _lang(lang, s)
        # requirement.csv counts staff serving; the roster puts ÷ availability on the floor
        raw = Requirement.read_csv(requirement_csv)
        for warning in requirement_warnings(s, raw):  # before the cap at the counters
            err_console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)
        req = staff_on_the_floor(raw, s)
        from hallplan.i18n import label

        with activity(label("cli_act_roster", lang, hall=s.hall.id, limit=f"{time_limit:g}"),
                      lang) as step:
            result = roster_from_files(s, req, time_limit_s=time_limit, workers=workers,
                                       seed=seed, progress=step, polish_work_units=polish)
    except ScenarioError as exc:
        fail(exc.problems)
    except RosterInfeasibleError as exc:
        fail(list(exc.messages) if hasattr(exc, "messages") else [str(exc)])
    except RosterNotFoundError as exc:
        fail([_not_found_advice(exc, time_limit)])
    from hallplan.atomic import final_paths

    with _run_folder(out, "roster") as stage:
        written = write_roster_outputs(result.roster, req, s, stage, gantt_days=7, lang=lang)
        written = final_paths(written, stage, out)
    show_written(written, lang=lang)
    console.print(result.summary(), markup=False, highlight=False, soft_wrap=True)


def _not_found_advice(exc: Exception, time_limit: float) -> str:
    """"raise --time-limit" only when more time can help: a model the solver PROVED
    infeasible is a rule problem, and more time changes nothing."""
    text = str(exc)
    if "INFEASIBLE" in text:
        return (f"no roster exists under the labour rules ({text}): check labour.* in the "
                "scenario (shift lengths, weekly hours, rest, days off) and the staff's skills "
                "and leave; more --time-limit will not help")
    return f"no roster found within {time_limit:g} work units: {text} (raise --time-limit)"


def _run_plan(
    scenario_path: Path,
    month: str,
    history: Path | None,
    config,
    out: Path,
    stage: Path | None = None,
    days: int | None = None,
    lang: str | None = None,
) -> Path:
    """Plan a month and write it to ``out`` (swapped in when complete); the demo passes the
    folder it is already building as ``stage``."""
    _announce(out)
    from hallplan.forecast.five_tables import five_tables, forecast_month
    from hallplan.forecast.store import StoreError
    from hallplan.i18n import labels
    from hallplan.optimize.roster import RosterInfeasibleError, RosterNotFoundError
    from hallplan.optimize.roster.diagnose import scenario_rule_problems
    from hallplan.pipeline import plan
    from hallplan.reports.plan import write_plan_outputs
    from hallplan.sim.dates import month_dates
    from hallplan.sim.demand import demand_from_profile
    from hallplan.sim.loader import load_scenario

    y, m = _parse_month(month)
    t0 = time.perf_counter()
    try:
        s = load_scenario(scenario_path)
        lang = _lang(lang, s)
        t = labels(lang)
        dates = month_dates(y, m)[:days] if days else month_dates(y, m)
        rules = scenario_rule_problems(s, dates)  # no shift to work: say so before planning
        if rules:
            fail([f"{scenario_path}: {r}" for r in rules])
        if history is not None:
            _require_history(history, s.hall.id, "--history")
            with activity(t("cli_act_forecast"), lang) as step:
                step(t("cli_act_forecast_step"))
                demand, summary = forecast_month(history, s.hall.id, s, y, m)
            console.print(t("cli_forecast_done", total=f"{summary.total:,.0f}",
                            model=summary.model), markup=False)
        else:
            demand = demand_from_profile(s, dates)
        with activity(t("cli_act_plan"), lang) as step:
            result = plan(s, demand, dates, config, progress=step)
        five = None
        if history is not None:
            with activity(t("cli_act_five"), lang) as step:
                step(t("cli_act_five_step"))
                five = five_tables(
                    history, s.hall.id, s, y, m, staffing=result.roster.roster.to_staffing()
                )
    except ScenarioError as exc:
        fail(exc.problems)
    except RosterInfeasibleError as exc:
        fail(list(getattr(exc, "messages", [str(exc)])))
    except RosterNotFoundError as exc:
        fail([_not_found_advice(exc, config.roster_time_limit_s)])
    except StoreError as exc:
        fail([f"--history: {exc}"])
    elapsed = time.perf_counter() - t0
    from hallplan.atomic import final_paths

    def write(folder: Path) -> list[Path]:
        if history is not None:  # before plan.json, which records the store's hash
            from hallplan.forecast.store import HistoryStore

            with HistoryStore(history) as st:  # next month's tables 3–5 read it back
                st.save_roster(s.hall.id, result.roster.roster.to_staffing(), dates)
        return write_plan_outputs(result, folder, scenario_path, history, five, elapsed, lang)

    with activity(t("cli_act_write"), lang) as step:
        step(t("cli_act_write_step", out=out))
        if stage is None:
            with _run_folder(out, "plan") as folder:
                written = final_paths(write(folder), folder, out)
        else:
            written = final_paths(write(stage), stage, out)
            # the demo's store is in the folder being built: plan.json names where it will be
            from hallplan.atomic import write_text

            meta = stage / "plan.json"
            write_text(meta, meta.read_text(encoding="utf-8").replace(str(stage), str(out)))
    show_written(written, lang=lang)
    for r in result.rounds:
        c = r.causes
        console.print(
            t("cli_round", round=r.round, misses=len(r.misses), roster=c.get("roster", 0),
              requirement=c.get("requirement", 0), layout=c.get("layout", 0),
              paid=f"{r.paid_hours:,.0f}", raised=r.raised),
            highlight=False,
            markup=False,
        )
    from hallplan.i18n import post_name

    for lane in result.lane_kpis().itertuples():
        console.print(
            "  " + t("cli_lane", lane=lane.lane if lang == "en" else post_name(lane.lane, lang),
                     share=f"{lane.share_within:.1%}", target=f"{lane.target:.0%}",
                     abandoned=f"{lane.abandon_share:.1%}", limit=f"{lane.max_abandon:.0%}",
                     verdict=t("cli_lane_holds") if lane.holds else t("cli_lane_misses")),
            highlight=False, markup=False,
        )
    from hallplan.i18n import note_text

    for n in result.notes:
        console.print(t("cli_note", note=note_text(n, lang)), markup=False)
    from hallplan.reports.plan import verdict_text

    verdict = result.verdict() if lang == "en" else verdict_text(result, lang)
    console.print(verdict, style="bold", markup=False, highlight=False)
    console.print(t("cli_done", s=f"{elapsed:.0f}", path=out / "report.html"), markup=False,
                  highlight=False)
    return out


@app.command("plan")
def plan_cmd(
    file: Annotated[Path, typer.Argument(help="scenario TOML file")],
    month: Annotated[str, typer.Option(help="month to plan, YYYY-MM")],
    history: Annotated[
        Path | None,
        typer.Option(
            help="history store (DuckDB); without it the scenario's demand profile is used"
        ),
    ] = None,
    reps: Annotated[int, typer.Option(min=1, max=MAX_REPS, help="replications per loop round")
                    ] = 5,
    seed: SeedOpt = 1,
    method: Annotated[LoopMethod, typer.Option(help="initial requirement method")
                      ] = LoopMethod.lag,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            min=1,
            max=MAX_TIME_LIMIT,
            help="roster budget per round, deterministic work units (≈ s of one core)",
        ),
    ] = 60,
    rounds: Annotated[int, typer.Option(min=1, max=MAX_ROUNDS, help="max loop rounds")] = 3,
    workers: WorkersOpt = 2,
    polish: PolishOpt = 0.0,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("hallplan-out/plan"),
    days: Annotated[
        int | None,
        typer.Option(min=2, max=31, help="plan only the first N days of the month (a quick "
                     "look; the 40-hour average is kept pro rata, so at least 2)"),
    ] = None,
    lang: LangOpt = None,
) -> None:
    """Forecast → requirement → roster → simulate → correct until the targets hold; writes
    report.html, CSV/XLSX tables and plan.json."""
    from hallplan.pipeline import PlanConfig

    output_dir(out)
    cfg = PlanConfig(
        reps=reps,
        seed=seed,
        requirement_method=method.value,
        roster_time_limit_s=time_limit,
        roster_polish_units=polish,
        workers=workers,
        max_rounds=rounds,
    )
    _run_plan(file, month, history, cfg, out, days=days, lang=lang)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="output folder")] = Path("hallplan-out/demo"),
    workers: WorkersOpt = 2,
    lang: LangOpt = None,
) -> None:
    """The main job: generate a year of history for the flagship hall, import it, and plan
    December 2026 (forecast → requirement → roster → simulate → correct → report)."""
    _announce(out)
    from hallplan.forecast.generator import generate_history_file
    from hallplan.forecast.store import import_ticket_log
    from hallplan.i18n import labels
    from hallplan.pipeline import PlanConfig
    from hallplan.sim.loader import load_scenario

    output_dir(out)
    s = load_scenario(FLAGSHIP)
    lang = _lang(lang, s)
    tr = labels(lang)
    with _run_folder(out, "demo") as stage:  # history, store and plan: one run, swapped in
        log = stage / "history_flagship.parquet"
        store = stage / "history.duckdb"
        with activity(tr("cli_demo_history"), lang) as step:
            generate_history_file(s, dt.date(2025, 11, 1), dt.date(2026, 11, 30), log, seed=1,
                                  progress=lambda d, t: step(tr("cli_simulating_days"), d, t),
                                  workers=workers)
        with activity(tr("cli_importing", path=log.name), lang) as step:
            report = import_ticket_log(log, s.hall.id, store, s,
                                       progress=_import_steps(step, lang),
                                       rows=_import_rows(step, log.name, lang))
        console.print(_import_summary(report, lang), markup=False, highlight=False)
        cfg = PlanConfig(reps=3, seed=1, roster_time_limit_s=60, workers=workers, max_rounds=3)
        _run_plan(FLAGSHIP, "2026-12", store, cfg, out, stage=stage, lang=lang)


from hallplan.region.cli import region_app  # noqa: E402  (registered after the commands)

app.add_typer(region_app, name="region")


def main() -> None:  # pragma: no cover - the console entry point is hallplan.__main__
    app(prog_name="hallplan")


if __name__ == "__main__":  # python -m hallplan.cli
    main()
