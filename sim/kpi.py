"""KPIs as pure functions of the flat records (nothing here runs the simulation).

Definitions (domain.md A):
- *wait* = ticket time → call time (a misrouted customer's wait runs from the first ticket to
  the call at the right counter); an abandoning customer's wait is ticket → leaving.
- *share called within target* = customers called within their class's wait target ÷ tickets
  taken (balked customers excluded, abandoned customers counted as not called in time).
- *abandon share* = abandoned ÷ tickets taken. *balk share* = balked ÷ (tickets + balked).
- *queue length* is time-weighted over each interval from each customer's waiting spans.
- *utilisation* = busy minutes ÷ on-duty minutes of the post in that interval.
Customers are assigned to the interval of their ticket (counter KPIs) or arrival (hall KPIs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hallplan.sim.records import (
    CUSTOMER_COLUMNS,
    ESCALATION_COLUMNS,
    STAFF_COLUMNS,
    CustomerRecord,
    EscalationEvent,
    StaffSpan,
)
from hallplan.sim.scenario import Scenario

_DTYPES = {"float": float, "int": int, "bool": bool, "str": object}


def _empty_frame(record_type) -> pd.DataFrame:
    """An empty frame with the record's columns *and* dtypes (an untyped empty frame makes
    boolean masks behave as column selections)."""
    return pd.DataFrame(
        {
            name: pd.Series([], dtype=_DTYPES[getattr(kind, "__forward_arg__", kind)])
            for name, kind in record_type.__annotations__.items()
        }
    )


def customers_frame(records) -> pd.DataFrame:
    if not records:
        return _empty_frame(CustomerRecord)
    return pd.DataFrame.from_records(records, columns=list(CUSTOMER_COLUMNS))


def staff_frame(records) -> pd.DataFrame:
    if not records:
        return _empty_frame(StaffSpan)
    return pd.DataFrame.from_records(records, columns=list(STAFF_COLUMNS))


def escalations_frame(records) -> pd.DataFrame:
    if not records:
        return _empty_frame(EscalationEvent)
    return pd.DataFrame.from_records(records, columns=list(ESCALATION_COLUMNS))


def overlap_by_interval(
    starts: np.ndarray, ends: np.ndarray, grid: np.ndarray, interval_min: float
) -> np.ndarray:
    """Total minutes of the spans [starts, ends) falling in each interval of ``grid``."""
    if len(starts) == 0:
        return np.zeros(len(grid))
    g0 = grid[None, :]
    g1 = g0 + interval_min
    ov = np.minimum(ends[:, None], g1) - np.maximum(starts[:, None], g0)
    return np.clip(ov, 0.0, None).sum(axis=0)


def max_level_by_interval(
    starts: np.ndarray, ends: np.ndarray, grid: np.ndarray, interval_min: float
) -> np.ndarray:
    """Maximum number of overlapping spans [starts, ends) within each interval."""
    out = np.zeros(len(grid))
    if len(starts) == 0:
        return out
    s_sorted = np.sort(starts)
    e_sorted = np.sort(ends)
    # level at each interval start
    level_at = np.searchsorted(s_sorted, grid, side="right") - np.searchsorted(
        e_sorted, grid, side="right"
    )
    out[:] = level_at
    # level just after each span start (ends at the same instant count first)
    lvl = np.searchsorted(s_sorted, starts, side="right") - np.searchsorted(
        e_sorted, starts, side="right"
    )
    idx = np.searchsorted(grid, starts, side="right") - 1
    ok = (idx >= 0) & (starts < grid[-1] + interval_min) if len(grid) else idx >= 0
    np.maximum.at(out, idx[ok], lvl[ok])
    return out


def waiting_spans(cust: pd.DataFrame) -> pd.DataFrame:
    """One row per stretch of waiting in a counter queue: lane, start, end."""
    has_ticket = cust["ticket_min"].notna() & (cust["outcome"] != "balked")
    c = cust[has_ticket]
    end_final = c["ticket_min"] + c["wait_min"]
    redirected = c["misrouted"] & c["redirect_call_min"].notna()
    stuck_wrong = c["misrouted"] & c["redirect_call_min"].isna()
    first = pd.DataFrame(
        {
            "lane": np.where(c["misrouted"], c["wrong_lane"], c["lane"]),
            "start": c["ticket_min"],
            "end": np.where(redirected, c["redirect_call_min"], end_final),
        }
    )
    second = pd.DataFrame({"lane": c["lane"], "start": c["requeue_min"], "end": end_final})[
        redirected & ~stuck_wrong
    ]
    out = pd.concat([first, second], ignore_index=True)
    return out[out["end"] > out["start"]]


def busy_spans(cust: pd.DataFrame, server_post: dict[str, str]) -> pd.DataFrame:
    """Busy stretches per post (counter service, redirects, kiosk sessions, triage)."""
    parts = []
    srv = cust[cust["channel"] == "counter"]
    parts.append(
        pd.DataFrame(
            {"server": srv["counter"], "start": srv["call_min"], "end": srv["service_end_min"]}
        )
    )
    red = cust[cust["redirect_call_min"].notna()]
    parts.append(
        pd.DataFrame(
            {
                "server": red["redirect_counter"],
                "start": red["redirect_call_min"],
                "end": red["redirect_end_min"],
            }
        )
    )
    out = pd.concat(parts, ignore_index=True)
    out["post"] = out["server"].map(server_post)
    k = cust[cust["kiosk_start_min"].notna()]
    kiosk = pd.DataFrame(
        {"post": "kiosk", "start": k["kiosk_start_min"], "end": k["kiosk_end_min"]}
    )
    g = cust[cust["triaged"]]
    greet = pd.DataFrame({"post": "greeter", "start": g["arrival_min"], "end": g["triage_end_min"]})
    return pd.concat([out[["post", "start", "end"]], kiosk, greet], ignore_index=True)


def _targets(scenario: Scenario, classes: pd.Series) -> np.ndarray:
    lookup = {c: scenario.targets.for_class(c).wait_target_min for c in scenario.customer_classes}
    return classes.map(lookup).to_numpy(dtype=float)


WITHIN_TOLERANCE_MIN = 1e-9


def called_within(outcome, channel, wait_min, target_min) -> np.ndarray:
    """The one definition of "called within target": served at a counter after a wait of at
    most the target (+1e-9 for float noise). Abandoned and kiosk customers are not."""
    return (
        (np.asarray(outcome) == "served")
        & (np.asarray(channel) == "counter")
        & (np.asarray(wait_min, dtype=float) <= np.asarray(target_min, dtype=float)
           + WITHIN_TOLERANCE_MIN)
    )


def annotate(cust: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Add the interval columns and the within-target flag used by every KPI table."""
    iv = scenario.interval_min
    out = cust.copy()
    out["ticketed"] = out["ticket_min"].notna() & (out["outcome"] != "balked")
    out["wait_target_min"] = _targets(scenario, out["customer_class"])
    out["called_within_target"] = called_within(
        out["outcome"], out["channel"], out["wait_min"], out["wait_target_min"]
    )
    base = out["ticket_min"].where(out["ticket_min"].notna(), out["arrival_min"])
    out["interval_start_min"] = (np.floor(base / iv) * iv).astype(float)
    out["arrival_interval_min"] = (np.floor(out["arrival_min"] / iv) * iv).astype(float)
    return out


def wait_kpis(ann: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts and waiting statistics of counter customers grouped by ``by``."""
    c = ann[ann["ticket_min"].notna()]
    flags = pd.DataFrame(
        {
            "tickets": c["ticketed"],
            "served": c["outcome"] == "served",
            "abandoned": c["outcome"] == "abandoned",
            "balked": c["outcome"] == "balked",
            "called_within_target": c["called_within_target"],
            "cared": c["cared"].astype(bool),
        }
    ).astype(int)
    keys = [c[k] for k in by]
    out = flags.groupby(keys, sort=True, dropna=False).sum()
    waits = c[c["wait_min"].notna()].groupby(by, sort=True, dropna=False)["wait_min"]
    out["mean_wait_min"] = waits.mean()
    out["p50_wait_min"] = waits.quantile(0.5)
    out["p90_wait_min"] = waits.quantile(0.9)
    out["max_wait_min"] = waits.max()
    t = out["tickets"].where(out["tickets"] > 0)
    out["share_called_within_target"] = out["called_within_target"] / t
    out["abandon_share"] = out["abandoned"] / t
    out["balk_share"] = out["balked"] / (out["tickets"] + out["balked"]).where(
        (out["tickets"] + out["balked"]) > 0
    )
    return out.reset_index()


def interval_lane_kpis(
    cust: pd.DataFrame,
    staff: pd.DataFrame,
    escalations: pd.DataFrame,
    scenario: Scenario,
) -> pd.DataFrame:
    """One row per (interval, lane): counts, waits, target share, queue length,
    utilisation and staff on duty, care-threshold customers and escalations."""
    ann = annotate(cust, scenario)
    iv = scenario.interval_min
    grid = np.asarray(scenario.interval_starts(), dtype=float)
    last_end = float(
        np.nanmax(
            [
                scenario.hours.close,
                *staff["end_min"].tolist(),
                *cust["service_end_min"].dropna().tolist(),
            ]
        )
    )
    while grid[-1] + iv < last_end:  # overtime after closing gets its own intervals
        grid = np.append(grid, grid[-1] + iv)
    lanes = list(scenario.lanes)
    base = pd.MultiIndex.from_product([grid, lanes], names=["interval_start_min", "lane"])
    w = wait_kpis(ann, ["interval_start_min", "lane"]).set_index(["interval_start_min", "lane"])
    w = w.reindex(base)
    count_cols = ["tickets", "served", "abandoned", "balked", "called_within_target", "cared"]
    w[count_cols] = w[count_cols].fillna(0).astype(int)

    spans = waiting_spans(ann)
    server_post = dict(zip(staff["server"], staff["post"], strict=False))
    busy = busy_spans(ann, server_post)
    qlen_mean, qlen_max, util, on_duty = {}, {}, {}, {}
    for lane in lanes:
        s = spans[spans["lane"] == lane]
        a, b = s["start"].to_numpy(float), s["end"].to_numpy(float)
        qlen_mean[lane] = overlap_by_interval(a, b, grid, iv) / iv
        qlen_max[lane] = max_level_by_interval(a, b, grid, iv)
        st = staff[staff["post"] == lane]
        duty = overlap_by_interval(
            st["start_min"].to_numpy(float), st["end_min"].to_numpy(float), grid, iv
        )
        bs = busy[busy["post"] == lane]
        bmin = overlap_by_interval(bs["start"].to_numpy(float), bs["end"].to_numpy(float), grid, iv)
        on_duty[lane] = duty / iv
        with np.errstate(invalid="ignore", divide="ignore"):
            util[lane] = np.where(duty > 0, bmin / duty, np.nan)
    order = [(t, lane) for t in grid for lane in lanes]
    pos = {k: i for i, k in enumerate(order)}
    gi = {t: i for i, t in enumerate(grid)}

    def col(d):
        arr = np.empty(len(order))
        for (t, lane), i in pos.items():
            arr[i] = d[lane][gi[t]]
        return arr

    w = w.reindex(order)
    w["queue_len_mean"] = col(qlen_mean)
    w["queue_len_max"] = col(qlen_max)
    w["staff_on_duty_mean"] = col(on_duty)
    w["utilisation"] = col(util)
    # sign-ins that actually opened a counter (a step can find no free counter)
    esc = (
        escalations[(escalations["action"] == "sign_in") & (escalations["staff"] > 0)]
        if len(escalations)
        else escalations
    )
    if len(esc):
        e_iv = (np.floor(esc["time_min"] / iv) * iv).astype(float)
        counts = (
            pd.Series(1, index=pd.MultiIndex.from_arrays([e_iv, esc["lane"]]))
            .groupby(level=[0, 1])
            .sum()
        )
        w["escalations"] = counts.reindex(w.index).fillna(0).astype(int).to_numpy()
    else:
        w["escalations"] = 0
    return w.reset_index()


def post_utilisation(cust: pd.DataFrame, staff: pd.DataFrame) -> pd.DataFrame:
    """Per post (lanes, greeter, kiosk): on-duty minutes, busy minutes, utilisation (day)."""
    server_post = dict(zip(staff["server"], staff["post"], strict=False))
    busy = busy_spans(cust, server_post)
    busy_min = (busy["end"] - busy["start"]).groupby(busy["post"]).sum()
    duty_min = (staff["end_min"] - staff["start_min"]).groupby(staff["post"]).sum()
    out = pd.DataFrame({"on_duty_min": duty_min, "busy_min": busy_min}).fillna(0.0)
    out["utilisation"] = out["busy_min"] / out["on_duty_min"].where(out["on_duty_min"] > 0)
    out.index.name = "post"
    return out.reset_index()


def interval_group_kpis(cust: pd.DataFrame, scenario: Scenario, by: str) -> pd.DataFrame:
    """Waiting KPIs per (interval, ``by``) where ``by`` is ``customer_class`` or
    ``service_type`` (same definitions as the lane table)."""
    return wait_kpis(annotate(cust, scenario), ["interval_start_min", by])


def post_interval_utilisation(
    cust: pd.DataFrame, staff: pd.DataFrame, scenario: Scenario
) -> pd.DataFrame:
    """Per (interval, post) for every post incl. greeters and kiosks: mean number on duty,
    busy minutes and utilisation."""
    iv = scenario.interval_min
    grid = np.asarray(scenario.interval_starts(), dtype=float)
    server_post = dict(zip(staff["server"], staff["post"], strict=False))
    busy = busy_spans(cust, server_post)
    rows = []
    for post in [*scenario.lanes, "greeter", "kiosk"]:
        st = staff[staff["post"] == post]
        duty = overlap_by_interval(
            st["start_min"].to_numpy(float), st["end_min"].to_numpy(float), grid, iv
        )
        b = busy[busy["post"] == post]
        bmin = overlap_by_interval(b["start"].to_numpy(float), b["end"].to_numpy(float), grid, iv)
        with np.errstate(invalid="ignore", divide="ignore"):
            util = np.where(duty > 0, bmin / duty, np.nan)
        rows.append(
            pd.DataFrame(
                {
                    "interval_start_min": grid,
                    "post": post,
                    "on_duty_mean": duty / iv,
                    "busy_min": bmin,
                    "utilisation": util,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def day_kpis(cust: pd.DataFrame, staff: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Long table of day-level KPIs: one row per (group_kind, group, metric).

    group_kind is ``hall`` (everyone), ``lane``, ``customer_class`` or ``service_type``.
    """
    ann = annotate(cust, scenario)
    rows: list[tuple[str, str, str, float]] = []
    metrics = [
        "tickets",
        "served",
        "abandoned",
        "balked",
        "mean_wait_min",
        "p50_wait_min",
        "p90_wait_min",
        "max_wait_min",
        "share_called_within_target",
        "abandon_share",
        "balk_share",
        "cared",
    ]
    ann_all = ann.assign(_all="all")
    parts = []
    for kind, col in [
        ("hall", "_all"),
        ("lane", "lane"),
        ("customer_class", "customer_class"),
        ("service_type", "service_type"),
    ]:
        t = wait_kpis(ann_all, [col]).rename(columns={col: "group"})
        long = t.melt(id_vars=["group"], value_vars=metrics, var_name="metric")
        parts.append(long.assign(group_kind=kind, group=long["group"].astype(str)))
    n = len(cust)
    rows.append(("hall", "all", "arrivals", float(n)))
    rows.append(("hall", "all", "served_at_kiosk", float((cust["channel"] == "kiosk").sum())))
    rows.append(("hall", "all", "served_at_counter", float((cust["channel"] == "counter").sum())))
    rows.append(("hall", "all", "triaged_share", float(cust["triaged"].mean()) if n else np.nan))
    rows.append(("hall", "all", "misrouted", float(cust["misrouted"].sum())))
    rows.append(("hall", "all", "kiosk_failed", float(cust["kiosk_failed"].sum())))
    last = float(np.nanmax([scenario.hours.close, *cust["service_end_min"].dropna().tolist()]))
    rows.append(("hall", "all", "last_departure_min", last))
    util = post_utilisation(cust, staff)
    util["staff_hours"] = util["on_duty_min"] / 60.0
    long = util.rename(columns={"post": "group"}).melt(
        id_vars=["group"], value_vars=["utilisation", "staff_hours"], var_name="metric"
    )
    parts.append(long.assign(group_kind="post"))
    parts.append(pd.DataFrame(rows, columns=["group_kind", "group", "metric", "value"]))
    cols = ["group_kind", "group", "metric", "value"]
    out = pd.concat([p[cols] for p in parts], ignore_index=True)
    out["value"] = out["value"].astype(float)
    return out


def summarise(
    values: pd.DataFrame, keys: list[str], value_col: str = "value", confidence: float = 0.95
) -> pd.DataFrame:
    """Mean over replications with a confidence interval per key
    (:mod:`hallplan.sim.intervals`: Student-t; for share metrics the bounds are the
    replication-Wilson interval, inside [0, 1]).

    half-width = t_{1-α/2, n-1} · s / √n (n replications, s the sample std; NaN with one
    replication); NaNs (e.g. a wait mean in an interval with no customers) are left out of
    that key's n.
    """
    from hallplan.sim.intervals import mean_bounds, share_bounds, t_half_width  # scipy: lazily

    g = values.groupby(keys, sort=True, dropna=False)[value_col]
    out = g.agg(mean="mean", std="std", n="count").reset_index()
    out["ci_half_width"] = t_half_width(out["std"], out["n"], confidence)
    low, high = mean_bounds(out["mean"], out["std"], out["n"], confidence)
    if "metric" in out.columns:
        share = out["metric"].astype(str).str.contains("share").to_numpy()
        s_low, s_high = share_bounds(out["mean"], out["std"], out["n"], confidence)
        low, high = np.where(share, s_low, low), np.where(share, s_high, high)
    out["ci_low"] = low
    out["ci_high"] = high
    return out
