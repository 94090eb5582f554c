"""Plan every hall of a region in parallel, keep every finished hall, allocate headcount.

Output folder::

    out/halls/<hall>/          the hall's plan (report.html, CSV/XLSX, plan.json) and
                               hall_result.json — written to a temporary folder and renamed
                               into place as the hall finishes, so a folder that exists is
                               complete; hall_result.json is the "done" marker --resume reads
    out/halls/<hall>.error.txt a failed hall's error (and traceback for unexpected errors)
    out/region_report.html, region.xlsx, region_halls.csv, allocation.csv, region.json
    out/hallplan-run.json      the region-level files this run wrote (removed, with them, by
                               the next run that recomputes a hall)

No lost work: a hall is written the moment it finishes. ``resume=True`` reuses every hall
whose marker matches the hall's current inputs (scenario, settings, dates, seed) and
recomputes only the rest; failed halls are retried. A killed worker process stops the run
with the finished halls kept on disk (exit 3). Ctrl-C stops the workers at once and ends the
command with exit 130, writing no region report; the finished halls stay for ``--resume``
(each hall folder is complete and carries the hash of its inputs, so a resumed region never
mixes halls planned from different inputs).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hallplan.atomic import MANIFEST, read_manifest, write_csv, write_text
from hallplan.pipeline import PlanConfig
from hallplan.region.executors import make_executor
from hallplan.region.file import Region
from hallplan.region.record import HallRow, hall_frame
from hallplan.region.tasks import HallOutcome, HallTask, hall_seed, plan_hall
from hallplan.sim.interrupt import check
from hallplan.sim.notes import Note

MARKER = "hall_result.json"
#: the region run's notes (English; ``hallplan.i18n`` has each as ``note_<key>``)
NOTES = {
    "budget_below_minimums": "headcount budget {budget} is below the halls' minimums "
                             "({minimum}); no allocation",
    "allocation": "allocation: {method}; meeting every hall's target would take {need} people "
                  "(the halls' plans)",
}
#: every column of the region table (a failed or unfinished hall has NaN in most)


@dataclass
class RegionRun:
    halls: pd.DataFrame  # one row per hall (ok, failed, or not finished)
    allocation: pd.DataFrame | None
    curves: dict[str, dict]
    executor: str
    workers: int
    elapsed_s: float
    reused: list[str] = field(default_factory=list)
    computed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)
    interrupted: str = ""
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def build_tasks(region: Region, month: str | None = None,
                workers_per_hall: int = 1) -> list[HallTask]:
    """One task per hall, each with its own spawned seed."""
    st = region.spec.settings
    dates = tuple(region.dates(month))
    tasks = []
    for h in region.halls:
        cfg = PlanConfig(reps=st.reps, seed=hall_seed(st.seed, h.id),
                         requirement_method=st.requirement_method,
                         roster_time_limit_s=st.roster_time_limit, workers=workers_per_hall,
                         max_rounds=st.max_rounds, confidence=st.confidence,
                         cost_per_paid_hour=st.cost_per_paid_hour)
        key = f"{region.hall_hash(h.id)}-{dates[0]:%Y%m%d}-{len(dates)}"
        tasks.append(HallTask(h.id, region.scenarios[h.id], dates, cfg, key,
                              st.month_start_days, st.holiday_demand_factor,
                              h.min_headcount, h.max_headcount))
    return tasks


def _read_marker(out: Path, task: HallTask) -> dict | None:
    f = out / "halls" / task.hall_id / MARKER
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("task_hash") == task.task_hash else None


def write_hall(out: Path, outcome: HallOutcome, scenario_path: Path, lang: str = "en") -> Path:
    """Write a finished hall's folder atomically: build it next to its final place, then
    rename (a reader or a resumed run never sees half a hall)."""
    from hallplan.reports.plan import write_plan_outputs

    halls = out / "halls"
    halls.mkdir(parents=True, exist_ok=True)
    final = halls / outcome.hall_id
    tmp = Path(tempfile.mkdtemp(prefix=f".{outcome.hall_id}.", dir=halls))
    try:
        if outcome.plan is not None:
            write_plan_outputs(outcome.plan, tmp, scenario_path,
                               elapsed_s=outcome.row.run_time_s, lang=lang)
        marker = {"task_hash": outcome.task_hash, "row": outcome.row.as_dict(),
                  "curve": outcome.curve, "replications": outcome.replications}
        (tmp / MARKER).write_text(json.dumps(marker, indent=1) + "\n",
                                  encoding="utf-8")
        if final.exists():
            old = halls / f".{outcome.hall_id}.old.{os.getpid()}"
            os.replace(final, old)
            os.replace(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    (halls / f"{outcome.hall_id}.error.txt").unlink(missing_ok=True)
    return final


def _remove_partial_folders(out: Path) -> None:
    """A run killed while writing a hall leaves its temporary folder (``.<hall>.*``); the
    hall itself has no marker, so it is recomputed — the leftover is just removed."""
    halls = out / "halls"
    if halls.is_dir():
        for p in halls.iterdir():
            if p.is_dir() and p.name.startswith("."):
                shutil.rmtree(p, ignore_errors=True)


def write_failure(out: Path, outcome: HallOutcome) -> Path:
    text = f"hall {outcome.hall_id} failed: {outcome.error}\n"
    if outcome.traceback:
        text += "\n" + outcome.traceback
    return write_text(out / "halls" / f"{outcome.hall_id}.error.txt", text)


Progress = Callable[[str, dict], None]


def run_region(region: Region, out: Path, month: str | None = None, *,
               cluster=None, workers: int = 2, resume: bool = False,
               progress: Progress | None = None, lang: str = "en") -> RegionRun:
    """Plan every hall (see the module docstring). ``progress(event, info)`` is called with
    ``start`` (halls, replications), ``hall`` (one finished: hall, status, replications) —
    the runner itself never prints."""
    say = progress or (lambda _e, _i: None)
    out = Path(out)
    t0 = time.perf_counter()
    tasks = build_tasks(region, month)
    _remove_partial_folders(out)
    rows: dict[str, HallRow] = {}
    curves: dict[str, dict] = {}
    run = RegionRun(pd.DataFrame(), None, curves, "", 0, 0.0)
    todo = []
    for t in tasks:
        marker = _read_marker(out, t) if resume else None
        if marker is not None:
            rows[t.hall_id] = HallRow.from_mapping(marker["row"])
            if marker.get("curve"):
                curves[t.hall_id] = marker["curve"]
            run.reused.append(t.hall_id)
        else:
            todo.append(t)
    reps_per_hall = {t.hall_id: t.config.reps * (len(t.dates) * t.config.max_rounds + 1)
                     for t in tasks}
    say("start", {"halls": len(tasks), "reused": len(run.reused),
                  "replications": sum(reps_per_hall.values()),
                  "replications_done": sum(reps_per_hall[h] for h in run.reused)})
    if todo:
        _remove_region_outputs(out)
        ex = make_executor(cluster, workers)
        run.executor, run.workers = ex.kind, ex.workers
        futures = {}
        try:
            for t in todo:
                futures[ex.submit(plan_hall, t, key=f"plan-hall-{t.hall_id}-{t.task_hash}")] = t
            for fut in ex.as_completed(futures):
                t = futures[fut]
                try:
                    outcome = fut.result()
                except Exception as exc:
                    if ex.broken(exc):
                        run.interrupted = ("a worker process died (killed or out of memory); "
                                           "finished halls are kept — rerun with --resume")
                        break
                    # the executor lost the task (e.g. a Dask worker kept dying on it)
                    msg = f"{type(exc).__name__}: {exc}"
                    outcome = HallOutcome(t.hall_id, t.task_hash, "failed",
                                          HallRow(t.hall_id, "failed", error=msg), error=msg)
                if outcome.ok:
                    write_hall(out, outcome, region.sources[t.hall_id], lang)
                    curves.pop(t.hall_id, None)
                    if outcome.curve:
                        curves[t.hall_id] = outcome.curve
                    run.computed.append(t.hall_id)
                else:
                    write_failure(out, outcome)
                    run.failed.append(t.hall_id)
                rows[t.hall_id] = outcome.row
                say("hall", {"hall": t.hall_id, "status": outcome.status,
                             "replications": reps_per_hall[t.hall_id],
                             "error": outcome.error})
                # the SIGINT handler raises, but Python drops an exception raised while it
                # runs a finalizer or callback; the stop flag it set first is not lost
                check()
        except KeyboardInterrupt:
            # stop the workers now and end the command (exit 130): no region report is
            # written for a region half planned; the halls already written stay for --resume
            ex.close(cancel=True)
            ex = None
            from hallplan.interrupt import note

            note(f"no region report written; {len(run.computed)} hall(s) finished in this "
                 f"run are kept in {out / 'halls'} (rerun with --resume)")
            raise
        finally:
            if ex is not None:
                ex.close(cancel=bool(run.interrupted))
    else:
        run.executor, run.workers = "none (every hall reused)", 0
    run.unfinished = [t.hall_id for t in tasks if t.hall_id not in rows]
    run.halls = region_table(region, tasks, rows)
    run.elapsed_s = time.perf_counter() - t0
    return run


def region_table(region: Region, tasks: list[HallTask], rows: dict[str, HallRow]
                 ) -> pd.DataFrame:
    """One row per hall in the region file's order (unfinished halls included)."""
    out = []
    for t in tasks:
        r = rows.get(t.hall_id) or HallRow(t.hall_id, "not finished",
                                           error="not planned yet (interrupted run)")
        if r.headcount_current is None:
            r = r.replace(headcount_current=len(t.scenario.staff.all_employees()))
        out.append(r.replace(scenario=str(region.sources.get(t.hall_id, ""))))
    return hall_frame(out)


def allocate(run: RegionRun, region: Region) -> pd.DataFrame | None:
    """Allocate the region's headcount budget over the planned halls (marginal analysis on
    their staffing/wait curves); None without a budget or without curves."""
    budget = region.spec.region.headcount_budget
    if budget is None or not run.curves:
        return None
    import numpy as np

    from hallplan.optimize.allocation import (
        REGION_TOTAL,
        WaitCurve,
        allocate_headcount,
        least_headcount_plan,
    )

    entries = {h.id: h for h in region.halls}
    curves = [WaitCurve(hall=c["hall"], headcount=np.asarray(c["headcount"], dtype=int),
                        late_customers=np.asarray(c["late_customers"], dtype=float),
                        customers=float(c["customers"]), target_share=float(c["target_share"]))
              for h, c in sorted(run.curves.items())]
    minimum = {c.hall: int(entries[c.hall].min_headcount or c.headcount[0]) for c in curves}
    maximum = {c.hall: int(entries[c.hall].max_headcount or c.headcount[-1]) for c in curves}
    if budget < sum(minimum.values()):
        run.notes.append(Note(NOTES, "budget_below_minimums", budget=budget,
                              minimum=sum(minimum.values())))
        return None
    alloc = allocate_headcount(curves, budget, minimum=minimum, maximum=maximum)
    # the other question a planner asks: the least people that meet every hall's target —
    # one definition with the plan's verdict: the hall's own plan says how many it needs
    # (hallplan.region.tasks.headcount_needed); the wait curve (a pooled, whole-horizon
    # share) only orders the people, and its own pooled answer is kept beside, labelled so
    least = least_headcount_plan(curves)
    least = least[least["hall"] != REGION_TOTAL].set_index("hall")
    from hallplan.reports.region_tables import allocation_verdicts

    alloc["curve_least_headcount_pooled_share"] = alloc["hall"].map(least["headcount"])
    alloc["curve_meets_pooled_share"] = alloc["meets_target"]
    alloc["curve_target_reachable"] = alloc["hall"].map(~least["capped"])
    alloc = allocation_verdicts(run.halls, alloc)
    need = int(pd.to_numeric(alloc["headcount_to_meet_target"], errors="coerce").sum())
    method = alloc.attrs.get("method", "marginal analysis")
    run.notes.append(Note(NOTES, "allocation", method=method, need=need))
    assigned = dict(zip(alloc["hall"], alloc["headcount"], strict=True))
    run.halls["headcount_assigned"] = pd.array(
        [int(assigned[h]) if h in assigned else None for h in run.halls["hall"]], dtype="Int64")
    return alloc


def write_region_outputs(run: RegionRun, region: Region, out: Path, month: str | None,
                         seed: int, lang: str = "en") -> list[Path]:
    from hallplan.reports.region import write_region_report

    out = Path(out)
    info = {"id": region.spec.region.id, "name": region.spec.region.name,
            "month": "{:04d}-{:02d}".format(*region.month(month)),
            "days": len(region.dates(month)),
            "headcount_budget": region.spec.region.headcount_budget, "seed": seed,
            "reps": region.spec.settings.reps, "executor": run.executor,
            "n_workers": run.workers, "elapsed_s": run.elapsed_s}
    written = list(write_region_report(run.halls, run.allocation, info, out, lang))
    if run.allocation is not None:
        written.append(write_csv(out / "allocation.csv", run.allocation))
    meta = {**info, "region_file": str(region.path), "reused": run.reused,
            "computed": run.computed, "failed": run.failed, "unfinished": run.unfinished,
            "interrupted": run.interrupted, "notes": run.notes,
            "settings": region.spec.settings.model_dump(mode="json")}
    written.append(write_text(out / "region.json", json.dumps(meta, indent=2, default=str)))
    top = sorted({p.relative_to(out).parts[0] for p in written} - {"halls"})
    manifest = {"command": "region plan", "entries": top,
                "halls": sorted(set(run.reused) | set(run.computed))}
    write_text(out / MANIFEST, json.dumps(manifest, indent=1) + "\n")
    run.written = written
    return written


def _remove_region_outputs(out: Path) -> None:
    """A run that recomputes halls first removes the previous run's region-level files (the
    report, tables, region.json — listed in its manifest): were it interrupted, the folder
    holds finished halls and no region report that no longer matches them. Files the
    manifest does not list (the planner's) are left alone."""
    manifest = read_manifest(out)
    for name in (manifest or {}).get("entries", []):
        p = out / name
        if name != "halls" and p.is_file() and p.parent == out:
            p.unlink()
    (out / MANIFEST).unlink(missing_ok=True)
