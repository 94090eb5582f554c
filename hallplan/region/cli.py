"""``hallplan region …``: plan a region's halls, validate a region file, generate one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hallplan.console import (
    console,
    err_console,
    escape,
    fail,
    output_dir,
    output_file,
    progress_bar,
)

region_app = typer.Typer(no_args_is_help=True,
                         help="Regional planning: many halls, headcount allocation, Dask.")


@region_app.command("validate")
def validate_cmd(file: Annotated[Path, typer.Argument(help="region TOML file")]) -> None:
    """Check a region file and every hall's scenario (with its overrides)."""
    from hallplan.region.file import load_region
    from hallplan.sim.errors import ScenarioError

    try:
        r = load_region(file)
    except ScenarioError as exc:
        fail(exc.problems)
    console.print(f"{file}: region {r.spec.region.id}, {len(r.halls)} halls — valid",
                  markup=False, highlight=False)


@region_app.command("schema")
def schema_cmd(out: Annotated[Path | None, typer.Option(help="write the JSON Schema here")] = None
               ) -> None:
    """JSON Schema of region files (for editors and validation elsewhere)."""
    import json

    from hallplan.atomic import write_text
    from hallplan.region.file import region_schema

    if out is not None:
        output_file(out)
    text = json.dumps(region_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)
    else:
        console.print(f"  wrote {write_text(out, text)}", markup=False, highlight=False)


@region_app.command("plan")
def plan_cmd(
    file: Annotated[Path, typer.Argument(help="region TOML file")],
    month: Annotated[str | None, typer.Option(help="YYYY-MM (default: the file's)")] = None,
    cluster: Annotated[str | None, typer.Option(
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: "
        "$HALLPLAN_DASK_SCHEDULER, else a local process pool)")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="local pool processes")] = 2,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("hallplan-out/region"),
    resume: Annotated[bool, typer.Option(
        "--resume", help="reuse halls already planned in OUT with the same inputs")] = False,
    days: Annotated[int | None, typer.Option(
        min=1, max=31, help="plan only the first N days of the month (overrides the file)")
    ] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="report language: en | zh, the region's and every hall's report "
        "(default: the region file's settings.language, else en)")] = None,
) -> None:
    """Plan every hall (the loop of `hallplan plan`) in parallel, allocate the headcount
    budget, write the region report. Finished halls are kept if the run is interrupted."""
    from hallplan.i18n import check_lang, labels, note_text
    from hallplan.interrupt import check
    from hallplan.region.executors import ExecutorError
    from hallplan.region.file import load_region
    from hallplan.region.run import allocate, run_region, write_region_outputs
    from hallplan.sim.errors import ScenarioError

    output_dir(out)
    try:
        if lang is not None:
            check_lang(lang)
    except ValueError as exc:
        fail([f"--lang: {exc}"])
    try:
        region = load_region(file)
        if days is not None:
            region = region.with_days(days)
        region.dates(month)
    except ScenarioError as exc:
        fail(exc.problems)
    lang = lang if lang is not None else region.spec.settings.language
    t = labels(lang)
    progress = progress_bar(lang=lang)  # a bar with an ETA; plain lines in a log
    bars = {}

    def on_event(event: str, info: dict) -> None:
        if event == "start":
            bars["halls"] = progress.add_task(t("cli_region_halls"), total=info["halls"],
                                              completed=info["reused"])
            bars["reps"] = progress.add_task(t("cli_region_reps"), total=info["replications"],
                                             completed=info["replications_done"])
            if info["reused"]:
                progress.console.print(t("cli_region_resume", n=info["reused"]))
        elif event == "hall":
            progress.advance(bars["halls"])
            progress.advance(bars["reps"], info["replications"])
            if info["status"] != "ok":
                progress.console.print(f"[red]✗ {escape(str(info['hall']))}[/]: "
                                       f"{escape(str(info['error']))}",
                                       markup=True, highlight=False)

    try:
        with progress:
            run = run_region(region, out, month, cluster=cluster, workers=workers,
                             resume=resume, progress=on_event, lang=lang)
    except ExecutorError as exc:
        fail([str(exc)])
    check()  # an interrupt whose exception Python dropped: no region report
    run.allocation = allocate(run, region)
    written = write_region_outputs(run, region, out, month, region.spec.settings.seed, lang)
    for p in written:
        console.print(f"  {t('cli_wrote', path=p)}", markup=False, highlight=False)
    console.print(t("cli_region_done", computed=len(run.computed), reused=len(run.reused),
                    failed=len(run.failed), unfinished=len(run.unfinished),
                    executor=run.executor, workers=run.workers, s=f"{run.elapsed_s:.0f}"),
                  highlight=False, markup=False)
    for n in run.notes:
        console.print(t("cli_note", note=note_text(n, lang)), markup=False)
    if run.interrupted:
        err_console.print(f"[yellow]{escape(str(run.interrupted))}[/]")
        raise typer.Exit(3)
    console.print(t("cli_report", path=out / "region_report.html"), markup=False,
                  highlight=False)
    if run.failed:
        raise typer.Exit(1)


@region_app.command("generate")
def generate_cmd(
    halls: Annotated[int, typer.Option(min=1, max=10_000, help="number of synthetic halls")
                     ] = 50,
    out: Annotated[Path, typer.Option(help="region TOML to write")] = Path(
        "hallplan-out/synthetic_region.toml"),
    seed: Annotated[int, typer.Option(min=0, max=2**32 - 1)] = 1,
    month: Annotated[str, typer.Option()] = "2026-12",
) -> None:
    """Write a synthetic region of HALLS halls (variants of the reference halls)."""
    import re

    from hallplan.region.file import MONTH
    from hallplan.region.synthetic import write_synthetic_region

    output_file(out, suffixes=(".toml",))
    if not re.match(MONTH, month):
        fail([f"--month: expected a month YYYY-MM; found {month!r}"])

    path = write_synthetic_region(out, halls, seed=seed, month=month)
    console.print(f"  wrote {path} ({halls} halls)", markup=False, highlight=False)
