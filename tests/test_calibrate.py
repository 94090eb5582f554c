"""Column-mapping import, calibration from a ticket log, held-out validation on the bank's
February 1999 (real data), and recovery of a simulated hall's own parameters."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from hallplan.forecast.calibrate import calibrate, overlay_toml
from hallplan.forecast.calibrate.patience_fit import fit_patience
from hallplan.forecast.calibrate.service_fit import fit_service_times
from hallplan.forecast.mapping import MappingError, load_mapping, read_with_mapping
from hallplan.forecast.ticket_log import validate_ticket_log
from hallplan.sim.loader import load_scenario
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "anonymous_bank_calls_1999-02.tsv.gz"
MAPPING = ROOT / "docs" / "mappings" / "anonymous_bank.toml"
BANK = ROOT / "scenarios" / "anonymous_bank.toml"
FEB = [dt.date(1999, 2, d) for d in range(1, 29)]


@pytest.fixture(scope="module")
def bank_log():
    frame, report = read_with_mapping(DATA, MAPPING)
    return frame, report, validate_ticket_log(frame, "anonymous-bank", load_scenario(BANK))


# --------------------------------------------------------------------------- mapping


def test_bank_mapping_drops_phantoms_and_voice_menu_hangs_and_counts_every_row(bank_log):
    _frame, report, v = bank_log
    assert report.rows_read == 33344
    assert report.dropped["PHANTOM: a virtual call, not a customer"] == 278
    assert sum(report.dropped.values()) + report.rows_mapped == report.rows_read
    # every mapped row is either used or rejected with a reason
    assert len(v.good) + v.bad["line"].nunique() == report.rows_mapped
    assert set(v.good["customer_class"]) == {"regular", "vip"}
    assert v.good["outcome"].isin(["served", "abandoned"]).all()
    # 12.6% of real calls abandoned after queueing (the figure)
    assert (v.good["outcome"] == "abandoned").mean() == pytest.approx(0.127, abs=0.005)


def test_bank_mapping_reads_missing_times_as_empty_and_crosses_midnight(bank_log):
    _frame, report, v = bank_log
    g = v.good
    answered_at_once = g[(g["outcome"] == "served")]
    assert answered_at_once["service_start"].notna().all()
    assert g.loc[g["outcome"] == "abandoned", "service_end"].isna().all()
    assert report.next_day_times > 0
    crossing = g[g["service_end"].dt.date > g["ticket_date"]]
    assert len(crossing) > 0
    assert (crossing["service_end"] >= crossing["ticket_time"]).all()


def test_mapping_errors_name_the_file_and_key(tmp_path):
    bad = tmp_path / "m.toml"
    bad.write_text('[format]\ndate_column = "d"\n[columns]\nticket_idd = "x"\n')
    with pytest.raises(MappingError, match=r"m\.toml: columns\.ticket_idd"):
        load_mapping(bad)
    bad.write_text('[format]\ndate_column = "d"\ntime_format = "HH"\n')
    with pytest.raises(MappingError, match=r"format\.time_format"):
        load_mapping(bad)
    export = tmp_path / "e.csv"
    export.write_text("a,b\n1,2\n")
    with pytest.raises(MappingError, match=r"not in the export"):
        read_with_mapping(export, MAPPING)


# --------------------------------------------------------------------------- fits


def test_service_fit_picks_the_generating_family_and_its_mean():
    rng = np.random.default_rng(np.random.SeedSequence(12))
    x = rng.lognormal(np.log(2.0), 0.8, size=4000)
    f = fit_service_times(x, "s", "counter")
    assert f.chosen.family == "lognormal"
    true_mean = 2.0 * np.exp(0.8**2 / 2)
    assert f.mean_ci[0] < true_mean < f.mean_ci[1]
    assert f.chosen.ks < 0.03
    y = rng.gamma(3.0, 1.0, size=4000)
    assert fit_service_times(y, "s", "counter").chosen.family == "gamma"


def test_patience_fit_recovers_mean_and_immediate_share_under_censoring():
    rng = np.random.default_rng(np.random.SeedSequence(7))
    n = 6000
    quick = rng.random(n) < 0.1
    patience = np.where(quick, rng.random(n) * 0.25, rng.exponential(4.0, n))
    wait_offered = rng.exponential(3.0, n)  # time until the customer would be served
    abandoned = patience < wait_offered
    fit = fit_patience(patience[abandoned], wait_offered[~abandoned], "regular")
    assert fit.mean_ci[0] < 4.0 < fit.mean_ci[1]
    assert fit.immediate_share == pytest.approx(0.1, abs=0.02)
    # Kaplan–Meier at 4 min equals the true survival within a few points
    s_true = 0.9 * np.exp(-1.0)
    km = np.interp(4.0, fit.km_times, fit.km_surv)
    assert km == pytest.approx(s_true, abs=0.03)


# --------------------------------------------------------------------------- the bank


@pytest.mark.slow
def test_bank_february_calibrates_on_first_half_and_reproduces_second_half(bank_log, tmp_path):
    _, _, v = bank_log
    scen = load_scenario(BANK)
    cal = calibrate(v.good, scen, FEB[:14], FEB[14:], reps=8, seed=1)
    a = cal.agreement["abandon_share"]
    w = cal.agreement["mean_wait_min"]
    # targets of issue 12 (measured with 20 replications in benchmarks/bench_calibrate.py)
    assert a["mae"] <= 0.03
    assert a["correlation"] >= 0.7
    assert abs(w["relative_error"]) <= 0.30
    assert 0.4 < cal.availability < 1.0
    assert len(cal.test_table) == 14
    # the overlay extends the hall and loads as a scenario with the fitted values
    out = tmp_path / "bank.calibrated.toml"
    out.write_text(overlay_toml(cal, BANK, out))
    fitted = load_scenario(out)
    assert fitted.staff.availability == pytest.approx(cal.availability, abs=1e-4)
    assert fitted.calibration.held_out_days == FEB[14:]
    assert fitted.calibration.abandon_mae_points == pytest.approx(a["mae"] * 100, abs=1e-3)
    assert fitted.calibration.verdict == cal.verdict
    ps = fitted.service_types["ps"].counter_time
    assert ps.mean == pytest.approx(cal.service[("ps", "counter")].chosen.params["mean_min"], 1e-3)
    assert fitted.customer_classes["regular"].patience.kind == cal.patience["regular"].family


@pytest.mark.slow
def test_cli_calibrate_writes_overlay_report_and_json(tmp_path):
    res = run_cli("calibrate", DATA, "--scenario", BANK, "--mapping", MAPPING,
                  "--fit-days", "1999-02-01..1999-02-07", "--test-days", "1999-02-21..1999-02-23",
                  "--reps", 3, "--out", tmp_path)
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "calibration.json").read_text())
    assert len(summary["held_out"]) == 3
    assert summary["verdict"].startswith("The model")
    for f in ("calibration.html", "held_out.png", "service_fits.png", "patience.png"):
        assert (tmp_path / f).stat().st_size > 0
    load_scenario(tmp_path / "anonymous_bank.calibrated.toml")


def test_cli_calibrate_bad_days_is_a_clear_error(tmp_path):
    res = run_cli("calibrate", DATA, "--scenario", BANK, "--mapping", MAPPING,
                  "--fit-days", "Feb 1", "--out", tmp_path)
    assert res.exit_code == 2
    assert "days: expected YYYY-MM-DD" in res.output


# --------------------------------------------------------------------------- recovery


def _generated_hall():
    """A one-lane hall (4 counters, lognormal service mean 5 min, lognormal patience mean
    8 min, busy enough that about one in ten gives up) written as a scenario."""
    from hallplan.sim.loader import deep_merge, scenario_from_dict
    from hallplan.sim.single_lane import single_lane_scenario

    base = single_lane_scenario(4, 5.0, 8.0, open_min=8 * 60, close_min=18 * 60)
    data = deep_merge(
        base.model_dump(mode="json"),
        {
            "hall": {"id": "recovery-hall"},
            "interval_min": 30,
            "service_types": {
                "service": {"counter_time": {"kind": "lognormal", "mean_min": 5.0, "cv": 0.8}}
            },
            "customer_classes": {
                "regular": {"patience": {"kind": "lognormal", "mean_min": 8.0, "cv": 0.7}}
            },
            "demand": {"daily_visits": {"weekday": 470.0}},
            "default_staffing": [{"start": "08:00", "end": "18:00", "posts": {"general": 4}}],
        },
    )
    return scenario_from_dict(data, "<recovery-hall>")


@pytest.mark.slow
def test_calibrating_on_simulated_history_recovers_the_scenario():
    from hallplan.forecast.generator import generate_history

    scen = _generated_hall()
    start, end = dt.date(2026, 3, 2), dt.date(2026, 3, 15)
    log = generate_history(scen, start, end, seed=5)
    good = validate_ticket_log(log, scen.hall.id, scen).good
    days = sorted(set(good["ticket_date"]))
    cal = calibrate(good, scen, days[:10], days[10:], reps=5, seed=3)
    svc = cal.service[("service", "counter")]
    assert svc.mean_ci[0] < 5.0 < svc.mean_ci[1]
    pat = cal.patience["regular"]
    assert pat.mean_ci[0] < 8.0 < pat.mean_ci[1]
    assert pat.immediate_share < 0.02
    busy = cal.on_duty[
        (cal.on_duty["interval_start_min"] >= 9 * 60)
        & (cal.on_duty["interval_start_min"] < 17 * 60)
    ]
    assert busy["on_duty"].mean() == pytest.approx(4.0, abs=0.1)
    print(
        f"\nrecovery: service mean {svc.mean_min:.3f} CI {svc.mean_ci}, family "
        f"{svc.chosen.family}; patience mean {pat.mean_min:.3f} CI {pat.mean_ci} "
        f"({pat.family}, immediate {pat.immediate_share:.4f}); "
        f"on duty {busy['on_duty'].mean():.3f}; availability {cal.availability:.3f}; "
        "held-out abandonment MAE "
        f"{cal.agreement['abandon_share']['mae']:.4f}"
    )


@pytest.mark.slow
def test_availability_of_the_simulators_own_staff_is_one(tmp_path):
    """Every rostered seat of the generated hall serves: replaying its own days (observed
    arrivals, observed staff on duty, service and patience drawn afresh) the fitted
    availability is 1 within its confidence interval — and the interval is narrow enough to
    tell 1 from the bank's two thirds."""
    from hallplan.forecast.generator import generate_history

    scen = _generated_hall()
    log = generate_history(scen, dt.date(2026, 3, 2), dt.date(2026, 3, 11), seed=5)
    good = validate_ticket_log(log, scen.hall.id, scen).good
    cal = calibrate(good, scen, sorted(set(good["ticket_date"])), [], reps=2, seed=3)
    lo, hi = cal.availability_ci
    print(f"\navailability {cal.availability:.3f} (95% CI {lo:.3f}–{hi:.3f})")
    assert not cal.availability_at_bound
    assert lo <= 1.0 <= hi
    assert hi - lo < 0.2
    assert cal.availability == pytest.approx(1.0, abs=0.05)
    # the overlay plans with the fitted value (at most 1) and records where it comes from
    hall = tmp_path / "recovery.toml"
    hall.write_text(_toml_of(scen))
    out = tmp_path / "recovery.calibrated.toml"
    out.write_text(overlay_toml(cal, hall, out))
    fitted = load_scenario(out)
    assert fitted.staff.availability == pytest.approx(min(cal.availability, 1.0), abs=1e-4)
    assert fitted.calibration.fit_days == cal.fit_days
    assert fitted.calibration.availability_ci == pytest.approx((lo, hi), abs=1e-4)
    assert fitted.calibration.verdict == "no held-out days"


def _toml_of(scenario) -> str:
    """The scenario as a TOML file (enough for the overlay's ``extends``)."""

    def value(v) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return repr(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + "}"
        return '"' + str(v) + '"'

    data = scenario.model_dump(mode="json", exclude_none=True)
    return "\n".join(f"{k} = {value(v)}" for k, v in data.items()) + "\n"
