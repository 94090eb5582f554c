"""The ``hallplan`` command line.

Bad input never ends in a traceback: problems are listed as ``file: key path: expected …;
found …`` and the exit code is 2.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sim.errors import ScenarioError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Plan telecom business halls: simulate, forecast, staff and roster.",
)
console = Console()
err_console = Console(stderr=True)

SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"
FLAGSHIP = SCENARIOS_DIR / "flagship_city_centre.toml"


def _fail(problems) -> None:
    err_console.print(f"[bold red]{len(problems)} problem(s):[/]")
    for p in problems:
        err_console.print(f"  [red]✗[/] {escape(str(p))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )


def _show_written(written: list[Path], markdown: Path | None = None) -> None:
    """List the files a command wrote, then print its markdown summary as is."""
    for p in written:
        console.print(f"  wrote {p}")
    if markdown is not None:
        console.print(
            markdown.read_text(encoding="utf-8"), markup=False, highlight=False, soft_wrap=True
        )


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail([f"--date: expected a date YYYY-MM-DD; found {value!r}"])
    return None


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="scenario TOML files")],
) -> None:
    """Check scenario files; list every problem with its key path."""
    from sim.loader import load_scenario

    problems = []
    for f in files:
        try:
            s = load_scenario(f)
            console.print(
                f"[green]✓[/] {f}: hall {s.hall.id!r}, "
                f"{sum(lane.counters for lane in s.lanes.values())} "
                f"counters, {len(s.service_types)} service types, "
                f"{len(s.staff.all_employees())} employees"
            )
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        _fail(problems)


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option(help="write to this file instead of stdout")] = None,
) -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from sim.scenario import Scenario

    text = json.dumps(Scenario.model_json_schema(), indent=2, ensure_ascii=False)
    if out is None:
        typer.echo(text)
    else:
        from hallplan.atomic import write_text

        write_text(out, text + "\n")
        console.print(f"wrote {out}")


def _run_simulation(
    file: Path, reps: int, seed: int, out: Path, date: str | None, workers: int
) -> Path:
    from hallplan.simulation_report import write_simulation_outputs
    from sim.loader import load_scenario
    from sim.replicate import simulate

    try:
        scenario = load_scenario(file)
        day = _parse_date(date) or scenario.reference_date
        t0 = time.perf_counter()
        with _progress() as progress:
            task = progress.add_task(f"simulating {scenario.hall.id} {day}", total=reps)
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
        _fail(exc.problems)
    written = write_simulation_outputs(results, out, elapsed)
    console.print(f"{reps} replications of {day} in {elapsed:.1f} s")
    _show_written(written, out / "summary.md")
    return out


@app.command()
def simulate(
    file: Annotated[Path, typer.Argument(help="scenario TOML file")],
    reps: Annotated[int, typer.Option(min=1, help="replications")] = 20,
    seed: Annotated[int, typer.Option(help="base seed (results are a function of it)")] = 1,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("hallplan-out/simulate"),
    date: Annotated[
        str | None,
        typer.Option(help="day to simulate, YYYY-MM-DD (default: the scenario's reference_date)"),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="local worker processes")] = 1,
) -> None:
    """Simulate a hall day with the scenario's staffing; write customers.csv,
    kpi_interval.csv, summary.md and waits.png."""
    _run_simulation(file, reps, seed, out, date, workers)


@app.command()
def whatif(
    base: Annotated[Path, typer.Argument(help="base scenario TOML")],
    variants: Annotated[list[Path], typer.Argument(help="variant TOML files (override the base)")],
    reps: Annotated[int, typer.Option(min=2, help="replications per scenario")] = 20,
    seed: Annotated[int, typer.Option(help="seed shared by all scenarios")] = 1,
    date: Annotated[str | None, typer.Option(help="force one day for all (YYYY-MM-DD)")] = None,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("hallplan-out/whatif"),
    workers: Annotated[int, typer.Option(min=1)] = 1,
) -> None:
    """Compare variants with a base hall: waits, abandonment and staff-hours, with the
    difference to the base and its confidence interval (common random numbers)."""
    from hallplan.whatif import compare, run_whatif, write_whatif_outputs

    day = _parse_date(date)
    try:
        with _progress() as progress:
            task = progress.add_task("what-if", total=reps * (1 + len(variants)))
            done_before: dict[str, int] = {}

            def tick(name: str, done: int, total: int) -> None:
                done_before[name] = done
                progress.update(
                    task, completed=sum(done_before.values()), description=f"what-if: {name}"
                )

            base_run, variant_runs = run_whatif(base, variants, reps, seed, day, workers, tick)
    except ScenarioError as exc:
        _fail(exc.problems)
    table = compare(base_run, variant_runs)
    _show_written(write_whatif_outputs(table, out, reps, seed), out / "whatif.md")


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="output folder")] = Path("hallplan-out/demo"),
    reps: Annotated[int, typer.Option(min=1)] = 20,
    workers: Annotated[int, typer.Option(min=1)] = 2,
) -> None:
    """Run the main job on the embedded flagship city-centre hall."""
    _run_simulation(FLAGSHIP, reps, 1, out, None, workers)
    console.print(f"[bold]Report: {out / 'summary.md'}[/] (chart: {out / 'waits.png'})")


def main() -> None:  # pragma: no cover - console entry point
    app()
