"""Stage 2 of the pooled formulation: put names on a skill group's planned shifts.

Inside a skill group everyone can take anyone's shift, so naming is a packing problem: each
planned shift (date, template, post) goes to a member who is available that day and for
whom it breaks no labour rule. As a 0/1 programme (HiGHS), per group::

    y[e, s] ∈ {0, 1}         member e works planned shift type s (date, template, post)

    max  Σ covered_intervals(s) · y[e, s]            (ties: the longer shift)
    s.t. Σ_e y[e, s] ≤ planned[s]                                     the plan
         Σ_{s on d} y[e, s] ≤ 1 if e is available on d, else 0         one shift a day, leave
         Σ_{s in week w} paid(s) · y[e, s] ≤ weekly cap                ≤ 44 h any week
         Σ_{s in full week w} y[e, s] ≤ 7 − days off                   days off
         Σ_{s in any max_consecutive+1 days} y[e, s] ≤ max_consecutive  consecutive days
         Σ_s paid(s) · y[e, s] ≤ the member's 40-hour-average cap       40-hour average
         y[e, s] + y[e, s'] ≤ 1   s late on d, s' early on d+1, rest too short   minimum rest

Every labour rule of a named roster that concerns one person is a row, so a full solution
is a valid roster for the group (the checker confirms it). Measured on the flagship's
December plan: the VIP, complaint, greeter and duty-manager groups are named completely and
to optimality in 0.1–15 s; the 22-strong general group is a tight packing (planned within
0.2% of its 40-hour-average cap), named by the same programme one week at a time
(:func:`name_week_by_week`) or by the greedy (:func:`name_greedily`, weekly room first),
whichever names more (:func:`better_naming`).

Deterministic: HiGHS branch and bound with a node limit, one thread, a fixed seed; the
clock is only a safety cap, which raises :class:`NamingTimeout` (never a machine-dependent
roster).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
from scipy.sparse import csr_array

from hallplan.optimize.roster.problem import RosterProblem
from hallplan.optimize.roster.solution import RosterRow
from hallplan.optimize.roster.templates import ShiftTemplate

Planned = dict[tuple[dt.date, int, str], int]  # (date, template index, post) → shifts


class NamingTimeout(RuntimeError):
    """The naming programme hit its wall-clock safety cap (a pathological instance)."""


@dataclass(frozen=True)
class NamingSettings:
    #: groups up to this size are named by the exact programme; larger ones greedily (the
    #: 22-strong general group took 194 s for 30 nodes and gained 13 h over the greedy)
    exact_max_members: int = 12
    node_limit: int = 1000
    mip_rel_gap: float = 1e-4
    #: the week-by-week naming of the large groups (:func:`name_week_by_week`): nodes of each
    #: week's programme, and the paid minutes a member may use in a week beyond their share
    #: of the month's room left. Measured on the flagship's general group (slack 0 / 60 /
    #: 180 / 300 / 600 min): 19 / 17 / 11.5 / 11.5 / 22.5 staff-h of planned shifts left
    #: unnamed, in 29 / 23 / 15 / 11 / 7 s (the week-first greedy: 31 staff-h)
    week_node_limit: int = 50
    week_share_slack_min: int = 300
    time_limit_s: float = 600.0  # safety cap only (raises NamingTimeout)
    #: after naming and repair, each day's shifts re-timed so the staff's last minutes under
    #: the 40-hour average cover (:mod:`optimize.roster.retime`; measured on the flagship
    #: 84.5 -> 80.0 missing staff-h for ~6 s more). Opt-in: on by default, the demo's
    #: re-roster lost 60 cells the re-timed first roster covered (its names go back to the
    #: planned shifts, not the re-timed ones) and the loop stopped with targets missed
    retime_days: bool = False


def _row(t, h: int, e: str, d: dt.date, post: str) -> RosterRow:
    return RosterRow(e, d, t.arrival_min, t.end_min, post, t.break_start_min, t.break_end_min, h)


def _valid_part(P: RosterProblem, rows: Iterable[RosterRow],
                cap_min: dict[str, int] | None = None,
                before: Iterable[RosterRow] = ()) -> list[RosterRow]:
    """The rows of ``rows`` (in order) that every labour rule lets stand next to the ones
    already kept and to ``before`` (the shifts on the days around ``P.dates``: minimum rest
    and runs of consecutive days across the boundary), each member within ``cap_min`` paid
    minutes when given: a roster handed over from elsewhere (a previous round's) is checked,
    never trusted as it is."""
    from hallplan.optimize.roster.repair import _State

    S = _State(P)
    around = {(r.employee, r.date): r for r in before}
    emps = {e.id: e for e in P.employees}
    dates = set(P.dates)
    used = {e.id: 0 for e in P.employees}
    one = dt.timedelta(days=1)
    out = []

    def worked(eid: str, d: dt.date) -> bool:
        return (eid, d) in around or (eid, d) in S.rows

    for r in rows:
        e = emps.get(r.employee)
        if (e is None or r.date not in dates or not P.eligible(e, r.post)
                or (cap_min is not None and used[e.id] + r.paid_min > cap_min[e.id])
                or not S.room_for(e, r.date, r.template)):
            continue
        prev, nxt = around.get((e.id, r.date - one)), around.get((e.id, r.date + one))
        if ((prev is not None and 1440 - prev.end_min + r.start_min < P.rest_min)
                or (nxt is not None and 1440 - r.end_min + nxt.start_min < P.rest_min)):
            continue
        run, d = 1, r.date - one
        while worked(e.id, d):
            run, d = run + 1, d - one
        d = r.date + one
        while worked(e.id, d):
            run, d = run + 1, d + one
        if run > P.labour.max_consecutive_days:
            continue
        S.add(r)
        used[e.id] += r.paid_min
        out.append(r)
    return out


def _worked_again(P: RosterProblem, planned: Planned, previous: Iterable[RosterRow]
                  ) -> list[RosterRow]:
    """The rows of ``previous`` (in order) in which a member of ``P.employees`` worked a
    planned shift, up to the plan's count of each: what a re-roster may give back to whoever
    worked it (not the repair's rows, nor other groups')."""
    index = {t: ti for ti, t in enumerate(P.templates)}
    members = {e.id for e in P.employees}
    wanted = Counter({k: c for k, c in planned.items() if c > 0})
    out = []
    for r in sorted(previous):
        if r.employee not in members:
            continue
        key = (r.date, index.get(r.template, -1), r.post)
        if wanted[key] > 0:
            wanted[key] -= 1
            out.append(r)
    return out


def _previous_pairs(previous: Iterable[RosterRow] | None) -> set[tuple]:
    return {(r.employee, r.date, r.template, r.post) for r in previous or ()}


def name_greedily(P: RosterProblem, planned: Planned,
                  previous: Iterable[RosterRow] | None = None) -> list[RosterRow]:
    """Date by date, longest shifts first, each to the member with the most room left in
    that week (then over the horizon) who may take it. Weekly room first: taking the member
    with the most hours left over the month packs weeks badly (measured on the flagship's
    general group: 78 h of planned shifts left unnamed, against 41.5 h week-first).

    ``previous`` (the loop's last roster): first, every planned shift that a member worked
    in it goes back to that member, over the whole horizon, before anything else is named
    (each checked against the rules). So a re-roster keeps the cover, and the names but for
    what an exchange moves, of every day the loop did not change, whatever the order the
    greedy would have named them in (measured on the flagship demo: a re-roster named shift
    by shift with the previous holder only preferred lost 16.5 staff-h of the first roster's
    cover), and only the changed days' new shifts are named greedily around them.

    A shift nobody can take at its turn gets one more try at the end, by an exchange of
    shifts between members (:func:`place_by_exchange`)."""
    from hallplan.optimize.roster.repair import _State

    S = _State(P)
    h = P.labour.handover_min
    T = P.templates
    left = dict(planned)
    if previous is not None:
        index = {t: ti for ti, t in enumerate(T)}
        for r in _valid_part(P, _worked_again(P, planned, previous)):
            S.add(r)
            left[(r.date, index[r.template], r.post)] -= 1
    by_date: dict[dt.date, list[tuple[int, str]]] = {}
    for (d, ti, p), c in sorted(left.items()):
        by_date.setdefault(d, []).extend([(ti, p)] * c)
    unnamed: list[tuple[dt.date, ShiftTemplate, str]] = []
    for d in P.dates:
        w = P.week_of(d)
        for ti, p in sorted(by_date.get(d, []), key=lambda x: (-T[x[0]].paid_min, x[1], x[0])):
            t = T[ti]
            best = None
            for e in P.employees:
                if P.eligible(e, p) and S.room_for(e, d, t):
                    key = (P.week_cap_min - S.week_min[(e.id, w)],
                           P.avg_cap_min(e) - S.total_min[e.id])
                    if best is None or key > best[0]:
                        best = (key, e)
            if best is not None:
                S.add(_row(t, h, best[1].id, d, p))
            else:
                unnamed.append((d, t, p))
    for d, t, p in unnamed:
        place_by_exchange(P, S, d, t, p)
    return sorted(S.rows.values())


def place_by_exchange(P: RosterProblem, S, d: dt.date, t, p: str) -> bool:
    """Name a planned shift (``d``, ``t``, ``p``) that nobody can take as things stand, by
    one exchange that frees a member for it, first found wins (members in id order, their
    other shifts nearest ``d`` first):

    * **hand over** — member ``a`` gives one of their shifts to a member who is off that day
      and may work it, which frees ``a``'s week (days off, weekly hours) or month (40-hour
      average) for this shift;
    * **swap** — ``a`` trades one of their shifts for a shorter one that another member works
      the same day, which frees the difference in ``a``'s weekly and monthly hours.

    Every labour rule is checked on every member touched (the state ``S`` of
    :mod:`optimize.roster.repair`); a failed try is undone. Measured on the flagship's
    December plan: the week-first greedy leaves 7 of the general group's 543 shifts
    unnamed, on the last day of a week and of the month, where each member's hours left are
    fragments (158, 98, 53 min …) shorter than the shift; exchanges name 3 of them in 0.2 s,
    and the roster misses 116.0 staff-h instead of 120.0."""
    h = P.labour.handover_min
    E = [e for e in P.employees if P.eligible(e, p) and P.available(e, d)]
    for e in E:
        if S.room_for(e, d, t):
            S.add(_row(t, h, e.id, d, p))
            return True
    by_id = {e.id: e for e in P.employees}
    for a in E:
        if (a.id, d) in S.rows:
            continue
        mine = sorted((r for (eid, _x), r in S.rows.items() if eid == a.id),
                      key=lambda r: (abs((r.date - d).days), r.date))
        for r in mine:  # hand one of a's shifts over to someone off that day
            S.remove(r)
            if S.room_for(a, d, t):
                for c in P.employees:
                    if (c.id != a.id and P.eligible(c, r.post)
                            and S.room_for(c, r.date, r.template)):
                        S.add(_row(r.template, h, c.id, r.date, r.post))
                        S.add(_row(t, h, a.id, d, p))
                        return True
            S.add(r)
        for r in mine:  # swap one of a's shifts for a shorter one worked that day
            for (bid, x), rb in list(S.rows.items()):
                if x != r.date or bid == a.id or rb.paid_min >= r.paid_min:
                    continue
                b = by_id[bid]
                if not (P.eligible(a, rb.post) and P.eligible(b, r.post)):
                    continue
                S.remove(r)
                S.remove(rb)
                if S.room_for(a, x, rb.template):
                    S.add(_row(rb.template, h, a.id, x, rb.post))
                    if S.room_for(b, x, r.template):
                        S.add(_row(r.template, h, b.id, x, r.post))
                        if S.room_for(a, d, t):
                            S.add(_row(t, h, a.id, d, p))
                            return True
                        S.remove(S.rows[(b.id, x)])
                    S.remove(S.rows[(a.id, x)])
                S.add(r)
                S.add(rb)
    return False


def name_exactly(P: RosterProblem, planned: Planned, settings: NamingSettings = NamingSettings(),
                 start: list[RosterRow] | None = None,
                 previous: Iterable[RosterRow] | None = None,
                 cap_min: dict[str, int] | None = None,
                 before: Iterable[RosterRow] = ()) -> list[RosterRow]:
    """The programme of the module docstring for ``P.employees`` (one skill group).
    ``start`` (a valid naming, e.g. :func:`name_greedily`) is handed to HiGHS as its first
    incumbent, so the result is never worse than it. ``previous`` (the loop's last roster):
    among namings that cover as much, the one keeping most of its assignments wins, and its
    assignments that still fit the plan are the first incumbent (unless ``start`` is given).

    ``cap_min``: paid minutes each member may still work in ``P.dates`` (instead of the
    40-hour average over them); ``before``: the members' shifts on the days around
    ``P.dates`` (before them, and after them when a re-roster keeps a later week), for the
    consecutive-days limit and minimum rest across those boundaries (the week-by-week
    naming, :func:`name_week_by_week`)."""
    import highspy

    from hallplan.optimize.roster.pooled import _new_highs, highs_lp
    from hallplan.sim.interrupt import run_highs

    T, iv, L = P.templates, P.interval_min, P.labour
    E = list(P.employees)
    kept_pairs = _previous_pairs(previous)
    prior = {(r.employee, r.date): r for r in before}
    keys = sorted(k for k, c in planned.items() if c > 0)
    ncov = {ti: sum(1 for t0 in P.grid if T[ti].covers(t0, iv)) for ti in {k[1] for k in keys}}
    col: dict[tuple[int, tuple], int] = {}
    cost: list[float] = []
    for ei, e in enumerate(E):
        for k in keys:
            if P.available(e, k[0]) and P.eligible(e, k[2]):
                col[(ei, k)] = len(cost)
                # maximise covered intervals; a minute of paid time breaks ties, then
                # keeping the previous roster's name on the shift
                kept = 0.5 if (e.id, k[0], T[k[1]], k[2]) in kept_pairs else 0.0
                cost.append(-(1000.0 * ncov[k[1]] + T[k[1]].paid_min / 1000.0 + kept))
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    hi: list[float] = []

    def row(terms: list[tuple[int, float]], upper: float) -> None:
        if not terms:
            return
        r = len(hi)
        for j, v in terms:
            rows.append(r)
            cols.append(j)
            vals.append(v)
        hi.append(upper)

    for k in keys:
        row([(col[(ei, k)], 1.0) for ei in range(len(E)) if (ei, k) in col], planned[k])
    by_date: dict[dt.date, list[tuple]] = {}
    for k in keys:
        by_date.setdefault(k[0], []).append(k)
    span = L.max_consecutive_days + 1
    for ei, e in enumerate(E):
        mine = {d: [(col[(ei, k)], k) for k in ks if (ei, k) in col] for d, ks in by_date.items()}
        for js in mine.values():
            row([(j, 1.0) for j, _ in js], 1)
        for wdays in P.weeks:
            js = [(j, k) for d in wdays for j, k in mine.get(d, [])]
            row([(j, float(T[k[1]].paid_min)) for j, k in js], P.week_cap_min)
            if len(wdays) == 7 and L.min_days_off_per_week:
                row([(j, 1.0) for j, _ in js], 7 - L.min_days_off_per_week)
        for i in range(len(P.dates) - span + 1):
            row([(j, 1.0) for d in P.dates[i:i + span] for j, _ in mine.get(d, [])],
                L.max_consecutive_days)
        first, end = P.dates[0], P.dates[-1]
        inside = set(P.dates)
        # windows that begin before the horizon or end after it: the days worked outside
        for s0 in range(-(span - 1), len(P.dates)):
            window = [first + dt.timedelta(days=s0 + k) for k in range(span)]
            if all(d in inside for d in window):
                continue  # a window of the horizon itself (above)
            worked = sum((e.id, d) in prior for d in window if d not in inside)
            if worked:
                row([(j, 1.0) for d in window if d in inside for j, _ in mine.get(d, [])],
                    L.max_consecutive_days - worked)
        last = prior.get((e.id, first - dt.timedelta(days=1)))
        if last is not None:  # minimum rest after the last shift before the horizon
            for j, k in mine.get(first, []):
                if 1440 - last.end_min + T[k[1]].arrival_min < P.rest_min:
                    row([(j, 1.0)], 0)
        after = prior.get((e.id, end + dt.timedelta(days=1)))
        if after is not None:  # minimum rest before the first shift after the horizon
            for j, k in mine.get(end, []):
                if 1440 - T[k[1]].end_min + after.start_min < P.rest_min:
                    row([(j, 1.0)], 0)
        row([(j, float(T[k[1]].paid_min)) for js in mine.values() for j, k in js],
            P.avg_cap_min(e) if cap_min is None else cap_min[e.id])
        for d, js in mine.items():
            nxt = mine.get(d + dt.timedelta(days=1), [])
            for j, k in js:
                for j2, k2 in nxt:
                    if 1440 - T[k[1]].end_min + T[k2[1]].arrival_min < P.rest_min:
                        row([(j, 1.0), (j2, 1.0)], 1)
    if not cost:
        return []
    A = csr_array((vals, (rows, cols)), shape=(len(hi), len(cost)))
    lp = highs_lp(A, cost, np.zeros(len(cost)), np.ones(len(cost)), np.full(len(hi), -np.inf),
                  hi, integer=[True] * len(cost))
    h = _new_highs()
    for name, value in (("output_flag", False), ("threads", 1), ("random_seed", 0),
                        ("mip_rel_gap", float(settings.mip_rel_gap)),
                        ("mip_max_nodes", int(settings.node_limit)),
                        ("time_limit", float(settings.time_limit_s))):
        h.setOptionValue(name, value)
    h.passModel(lp)
    index = {t: ti for ti, t in enumerate(T)}
    if not start and kept_pairs:  # the previous assignments that still fit the plan
        left = dict(planned)
        start = []
        for r in sorted(previous or ()):
            k = (r.date, index.get(r.template, -1), r.post)
            if left.get(k, 0) > 0 and r.employee in {e.id for e in E}:
                left[k] -= 1
                start.append(r)
    if start:
        ids = {e.id: ei for ei, e in enumerate(E)}
        x0 = np.zeros(len(cost))
        for r in start:
            j = col.get((ids[r.employee], (r.date, index[r.template], r.post)))
            if j is not None:
                x0[j] = 1.0
        h.setSolution(_solution(x0))
    run_highs(h)
    if h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
        raise NamingTimeout(f"naming {len(E)} staff hit its {settings.time_limit_s:.0f}-s "
                            "safety cap; the result would depend on the machine's speed")
    if h.getInfo().primal_solution_status != 2:
        return _valid_part(P, start or [], cap_min, before)
    x = np.asarray(h.getSolution().col_value)
    hand = L.handover_min
    out = [_row(T[k[1]], hand, E[ei].id, k[0], k[2])
           for (ei, k), j in col.items() if x[j] > 0.5]
    return sorted(out)


def name_week_by_week(P: RosterProblem, planned: Planned,
                      settings: NamingSettings = NamingSettings(),
                      previous: Iterable[RosterRow] | None = None,
                      keep_weeks: frozenset[int] = frozenset()) -> list[RosterRow]:
    """A large group named one week at a time by the exact programme (:func:`name_exactly`),
    each week after the last: the shifts already named carry the consecutive-days limit and
    minimum rest across the week boundary, and each member may use, of the 40-hour average's
    minutes left, all but their share of the later weeks' planned minutes (shared in
    proportion to the minutes left), so no week eats the month's room. Shifts a week's
    programme cannot name under that share are tried again with all the minutes left.

    Why: the month programme for the flagship's 22 general clerks (7,722 columns) spends
    ~50–250 s in its root node; one week of it takes 1–10 s. Measured on the flagship's
    December plan: the week-first greedy leaves 4 of the group's 543 shifts unnamed (3 on the
    last day of week 1, which the plan fills to 22 × 6 working days; 31 staff-h of cover),
    this naming 1 (6.5 staff-h) in ~12 s, and the roster misses 103.0 staff-h instead of
    116.0. Whatever is left is tried once more by exchange (:func:`place_by_exchange`).

    ``keep_weeks`` (a re-roster, with ``previous`` the loop's last roster): the weeks whose
    plan the loop did not change keep the rows the members worked in ``previous`` (checked
    against every rule, not trusted); only the changed weeks are named by the programme,
    around them. What is left unnamed is tried by exchange, which keeps the cover but may
    move a name. Measured on the flagship demo's round 2 (priority cells in two weeks): the
    greedy, keeping every name it could, left the general group 15 staff-h less covered than
    the first roster; this naming covers every planned shift, in 0.7 s."""
    if keep_weeks and previous is None:
        raise ValueError("keep_weeks names the weeks to keep from a previous roster: "
                         "previous is missing")
    T = P.templates
    week = replace(settings, node_limit=settings.week_node_limit)
    rows: list[RosterRow] = []
    used = {e.id: 0 for e in P.employees}
    week_min = [0] * len(P.weeks)  # planned paid minutes per week
    for (d, ti, _p), c in planned.items():
        week_min[P.week_of(d)] += T[ti].paid_min * c
    # the kept weeks first, the others are named around them; their rows are checked
    # against every rule and the 40-hour average, not trusted
    kept_days = {d for w in keep_weeks for d in P.weeks[w]}
    kept = _worked_again(P, {k: c for k, c in planned.items() if k[0] in kept_days},
                         previous or ())
    for r in _valid_part(P, kept):
        used[r.employee] += r.paid_min
        rows.append(r)
    for w, wdays in enumerate(P.weeks):
        keep = set(wdays)
        mine = {k: c for k, c in planned.items() if k[0] in keep}
        if not mine or w in keep_weeks:
            continue
        Pw = replace(P, dates=tuple(wdays),
                     required={k: v for k, v in P.required.items() if k[0] in keep},
                     priority=frozenset(c for c in P.priority if c[0] in keep))
        left = {e.id: max(P.avg_cap_min(e) - used[e.id], 0) for e in P.employees}
        later = sum(m for v, m in enumerate(week_min) if v > w and v not in keep_weeks)
        room = sum(left.values())
        slack = settings.week_share_slack_min
        share = {eid: min(max(m - int(np.ceil(later * m / room)) if room else 0, 0) + slack, m)
                 for eid, m in left.items()}
        got = name_exactly(Pw, mine, week, previous=previous, cap_min=share, before=rows)
        if len(got) < sum(mine.values()):
            got = name_exactly(Pw, mine, week, start=got, previous=previous,
                               cap_min=left, before=rows)
        for r in got:
            used[r.employee] += r.paid_min
        rows += got
    return _exchange_the_rest(P, planned, rows)


def better_naming(P: RosterProblem, *namings: list[RosterRow]) -> list[RosterRow]:
    """The naming whose shifts cover the most intervals (the programme's objective), the
    first of equals: choosing between two namings of one plan never names less than either."""
    iv = P.interval_min
    cover: dict = {}

    def covered(rows: list[RosterRow]) -> int:
        total = 0
        for r in rows:
            t = r.template
            if t not in cover:
                cover[t] = sum(1 for t0 in P.grid if t.covers(t0, iv))
            total += cover[t]
        return total

    return max(namings, key=covered)  # max keeps the first of equals


def _exchange_the_rest(P: RosterProblem, planned: Planned, rows: list[RosterRow]
                       ) -> list[RosterRow]:
    """``rows`` plus the planned shifts they leave unnamed that one exchange can name
    (:func:`place_by_exchange`), in date order."""
    from hallplan.optimize.roster.repair import _State

    S = _State(P)
    for r in rows:
        S.add(r)
    index = {t: ti for ti, t in enumerate(P.templates)}
    left = dict(planned)
    for r in rows:
        k = (r.date, index[r.template], r.post)
        left[k] = left.get(k, 0) - 1
    for (d, ti, p), c in sorted(left.items()):
        for _ in range(max(c, 0)):
            place_by_exchange(P, S, d, P.templates[ti], p)
    return sorted(S.rows.values())


def _solution(x0: np.ndarray):
    import highspy

    s = highspy.HighsSolution()
    s.col_value = list(x0)
    s.value_valid = True
    return s
