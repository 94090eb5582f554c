"""Roster outputs for planners: roster.csv, the employee × day grid hall managers post,
hours per employee and week, every roster rule with what the roster does against it,
coverage and Gantt charts (English or Chinese labels from :mod:`hallplan.i18n`). Every file
is written atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from hallplan.atomic import save_figure, write_csv
from hallplan.i18n import DEFAULT_LANG, labels, post_name
from hallplan.optimize.roster import registry
from hallplan.optimize.roster.check import CheckReport, check_roster
from hallplan.optimize.roster.problem import RosterProblem, day_label, post_label
from hallplan.optimize.roster.solution import Roster
from hallplan.optimize.roster.templates import clock
from hallplan.optimize.staffing_requirement import Requirement
from hallplan.reports.fonts import chart_fonts
from hallplan.sim.scenario import Scenario

POST_COLOURS = {"general": "#4C72B0", "vip": "#C44E52", "complaint": "#8172B2",
                "greeter": "#55A868"}


def roster_table(roster: Roster) -> pd.DataFrame:
    """roster.csv: employee, date, start, end, post, break start, break end (HH:MM)."""
    rows = [(r.employee, r.date.isoformat(), clock(r.start_min), clock(r.end_min), r.post,
             clock(r.break_start_min) if r.break_start_min is not None else "",
             clock(r.break_end_min) if r.break_end_min is not None else "")
            for r in roster.rows]
    return pd.DataFrame(rows, columns=["employee", "date", "start", "end", "post",
                                       "break_start", "break_end"])


ROSTER_HEADERS = ("employee", "date", "start", "end", "post", "break_start", "break_end")
ROSTER_CLOCK_COLUMNS = ("start", "end", "break_start", "break_end")

_WEEKDAYS_ZH = "一二三四五六日"


def day_heading(d, lang: str = DEFAULT_LANG) -> str:
    """A grid column's heading: ``Tue 01-12`` / ``12月1日 周二``."""
    if lang == "zh":
        return f"{d.month}月{d.day}日 周{_WEEKDAYS_ZH[d.weekday()]}"
    return f"{d:%a %d-%m}"


def roster_grid(roster: Roster, problem: RosterProblem, lang: str = DEFAULT_LANG
                ) -> pd.DataFrame:
    """The roster as hall managers post it: one row per employee (every employee, in the
    problem's order), one column per day, cells like ``08:30–17:00 VIP`` or ``off``
    (``休``); two shifts on one day are joined with ``; ``."""
    t = labels(lang)
    cells: dict[tuple[str, object], list[str]] = {}
    for r in sorted(roster.rows, key=lambda r: (r.employee, r.date, r.start_min)):
        text = f"{clock(r.start_min)}–{clock(r.end_min)} {post_name(r.post, lang)}"
        cells.setdefault((r.employee, r.date), []).append(text)
    out = {t("employee"): [e.id for e in problem.employees]}
    for d in problem.dates:
        out[day_heading(d, lang)] = ["; ".join(cells.get((e.id, d), [])) or t("off")
                                     for e in problem.employees]
    return pd.DataFrame(out)


def hours_table(roster: Roster, problem: RosterProblem, lang: str = DEFAULT_LANG
                ) -> pd.DataFrame:
    """Wide table: one row per employee, one column per week, plus total and allowance."""
    t = labels(lang)
    long = roster.hours_per_week()
    weeks = [t("week_n", n=w + 1, date=d[0].isoformat()) for w, d in enumerate(problem.weeks)]
    out = pd.DataFrame({"employee": [e.id for e in problem.employees]})
    for w, name in enumerate(weeks):
        got = long[long["week"] == w].set_index("employee")["paid_hours"]
        out[name] = out["employee"].map(got).fillna(0.0).round(2)
    out["total_paid_hours"] = out[weeks].sum(axis=1).round(2) if weeks else 0.0
    out["allowed_hours"] = [round(problem.avg_cap_min(e) / 60, 2) for e in problem.employees]
    return out


def rules_table(report: CheckReport) -> pd.DataFrame:
    """roster_rules.csv: every roster rule in words (from the registry), whether it is hard,
    soft or the planner's, how often the roster breaks it (hard and planner's rules) and its
    penalty in the objective (priced rules; 1 unit = one paid minute)."""
    rows = [(r.id, r.kind, r.statement,
             None if r.kind == "soft" else len(report.by_rule(r.id)),
             report.terms.get(r.id))
            for r in registry.RULES]
    return pd.DataFrame(rows, columns=["rule", "kind", "statement", "violations", "penalty"]
                        ).astype({"violations": "Int64"})


def coverage_figure(coverage: pd.DataFrame, problem: RosterProblem,
                    lang: str = DEFAULT_LANG):
    """Required vs rostered people per post and interval (build it inside
    :func:`~hallplan.reports.fonts.chart_fonts` for Chinese)."""
    t = labels(lang)
    posts = [p for p in problem.posts if coverage.loc[coverage.post == p, "required"].any()
             or coverage.loc[coverage.post == p, "staffed"].any()]
    fig = Figure(figsize=(12, 2.2 * max(len(posts), 1)))
    axes = fig.subplots(len(posts) or 1, 1, sharex=True, squeeze=False)
    for ax, p in zip(axes[:, 0], posts, strict=False):
        c = coverage[coverage.post == p].copy()
        x = [(pd.Timestamp(d) + pd.Timedelta(minutes=float(t)))
             for d, t in zip(c["date"], c["interval_start_min"], strict=True)]
        ax.step(x, c["required"], where="post", color="black", lw=1, label=t("required"))
        ax.step(x, c["staffed"], where="post", color=POST_COLOURS.get(p, "#777"), lw=1.2,
                label=t("rostered_at_post"))
        gap = (c["required"] - c["staffed"]).clip(lower=0)
        ax.fill_between(x, 0, gap, step="post", color="red", alpha=0.4, label=t("under"))
        ax.set_ylabel(post_label(p) if lang == "en" else post_name(p, lang), fontsize=8)
        ax.legend(loc="upper right", fontsize=7)
    axes[0, 0].set_title(t("chart_coverage_title"))
    fig.autofmt_xdate()
    return fig


def gantt_figure(roster: Roster, problem: RosterProblem, date, lang: str = DEFAULT_LANG):
    """Who works when on ``date``: counter spans coloured by post, handover in grey."""
    t = labels(lang)
    rows = [r for r in roster.rows if r.date == date]
    emps = sorted({r.employee for r in rows})
    fig = Figure(figsize=(11, 0.28 * max(len(emps), 4) + 1))
    ax = fig.subplots()
    for i, e in enumerate(emps):
        for r in (r for r in rows if r.employee == e):
            ax.barh(i, r.handover_min, left=r.start_min, color="#BBBBBB", height=0.6)
            for a, b in r.template.counter_spans():
                ax.barh(i, b - a, left=a, color=POST_COLOURS.get(r.post, "#777"), height=0.6)
    ax.set_yticks(range(len(emps)), emps, fontsize=7)
    ticks = range(problem.open_min - problem.open_min % 60, problem.close_min + 1, 60)
    ax.set_xticks(list(ticks), [clock(t) for t in ticks], fontsize=7)
    ax.axvspan(problem.open_min, problem.close_min, color="#F4F4F4", zorder=-1)
    handles = [Rectangle((0, 0), 1, 1, color=c) for c in POST_COLOURS.values()]
    ax.legend([*handles, Rectangle((0, 0), 1, 1, color="#BBBBBB")],
              [*(post_label(p) if lang == "en" else post_name(p, lang) for p in POST_COLOURS),
               t("handover")], fontsize=7, loc="upper right")
    day = f"{day_label(date)} {date.year}" if lang == "en" else day_heading(date, lang)
    ax.set_title(t("chart_gantt_title", day=day))
    ax.invert_yaxis()
    return fig


def write_roster_outputs(roster: Roster, requirement: Requirement, scenario: Scenario,
                         out_dir: Path, gantt_days: int | None = None,
                         lang: str = DEFAULT_LANG) -> list[Path]:
    """Write roster.csv, roster_grid.csv (employee × day), roster_hours_per_week.csv,
    roster_rules.csv, roster_coverage.png and one Gantt PNG per day (``gantt_days`` limits
    how many, from the first date)."""
    out = Path(out_dir)
    problem = RosterProblem.from_scenario(scenario, requirement)
    report = check_roster(roster, problem)
    paths = [
        write_csv(out / "roster.csv", roster_table(roster)),
        write_csv(out / "roster_grid.csv", roster_grid(roster, problem, lang)),
        write_csv(out / "roster_hours_per_week.csv", hours_table(roster, problem, lang)),
        write_csv(out / "roster_rules.csv", rules_table(report)),
    ]
    with chart_fonts(lang):
        fig = coverage_figure(report.coverage, problem, lang)
        paths.append(save_figure(out / "roster_coverage.png", fig))
        for d in problem.dates[:gantt_days]:
            fig = gantt_figure(roster, problem, d, lang)
            paths.append(save_figure(out / f"roster_gantt_{d.isoformat()}.png", fig))
    return paths
