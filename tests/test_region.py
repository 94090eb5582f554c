"""Regional planning: a region file of many halls, planned in parallel on a local pool or a
Dask cluster with identical results, kept hall by hall, resumable, with one region report."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from hallplan.region.file import load_region
from hallplan.region.run import allocate, build_tasks, run_region, write_region_outputs
from hallplan.region.tasks import hall_seed
from hallplan.sim.errors import ScenarioError

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"


def region_file(tmp_path: Path, halls: str, settings: str = "", budget: str = "") -> Path:
    text = f"""
[region]
id = "test-region"
month = "2026-12"
{budget}

[settings]
reps = 2
seed = 7
roster_time_limit = 2
max_rounds = 1
days = 2
{settings}

{halls}
"""
    p = tmp_path / "region.toml"
    p.write_text(text, encoding="utf-8")
    return p


def county(hall_id: str, extra: str = "") -> str:
    return f'[[halls]]\nid = "{hall_id}"\nscenario = "{SCEN / "county_hall.toml"}"\n{extra}\n'


THREE = county("c1") + county("c2", "demand_scale = 1.3") + county("c3", "kiosks = 0")


def results_only(df: pd.DataFrame) -> pd.DataFrame:
    """The region table without its timing column (the only thing that may differ) and the
    allocation (computed afterwards, from the whole region)."""
    return (df.drop(columns=["run_time_s", "headcount_assigned"]).sort_values("hall")
            .reset_index(drop=True))


# --------------------------------------------------------------------------- the region file


def test_example_region_is_valid_and_overrides_apply():
    r = load_region(SCEN / "regions" / "riverside.toml")
    assert len(r.halls) == 10
    assert len(r.scenarios["riverside-east"].staff.all_employees()) == 12
    assert r.scenarios["riverside-west"].lanes["general"].counters == 7
    assert r.scenarios["riverside-west"].kiosks.count == 4
    assert r.scenarios["river-town"].triage.enabled is False
    base = r.scenarios["north-county"].demand.daily_visits
    hill = r.scenarios["hill-county"].demand.daily_visits
    assert all(hill[k] == pytest.approx(0.7 * base[k]) for k in base)


def test_bad_region_file_lists_every_problem_with_its_place(tmp_path):
    halls = (county("a", 'counters = { nosuchlane = 2 }') + county("a")
             + '[[halls]]\nid = "b"\nscenario = "missing.toml"\n'
             + county("c", "headcount = 2"))
    with pytest.raises(ScenarioError) as err:
        load_region(region_file(tmp_path, halls))
    text = "\n".join(str(p) for p in err.value.problems)
    assert "halls[0].counters" in text and "nosuchlane" in text
    assert "halls[1].id" in text and "used once" in text
    assert "halls[2].scenario" in text and "missing.toml" in text
    assert "halls[3].headcount" in text
    assert all(str(p).startswith(str(tmp_path)) for p in err.value.problems)


def test_a_hall_seed_depends_on_the_hall_not_on_its_neighbours(tmp_path):
    a = build_tasks(load_region(region_file(tmp_path, THREE)))
    solo = build_tasks(load_region(region_file(tmp_path, county("c2", "demand_scale = 1.3"))))
    assert {t.hall_id: t.config.seed for t in a}["c2"] == solo[0].config.seed
    assert len({t.config.seed for t in a}) == 3
    assert hall_seed(7, "c1") == hall_seed(7, "c1") != hall_seed(8, "c1")


# --------------------------------------------------------------------------- running


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """The three-hall region planned once on a local pool of 2 processes."""
    tmp = tmp_path_factory.mktemp("region")
    region = load_region(region_file(tmp, THREE, budget="headcount_budget = 20"))
    out = tmp / "out"
    run = run_region(region, out, workers=2)
    run.allocation = allocate(run, region)
    write_region_outputs(run, region, out, None, 7)
    return region, out, run


def test_every_hall_is_planned_and_written_with_its_own_report(planned):
    _, out, run = planned
    assert sorted(run.computed) == ["c1", "c2", "c3"] and not run.failed
    assert (run.halls["status"] == "ok").all()
    for h in ("c1", "c2", "c3"):
        assert (out / "halls" / h / "report.html").exists()
        marker = json.loads((out / "halls" / h / "hall_result.json").read_text())
        assert marker["row"]["hall"] == h
    for f in ("region_report.html", "region.xlsx", "region_halls.csv", "region.json"):
        assert (out / f).exists(), f
    assert not [p for p in (out / "halls").iterdir() if p.name.startswith(".")]


def test_busier_hall_has_more_late_customers(planned):
    _, _, run = planned
    h = run.halls.set_index("hall")
    assert h.loc["c2", "customers"] > h.loc["c1", "customers"]
    assert h.loc["c2", "late_customers"] >= h.loc["c1", "late_customers"]


def test_allocation_spends_the_budget_and_never_exceeds_it(planned):
    _, _, run = planned
    assert run.allocation is not None
    assert run.allocation["headcount"].sum() <= 20
    assert run.halls["headcount_assigned"].notna().all()
    # and the dual question: the least headcount that meets each hall's target
    assert (run.allocation["headcount_to_meet_target"] >= 1).all()


def test_the_region_report_uses_one_definition_of_meeting_the_target(planned):
    """The verdict ("targets hold"), "headcount needed" and the allocation's "meets target" /
    "least headcount meeting the target" are the same facts seen from both sides: a hall
    needs no more than its books exactly when its targets hold, and the allocation's least
    headcount is the plan's need."""
    _, out, run = planned
    h = run.halls.set_index("hall")
    holds = h["targets_hold"].astype(bool)
    assert ((h["headcount_needed"] <= h["headcount_current"]) == holds).all()
    a = run.allocation.set_index("hall")
    assert (a["headcount_to_meet_target"] == h.loc[a.index, "headcount_needed"]).all()
    assert (a["meets_target"].astype(bool)
            == (a["headcount"] >= h.loc[a.index, "headcount_needed"])).all()
    page = (out / "region_report.html").read_text(encoding="utf-8")
    need = int(h["headcount_needed"].sum())
    assert f"The plans need {need:,} people" in page
    assert f"meeting every hall&#x27;s target takes {need:,} people" in page


def test_one_worker_gives_the_same_region_as_two(planned, tmp_path):
    region, _, run2 = planned
    run1 = run_region(region, tmp_path / "one", workers=1)
    pd.testing.assert_frame_equal(results_only(run1.halls), results_only(run2.halls))


def test_a_dask_local_cluster_gives_the_same_region(planned, tmp_path):
    distributed = pytest.importorskip("distributed")
    region, _, run2 = planned
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        run_d = run_region(region, tmp_path / "dask", cluster=cluster)
    assert run_d.executor == "dask distributed" and run_d.workers == 2
    pd.testing.assert_frame_equal(results_only(run_d.halls), results_only(run2.halls))


def test_resume_recomputes_only_the_missing_hall(planned, tmp_path):
    import shutil

    region, out, run2 = planned
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    shutil.rmtree(copy / "halls" / "c3")
    (copy / "halls" / ".c3.partial").mkdir()  # what a kill during the write leaves behind
    again = run_region(region, copy, workers=1, resume=True)
    assert not (copy / "halls" / ".c3.partial").exists()
    assert again.computed == ["c3"] and sorted(again.reused) == ["c1", "c2"]
    pd.testing.assert_frame_equal(results_only(again.halls), results_only(run2.halls))


def test_resume_recomputes_a_hall_whose_inputs_changed(planned, tmp_path):
    import shutil

    _, out, _ = planned
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    changed = THREE.replace("demand_scale = 1.3", "demand_scale = 1.2")
    region = load_region(region_file(tmp_path, changed, budget="headcount_budget = 20"))
    again = run_region(region, copy, workers=1, resume=True)
    assert again.computed == ["c2"] and sorted(again.reused) == ["c1", "c3"]


def test_a_failing_hall_is_reported_and_the_others_are_planned(tmp_path):
    # the only duty manager is never available: the roster cannot keep one on site
    no_manager = county("broken", '[halls.overrides.staff]\ngroups = [{ id_prefix = "G", '
                        'count = 3, skills = ["general", "greeter"] }]\nemployees = [{ id = '
                        '"M1", duty_manager = true, unavailable_weekdays = [0, 1, 2, 3, 4, 5, '
                        '6] }]')
    region = load_region(region_file(tmp_path, county("fine") + no_manager))
    run = run_region(region, tmp_path / "out", workers=1)
    assert run.failed == ["broken"] and run.computed == ["fine"]
    row = run.halls.set_index("hall").loc["broken"]
    assert row["status"] == "failed" and "duty manager" in row["error"]
    assert (tmp_path / "out" / "halls" / "broken.error.txt").exists()
    # a failed hall has no "done" marker: --resume tries it again
    assert not (tmp_path / "out" / "halls" / "broken").exists()


def test_a_killed_run_resumes_and_finishes_with_the_same_results(planned, tmp_path):
    """Kill the CLI (SIGKILL, the whole process group) after the first hall is written;
    --resume reuses what was finished and completes the rest."""
    region, _, run2 = planned
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "hallplan.cli", "region", "plan", str(region.path),
           "--out", str(out), "--workers", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, cwd=ROOT)
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        if any((out / "halls").glob("*/hall_result.json")):
            break
        time.sleep(0.2)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = sorted(p.parent.name for p in (out / "halls").glob("*/hall_result.json"))
    assert 1 <= len(done) < 3
    res = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, cwd=ROOT,
                         timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    meta = json.loads((out / "region.json").read_text())
    assert sorted(meta["reused"]) == done
    assert sorted(meta["reused"] + meta["computed"]) == ["c1", "c2", "c3"]
    final = pd.read_csv(out / "region_halls.csv")
    expected = run2.halls.copy()
    assert final.sort_values("hall")["late_customers"].tolist() == pytest.approx(
        expected.sort_values("hall")["late_customers"].tolist())


def test_cli_reports_a_bad_region_without_a_traceback(tmp_path):
    p = region_file(tmp_path, county("a", 'counters = { nosuchlane = 2 }'))
    res = subprocess.run([sys.executable, "-m", "hallplan.cli", "region", "plan", str(p)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 2
    assert "nosuchlane" in res.stderr and "Traceback" not in res.stderr


def test_the_example_region_plans_identically_on_a_local_pool_and_a_dask_cluster(tmp_path):
    """The ten-hall example region (two days, to keep the suite short): `hallplan region
    plan` on the local pool and with --cluster pointing at a running Dask scheduler."""
    distributed = pytest.importorskip("distributed")
    example = SCEN / "regions" / "riverside.toml"
    base = [sys.executable, "-m", "hallplan.cli", "region", "plan", str(example), "--days", "2"]
    local = subprocess.run([*base, "--out", str(tmp_path / "local")], capture_output=True,
                           text=True, cwd=ROOT, timeout=900)
    assert local.returncode == 0, local.stderr[-2000:]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        dask = subprocess.run([*base, "--out", str(tmp_path / "dask"), "--cluster",
                               cluster.scheduler_address], capture_output=True, text=True,
                              cwd=ROOT, timeout=900)
    assert dask.returncode == 0, dask.stderr[-2000:]
    a = pd.read_csv(tmp_path / "local" / "region_halls.csv")
    b = pd.read_csv(tmp_path / "dask" / "region_halls.csv")
    assert len(a) == 10 and (a["status"] == "ok").all()
    pd.testing.assert_frame_equal(a.drop(columns=["run_time_s"]), b.drop(columns=["run_time_s"]))
    meta = json.loads((tmp_path / "dask" / "region.json").read_text())
    assert meta["executor"] == "dask distributed" and meta["n_workers"] == 2
    # the allocation spends at most the budget and is the same on both executors
    alloc_a = pd.read_csv(tmp_path / "local" / "allocation.csv")
    assert alloc_a["headcount"].sum() <= 104
    pd.testing.assert_frame_equal(alloc_a, pd.read_csv(tmp_path / "dask" / "allocation.csv"))


def test_the_committed_region_schema_is_current():
    from hallplan.region.file import region_schema

    committed = json.loads((SCEN / "regions" / "region.schema.json").read_text())
    assert committed == region_schema(), "regenerate: hallplan region schema --out " \
        "scenarios/regions/region.schema.json"
