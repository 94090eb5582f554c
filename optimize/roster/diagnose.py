"""Infeasibility diagnosis in a planner's words.

Two sources, both turned into sentences such as
``"VIP lane, Sat 12 Dec 10:00–12:00: needs 3 VIP-qualified staff at once, 2 available"``:

* :func:`precheck`: counting arguments (no solver) — at some interval the posts of a set S
  need more people at once than there are available staff qualified for S; a day with no
  duty manager available.
* :func:`rule_problems`: the labour rules themselves leave no roster to search for (no
  shift length fits the opening hours, the shortest shift is longer than the weekly limit,
  requirement dates too far apart for one roster) — said before any solver runs, so the
  advice is never "raise --time-limit" for a rule no time can change;
* :func:`headcount_shortfall`: the staff cannot give the staff-hours the requirement asks
  for even if every one of them worked their full allowance (one clerk for a whole hall);
* :func:`explain_core`: the assumption literals returned by CP-SAT's
  ``SufficientAssumptionsForInfeasibility`` on the strict stage-1 model (every coverage and
  capacity constraint is guarded by one literal), grouped and phrased.

Every sentence is a :class:`RuleMessage`: a plain ``str`` for the error text and the CLI that
also carries the id of the roster rule it is about (from the registry).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

from hallplan.optimize.roster import registry as reg
from hallplan.optimize.roster.problem import RosterProblem, day_label, post_label
from hallplan.optimize.roster.templates import clock
from hallplan.sim.scenario import Employee


class RuleMessage(str):
    """A planner's sentence about one roster rule; ``rule`` is its registry id."""

    rule: str

    def __new__(cls, rule: str, text: str) -> RuleMessage:
        self = super().__new__(cls, text)
        self.rule = reg.rule(rule).id
        return self


#: The roster rule behind each kind of guarded constraint of the strict stage-1 model.
CORE_RULE = {
    "cover": reg.UNDER_COVERAGE.id,
    "day_headcount": reg.ONE_SHIFT_PER_DAY.id,
    "week_days": reg.MIN_DAYS_OFF.id,
    "week_hours": reg.WEEKLY_HOURS_LIMIT.id,
    "horizon_hours": reg.AVERAGE_HOURS_LIMIT.id,
    "duty_manager": reg.DUTY_MANAGER_ON_SITE.id,
    "duty_manager_week": reg.DUTY_MANAGER_ON_SITE.id,
    "duty_manager_horizon": reg.DUTY_MANAGER_ON_SITE.id,
}


class RosterInfeasibleError(ValueError):
    """The hard rules cannot all hold; ``messages`` says which, in the planner's words."""

    def __init__(self, messages: list[str], result: object | None = None):
        self.messages = list(messages)
        self.result = result  # the best (violating) RosterResult, if one was found
        super().__init__("roster infeasible:\n  " + "\n  ".join(self.messages))


def _posts_label(sub) -> str:
    return " + ".join(post_label(p) for p in sub)


def _qualified(sub) -> str:
    names = {"general": "general-counter", "vip": "VIP", "complaint": "complaint-desk",
             "greeter": "greeter"}
    return "/".join(names.get(p, p) for p in sub) + "-qualified"


def _absent(P: RosterProblem, sub, d: dt.date) -> str:
    away = [e.id for e in P.employees
            if any(P.eligible(e, p) for p in sub) and not P.available(e, d)]
    if not away:
        return ""
    more = f" and {len(away) - 5} more" if len(away) > 5 else ""
    return f" ({', '.join(away[:5])}{more} on leave or unavailable)"


def precheck(P: RosterProblem) -> list[RuleMessage]:
    """Necessary conditions checked by counting; each failure is one sentence."""
    out: list[RuleMessage] = []
    active = [p for p in P.posts if any(any(P.required[(d, p)]) for d in P.dates)]
    subsets = [s for r in range(1, len(active) + 1) for s in itertools.combinations(active, r)]
    for d in P.dates:
        reported: set[tuple] = set()
        for sub in subsets:
            avail = sum(1 for e in P.employees
                        if P.available(e, d) and any(P.eligible(e, p) for p in sub))
            runs: list[list] = []
            for k, t0 in enumerate(P.grid):
                need = sum(P.required[(d, p)][k] for p in sub)
                if need > avail:
                    if runs and runs[-1][1] == t0 and runs[-1][2] == need:
                        runs[-1][1] = t0 + P.interval_min
                    else:
                        runs.append([t0, t0 + P.interval_min, need])
            for a, b, need in runs:
                # report the smallest post set that fails (skip supersets of a reported one)
                if any(set(s) <= set(sub) and (a, b) == ab for s, ab in reported):
                    continue
                reported.add((sub, (a, b)))
                out.append(RuleMessage(
                    reg.UNDER_COVERAGE.id,
                    f"{_posts_label(sub)}, {day_label(d)} {clock(a)}–{clock(b)}: needs "
                    f"{need} {_qualified(sub)} staff at once, {avail} available"
                    f"{_absent(P, sub, d)}"))
    if P.duty_managers:
        for d in P.dates:
            if not any(P.available(e, d) for e in P.duty_managers):
                out.append(RuleMessage(
                    reg.DUTY_MANAGER_ON_SITE.id,
                    f"{day_label(d)}: no duty manager available while the hall is open "
                    f"{clock(P.open_min)}–{clock(P.close_min)}{_absent_dm(P, d)}"))
    return out


#: one roster covers at most this many consecutive days (a month, with room for a few
#: days either side); dates further apart are separate rosters
MAX_ROSTER_DAYS = 42


def rule_problems(P: RosterProblem) -> list[str]:
    """Labour rules or dates that leave no roster at all, each as one sentence naming the
    rule (checked by arithmetic, before any solver)."""
    out: list[str] = []
    lab = P.labour
    lengths = ", ".join(f"{h:g}" for h in sorted(lab.shift_lengths_hours))
    open_h = (P.close_min - P.open_min) / 60
    if P.n_days > MAX_ROSTER_DAYS:
        with_rows = {d for (d, _), v in P.required.items() if any(v)}
        empty = P.n_days - len(with_rows)
        out.append(f"requirement dates: one roster covers at most {MAX_ROSTER_DAYS} consecutive "
                   f"days, found {day_label(P.dates[0])} {P.dates[0].year} to "
                   f"{day_label(P.dates[-1])} {P.dates[-1].year} ({P.n_days} days, {empty} of "
                   f"them with no requirement); roster each month separately")
    if not P.templates:
        out.append(f"labour.shift_lengths_hours: no shift of [{lengths}] h fits the opening "
                   f"hours {clock(P.open_min)}–{clock(P.close_min)} ({open_h:g} h) on the "
                   f"{P.interval_min}-min grid with its meal break")
        return out
    shortest = min(P.templates, key=lambda t: t.paid_min)
    paid_h = shortest.paid_min / 60
    if shortest.paid_min > P.week_cap_min:
        brk = f" − {shortest.break_min} min meal break" if shortest.break_min else ""
        out.append(f"labour.max_weekly_hours: the shortest shift ({shortest.length_min / 60:g} h "
                   f"+ {lab.handover_min} min handover{brk} = {paid_h:g} h paid) is longer "
                   f"than the weekly limit of {lab.max_weekly_hours:g} h, so nobody can work any "
                   f"shift (shift lengths [{lengths}] h)")
    elif P.employees and all(shortest.paid_min > P.avg_cap_min(e) for e in P.employees):
        cap_h = max(P.avg_cap_min(e) for e in P.employees) / 60
        out.append(f"labour.max_avg_weekly_hours: the shortest shift ({paid_h:g} h paid) is "
                   f"longer than any employee's allowance over the {P.n_days} day(s) "
                   f"({cap_h:g} h at {lab.max_avg_weekly_hours:g} h/week or their contract)")
    return out


def scenario_rule_problems(scenario, dates) -> list[str]:
    """:func:`rule_problems` of a plan of ``dates`` before any requirement exists (the
    labour rules against the opening hours and the staff), for ``hallplan plan``."""
    import pandas as pd

    from hallplan.optimize.staffing_requirement import Requirement

    dates = list(dates)
    if not dates:
        return []
    post = scenario.posts[0]
    table = pd.DataFrame({"date": dates, "interval_start_min": float(scenario.hours.open),
                          "post": post, "staff": 0, "method": "rule check"})
    return rule_problems(RosterProblem.from_scenario(scenario, Requirement(
        scenario.interval_min, table, source=f"<{scenario.hall.id}>")))


def headcount_shortfall(P: RosterProblem) -> list[str]:
    """The staff-hours the requirement needs against what the staff can give at most (each
    employee's allowance under the hours rules, at the posts they are qualified for); one
    sentence per shortfall, empty when the headcount is enough on these counts."""
    if not P.templates:
        return []
    best = max(P.templates, key=lambda t: (sum(b - a for a, b in t.counter_spans()), -t.paid_min))
    post_share = sum(b - a for a, b in best.counter_spans()) / max(best.paid_min, 1)
    weeks = max(len(P.weeks), 1)

    def can_give_h(e) -> float:
        paid = min(P.avg_cap_min(e), P.week_cap_min * weeks,
                   sum(1 for d in P.dates if P.available(e, d)) * best.paid_min)
        return paid * post_share / 60

    # a new full-time hire: the average-hours allowance, no leave
    newcomer = Employee(id="new", contract_hours_per_week=P.labour.max_avg_weekly_hours)

    out: list[str] = []
    # what can be rostered at all: a post holds no more people than its physical counters
    need_by_post = {p: sum(min(n, P.capacity.get(p, n)) for d in P.dates
                           for n in P.required[(d, p)]) * P.interval_min / 60
                    for p in P.posts}
    need = sum(need_by_post.values())
    if need <= 0:
        return out
    give = sum(can_give_h(e) for e in P.employees)
    if need > give + 1e-6:
        per_person = can_give_h(newcomer)
        more = -(-(need - give) // max(per_person, 1e-9))
        out.append(f"headcount: the requirement needs {need:,.1f} staff-hours at the posts over "
                   f"{P.n_days} day(s); the {len(P.employees)} employee(s) can give at most "
                   f"{give:,.1f} (their hours allowances, time at the post only) — the headcount "
                   f"cannot cover the hall; about {int(more)} more "
                   f"{'person is' if more == 1 else 'people are'} needed")
        return out
    for p in P.posts:
        if need_by_post[p] <= 0:
            continue
        q = [e for e in P.employees if P.eligible(e, p)]
        give_p = sum(can_give_h(e) for e in q)
        if need_by_post[p] > give_p + 1e-6:
            out.append(f"headcount: {post_label(p)} needs {need_by_post[p]:,.1f} staff-hours; "
                       f"the {len(q)} {_qualified((p,))} employee(s) can give at most "
                       f"{give_p:,.1f} — not enough qualified staff for this post")
    return out


def _absent_dm(P: RosterProblem, d: dt.date) -> str:
    away = [e.id for e in P.duty_managers if not P.available(e, d)]
    return f" ({', '.join(away)} on leave or unavailable)" if away else ""


def explain_core(P: RosterProblem, core: list[tuple[str, tuple]]) -> list[RuleMessage]:
    """Phrase the constraints of an infeasible core (see ``stage1.build_shift_counts``)."""
    unknown = sorted({kind for kind, _ in core} - set(CORE_RULE))
    if unknown:
        raise ValueError(f"infeasible core: unknown constraint kind(s) {unknown}; "
                         f"expected one of {sorted(CORE_RULE)}")
    out: list[RuleMessage] = []
    cover: dict[tuple[dt.date, str], list[tuple[int, int]]] = defaultdict(list)
    for kind, info in core:
        if kind == "cover":
            d, p, t0, need = info
            cover[(d, p)].append((t0, need))
    cover_text = {}
    for (d, p), items in sorted(cover.items()):
        items.sort()
        a, b = items[0][0], items[-1][0] + P.interval_min
        cover_text[(d, p)] = (f"{post_label(p)}, {day_label(d)} {clock(a)}–{clock(b)} "
                              f"(up to {max(n for _, n in items)} at once)")
    for kind, info in core:
        if kind == "cover":  # phrased with the rows that bind it, or alone at the end
            continue
        if kind == "day_headcount":
            d, sub, k = info
            parts = [cover_text[(d, p)] for p in sub if (d, p) in cover_text]
            longest = max(P.labour.shift_lengths_hours)
            text = (f"{day_label(d)}: {'; '.join(parts) or _posts_label(sub)} needs more "
                    f"shifts than the {k} {_qualified(sub)} staff available that day can "
                    f"work (one shift each, at most {longest:g} h){_absent(P, sub, d)}")
        elif kind in ("week_days", "week_hours"):
            w, sub, cap = info
            days = P.weeks[w]
            span = f"week {w + 1} ({day_label(days[0])}–{day_label(days[-1])})"
            what = (f"{cap} shifts (after the weekly day off and leave)" if kind == "week_days"
                    else f"{cap / 60:,.0f} paid hours (at most "
                         f"{P.labour.max_weekly_hours:g} h each)")
            text = (f"{_posts_label(sub)}, {span}: the requirement needs more than the "
                    f"{_qualified(sub)} staff can give: {what}")
        elif kind == "horizon_hours":
            sub, cap = info
            text = (f"{_posts_label(sub)}: the requirement over the whole roster needs more "
                    f"than {cap / 60:,.0f} paid hours, the {_qualified(sub)} staff's "
                    f"allowance at an average of {P.labour.max_avg_weekly_hours:g} h/week")
        elif kind == "duty_manager":
            d, n_dm = info
            text = (f"{day_label(d)}: a duty manager must be on site "
                    f"{clock(P.open_min)}–{clock(P.close_min)}; {n_dm} duty manager(s) "
                    f"available{_absent_dm(P, d)}")
        elif kind == "duty_manager_week":
            w, cap_days, cap_min = info
            text = (f"week {w + 1}: duty-manager cover through opening hours needs more "
                    f"than the duty managers can work ({cap_days} shifts, "
                    f"{cap_min / 60:,.0f} h)")
        else:  # duty_manager_horizon
            (cap,) = info
            text = (f"duty-manager cover over the whole roster needs more than the duty "
                    f"managers' {cap / 60:,.0f} h allowance")
        out.append(RuleMessage(CORE_RULE[kind], text))
    if not out:
        out.extend(RuleMessage(reg.UNDER_COVERAGE.id,
                               f"{text}: cannot be covered under the labour rules")
                   for text in cover_text.values())
    return out
