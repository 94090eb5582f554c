"""Calibrate the hall model from its own ticket log and check it on held-out days.

``calibrate(log, scenario)`` fits, on the fit days,

* service times per (service type, channel): lognormal / gamma / exponential, chosen by AIC,
  with the KS distance (:mod:`.service_fit`);
* patience per customer class from abandoned waits with served waits right-censored,
  Kaplan–Meier and a parametric mixture with a share leaving almost at once (:mod:`.patience_fit`);
* the staff on duty per interval from who served (:mod:`.staff`) and the availability factor —
  the share of on-duty staff serving at a time — at which simulated waits match observed ones;

then simulates every held-out day with its own observed arrivals and staffing and compares
abandonment, mean wait and share within target with the log (:mod:`.validation`).
:func:`overlay_toml` writes the fitted values as a scenario overlay that ``extends`` the hall.
Everything is a pure function of (log, scenario, days, reps, seed).
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hallplan.forecast.calibrate.patience_fit import PatienceFit, fit_patience
from hallplan.forecast.calibrate.service_fit import ServiceFit, fit_service_times
from hallplan.forecast.calibrate.staff import on_duty_per_interval
from hallplan.forecast.calibrate.validation import (
    KPIS,
    agreement,
    counter_tickets,
    fit_availability,
    observed_day_kpis,
    simulate_days,
    summarise_days,
)
from hallplan.sim.loader import deep_merge, scenario_from_dict
from hallplan.sim.notes import Note
from hallplan.sim.scenario import Scenario

#: the calibration's notes (English; ``hallplan.i18n`` has each as ``note_<key>``)
NOTES = {
    "no_leave_time": "no leave_time column: patience not fitted (the scenario's is kept)",
    "few_abandoned": "class {cls}: {n} abandoned tickets with a leave time (< 10): the "
                     "scenario's patience is kept",
    "balking": "balking: customers who leave without a ticket are not in a ticket log, so "
               "balking is not fitted (the scenario's rule is kept)",
    "availability_bound": "availability: no value in the search range matches the observed "
                          "waits; the bound {a} is used",
    "availability_above_1": "availability {a} > 1: more capacity serves than the log shows on "
                            "duty (staff who served nobody in a half hour are not seen); the "
                            "overlay plans with 1",
}


def _note(key: str, **fields: object) -> Note:
    return Note(NOTES, key, **fields)

MIN_FIT_N = 30  # fewer served visits of a (service type, channel): pooled over the channel


class CalibrationError(ValueError):
    """The log cannot be calibrated (no fit days, nothing served…); the message says why."""


@dataclass
class Calibration:
    scenario: Scenario = field(repr=False)  # the hall with the fitted values
    fit_days: list[dt.date]
    test_days: list[dt.date]
    service: dict[tuple[str, str], ServiceFit]
    pooled: dict[tuple[str, str], str]  # (type, channel) -> why it uses a pooled fit
    patience: dict[str, PatienceFit]
    availability: float
    availability_ci: tuple[float, float] | None
    availability_at_bound: bool
    availability_trials: pd.DataFrame = field(repr=False)
    on_duty: pd.DataFrame = field(repr=False)
    fit_table: pd.DataFrame = field(repr=False)
    test_table: pd.DataFrame = field(repr=False)
    test_sims: pd.DataFrame = field(repr=False)
    agreement: dict
    reps: int
    seed: int
    notes: list[str] = field(default_factory=list)
    source: str = ""  # file name of the ticket log

    @property
    def planned_availability(self) -> float:
        """What the overlay's ``staff.availability`` is: the fitted factor, at most 1."""
        return min(self.availability, 1.0)

    @property
    def availability_sentence(self) -> str:
        ci = (
            f" (95% CI {self.availability_ci[0]:.0%}–{self.availability_ci[1]:.0%})"
            if self.availability_ci
            else ""
        )
        return (
            f"of the staff on the roster, {self.availability:.0%}{ci} are serving at a time "
            "(on the roster = served someone in the half hour, as the log shows it)"
        )

    def provenance(self) -> dict:
        """The overlay's ``[calibration]`` section (:class:`~hallplan.sim.scenario.
        CalibrationProvenance`): where the fitted values come from and how well they held."""
        a = self.agreement.get("abandon_share", {})
        w = self.agreement.get("mean_wait_min", {})

        def num(x):
            return None if x is None or not math.isfinite(x) else round(float(x), 4)

        out = {
            "ticket_log": self.source or "<ticket log>",
            "fit_days": [d.isoformat() for d in self.fit_days],
            "held_out_days": [d.isoformat() for d in self.test_days],
            "abandon_mae_points": num(a["mae"] * 100) if a else None,
            "abandon_correlation": num(a.get("correlation")) if a else None,
            "wait_bias": num(w.get("relative_error")) if w else None,
            "verdict": self.verdict if self.agreement else "no held-out days",
            "availability": round(self.availability, 4),
            "availability_ci": (
                [round(x, 4) for x in self.availability_ci] if self.availability_ci else None
            ),
        }
        return {k: v for k, v in out.items() if v is not None}

    @property
    def verdict(self) -> str:
        a = self.agreement["abandon_share"]
        w = self.agreement["mean_wait_min"]
        n = a["days"]
        ok = a["mae"] <= 0.03 and a["correlation"] >= 0.7 and abs(w["relative_error"]) <= 0.25
        head = (
            "The model reproduces your hall" if ok else "The model does not yet reproduce your hall"
        )
        return (
            f"{head}: within {a['mae'] * 100:.1f} points of daily abandonment on average on "
            f"{n} held-out days (correlation {a['correlation']:.2f}), mean wait of served "
            f"customers {w['relative_error']:+.0%} off."
        )

    def summary_json(self) -> dict:
        def fnum(x):
            return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x

        return {
            "fit_days": [str(d) for d in self.fit_days],
            "test_days": [str(d) for d in self.test_days],
            "reps": self.reps,
            "seed": self.seed,
            "availability": self.availability,
            "availability_ci": list(self.availability_ci) if self.availability_ci else None,
            "availability_at_bound": self.availability_at_bound,
            "planned_availability": self.planned_availability,
            "availability_sentence": self.availability_sentence,
            "provenance": self.provenance(),
            "service_times": [
                {
                    "service_type": st,
                    "channel": ch,
                    "n": f.n,
                    "family": f.chosen.family,
                    **{k: fnum(v) for k, v in f.chosen.params.items()},
                    "observed_mean_min": f.mean_min,
                    "observed_mean_ci": list(f.mean_ci),
                    "ks": f.chosen.ks,
                    "candidates": {
                        c.family: {"aic": c.aic, "ks": c.ks, **c.params} for c in f.candidates
                    },
                    "pooled": self.pooled.get((st, ch)),
                }
                for (st, ch), f in self.service.items()
            ],
            "patience": [
                {
                    "customer_class": c,
                    "family": p.family,
                    "mean_min": p.mean_min,
                    "mean_ci": list(p.mean_ci),
                    "cv": p.cv,
                    "immediate_share": p.immediate_share,
                    "immediate_within_min": p.immediate_within_min,
                    "n_abandoned": p.n_abandoned,
                    "n_censored": p.n_censored,
                    "km_median_min": fnum(p.km_median_min),
                    "aic": p.aic,
                }
                for c, p in self.patience.items()
            ],
            "agreement": self.agreement,
            "verdict": self.verdict,
            "held_out": _records(self.test_table),
            "fit": _records(self.fit_table),
            "notes": self.notes,
        }


def _records(t: pd.DataFrame) -> list[dict]:
    out = []
    for r in t.to_dict(orient="records"):
        out.append(
            {
                k: (str(v) if isinstance(v, dt.date) else (None if v != v else v))
                for k, v in r.items()
            }
        )
    return out


def parse_days(spec: str | None, available: list[dt.date]) -> list[dt.date] | None:
    """``"1999-02-01..1999-02-14"`` (inclusive), a comma list of dates or ranges, or None.
    Only days present in the log are kept."""
    if spec is None:
        return None
    days: set[dt.date] = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if ".." in part:
                a, b = (dt.date.fromisoformat(x.strip()) for x in part.split(".."))
                days.update(a + dt.timedelta(i) for i in range((b - a).days + 1))
            else:
                days.add(dt.date.fromisoformat(part))
        except ValueError:
            raise CalibrationError(
                f"days: expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD; found {part!r}"
            ) from None
    return sorted(days & set(available))


def _overlay_dict(
    service: dict[tuple[str, str], ServiceFit],
    pooled: dict,
    patience: dict[str, PatienceFit],
    scenario: Scenario,
) -> dict:
    o: dict = {"service_types": {}, "customer_classes": {}}
    for (st, ch), f in service.items():
        key = "counter_time" if ch == "counter" else "kiosk_time"
        d = f.distribution().model_dump()
        o["service_types"].setdefault(st, {})[key] = d
    for c, p in patience.items():
        o["customer_classes"][c] = {
            "patience": p.distribution().model_dump(),
            "immediate_abandon_share": round(p.immediate_share, 4),
            "immediate_abandon_within_min": p.immediate_within_min,
        }
    return o


def calibrate(
    log: pd.DataFrame,
    scenario: Scenario,
    fit_days: list[dt.date] | None = None,
    test_days: list[dt.date] | None = None,
    *,
    reps: int = 20,
    fit_reps: int = 2,
    seed: int = 0,
    source: str = "",
) -> Calibration:
    """Fit on ``fit_days`` (default: the first half of the log's days) and validate on
    ``test_days`` (default: the rest). ``log`` is a validated ticket log
    (``validate_ticket_log(...).good``, with ``leave_time`` for abandoned tickets);
    ``source`` names it in the overlay's provenance (the file name)."""
    days = sorted(set(log["ticket_date"]))
    if not days:
        raise CalibrationError("ticket log: expected some rows; found none")
    if fit_days is None:
        fit_days = days[: max(1, len(days) // 2)]
    if test_days is None:
        test_days = [d for d in days if d not in set(fit_days)]
    if not fit_days:
        raise CalibrationError("--fit-days: expected days present in the log; found none")
    notes: list[Note] = []
    fit = log[log["ticket_date"].isin(fit_days)]

    # service times per (service type, channel)
    served = fit[fit["outcome"] == "served"]
    dur = (served["service_end"] - served["service_start"]).dt.total_seconds() / 60.0
    service: dict[tuple[str, str], ServiceFit] = {}
    pooled: dict[tuple[str, str], str] = {}
    for ch in sorted(set(served["channel"])):
        on_ch = served["channel"] == ch
        types = [
            t for t, st in scenario.service_types.items() if ch in st.channels or ch == "counter"
        ]
        pool_fit = None
        for t in types:
            m = on_ch & (served["service_type"] == t)
            if int(m.sum()) >= MIN_FIT_N:
                service[(t, ch)] = fit_service_times(dur[m].to_numpy(), t, ch)
            elif ch in scenario.service_types[t].channels:
                if pool_fit is None:
                    pool_fit = fit_service_times(dur[on_ch].to_numpy(), "all", ch)
                service[(t, ch)] = pool_fit
                pooled[(t, ch)] = (
                    f"{int(m.sum())} served {ch} visits (< {MIN_FIT_N}): pooled over all "
                    f"{ch} visits"
                )
    # patience per class
    tickets = counter_tickets(fit)
    patience: dict[str, PatienceFit] = {}
    if "leave_time" not in log.columns:
        notes.append(_note("no_leave_time"))
    else:
        for c in scenario.customer_classes:
            tc = tickets[tickets["customer_class"] == c]
            ab = tc.loc[tc["outcome"] == "abandoned", "wait_min"].to_numpy()
            sv = tc.loc[tc["outcome"] == "served", "wait_min"].to_numpy()
            if np.isfinite(ab).sum() >= 10:
                patience[c] = fit_patience(ab, sv, c)
            else:
                notes.append(_note("few_abandoned", cls=c, n=int(np.isfinite(ab).sum())))
    notes.append(_note("balking"))
    overlay = _overlay_dict(service, pooled, patience, scenario)
    fitted = scenario_from_dict(deep_merge(scenario.model_dump(mode="json"), overlay))

    on_duty = on_duty_per_interval(log, fitted)
    afit = fit_availability(fitted, log, on_duty, fit_days, reps=fit_reps, seed=seed)
    a = afit.value
    if afit.at_bound:
        notes.append(_note("availability_bound", a=f"{a:.2f}"))
    if a > 1.0:
        notes.append(_note("availability_above_1", a=f"{a:.3f}"))
    observed = observed_day_kpis(log, fitted)

    def table(dates, n_reps, s):
        if not dates:
            return pd.DataFrame(), pd.DataFrame()
        sims = simulate_days(fitted, log, on_duty, dates, a, n_reps, s)
        summ = summarise_days(sims)
        obs = observed[observed["date"].isin(dates)].rename(columns={k: f"obs_{k}" for k in KPIS})
        return obs.merge(summ, on="date"), sims

    fit_table, _ = table(fit_days, max(fit_reps, 5), seed)
    test_table, test_sims = table(test_days, reps, seed + 1)
    agree = agreement(test_table) if len(test_table) else {}
    return Calibration(
        scenario=fitted,
        fit_days=list(fit_days),
        test_days=list(test_days),
        service=service,
        pooled=pooled,
        patience=patience,
        availability=a,
        availability_ci=afit.ci,
        availability_at_bound=afit.at_bound,
        availability_trials=afit.trials,
        on_duty=on_duty,
        fit_table=fit_table,
        test_table=test_table,
        test_sims=test_sims,
        agreement=agree,
        reps=reps,
        seed=seed,
        notes=notes,
        source=source,
    )


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return f"{v:.6g}" if isinstance(v, float) else str(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def overlay_toml(cal: Calibration, scenario_path: str | Path, out_path: str | Path) -> str:
    """The scenario overlay: ``extends`` the hall file (relative to where the overlay is
    written) and sets each fitted value, with a comment saying how it was fitted."""
    rel = os.path.relpath(Path(scenario_path).resolve(), Path(out_path).resolve().parent)
    lines = [
        f"# Calibrated by `hallplan calibrate` from the ticket log, fit days {cal.fit_days[0]} … "
        f"{cal.fit_days[-1]} ({len(cal.fit_days)} days), seed {cal.seed}.",
        f"# Held-out check: {cal.verdict}" if cal.agreement else "# no held-out days",
        f'extends = "{rel}"',
        "",
        "[staff]",
        f"# fitted: {cal.availability_sentence}; availability factor {cal.availability:.3f}, "
        "fitted so that the simulated mean wait of served tickets (each fit day replayed with "
        "its own arrivals and on-duty staff) matches the observed one"
        + (" — above 1, so the plan uses 1" if cal.availability > 1 else "")
        + ". The simulator serves with availability × rostered staff; the roster puts "
        "requirement ÷ availability on the floor.",
        f"availability = {_toml_value(round(cal.planned_availability, 4))}",
        "",
        "[calibration]",
        "# provenance of this overlay and how the model held on the held-out days "
        "(shown at the top of the plan's report and in plan.json)",
    ]
    for k, v in cal.provenance().items():
        if isinstance(v, list):
            lines.append(f"{k} = [{', '.join(_toml_value(x) for x in v)}]")
        else:
            lines.append(f"{k} = {_toml_value(v)}")
    lines.append("")
    for (st, ch), f in cal.service.items():
        key = "counter_time" if ch == "counter" else "kiosk_time"
        lines.append(f"[service_types.{st}.{key}]")
        why = cal.pooled.get((st, ch))
        lines.append("# " + (f"{why}; " if why else "") + f.comment())
        for k, v in f.distribution().model_dump().items():
            lines.append(f"{k} = {_toml_value(round(v, 4) if isinstance(v, float) else v)}")
        lines.append("")
    for c, p in cal.patience.items():
        lines.append(f"[customer_classes.{c}]")
        lines.append("# " + p.comment())
        lines.append(f"immediate_abandon_share = {p.immediate_share:.4f}")
        lines.append(f"immediate_abandon_within_min = {p.immediate_within_min}")
        lines.append(f"[customer_classes.{c}.patience]")
        for k, v in p.distribution().model_dump().items():
            lines.append(f"{k} = {_toml_value(round(v, 4) if isinstance(v, float) else v)}")
        lines.append("")
    return "\n".join(lines)


__all__ = [
    "Calibration",
    "CalibrationError",
    "calibrate",
    "overlay_toml",
    "parse_days",
]
