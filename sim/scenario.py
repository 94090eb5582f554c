"""The scenario: one business hall described as frozen, validated data.

A scenario is written in TOML (see ``scenarios/``) and loaded by :mod:`hallplan.sim.loader`. Every
model here is a frozen pydantic v2 model with ``extra="forbid"``, so a misspelt key is an
error that names the key instead of a silently ignored setting. Cross-record rules (a lane
that does not exist, shares that do not sum to one, staffing above the physical counters)
are checked in :meth:`Scenario._cross_checks` and reported together.

Time of day is written ``"HH:MM"`` in files and held as minutes from midnight.
Defaults and their sources are in ``docs/domain.md`` (Part A: modelling defaults).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Annotated, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeFloat,
    WithJsonSchema,
    model_validator,
)

from hallplan.sim.bounds import (
    MAX_EMPLOYEES,
    MAX_LIST,
    MAX_NAMED,
    CheckEveryMin,
    ConsecutiveDays,
    CounterCount,
    CutoffMin,
    DailyVisits,
    DaysCount,
    Duration,
    GreeterCount,
    HandoverMin,
    KioskCount,
    KioskCountPositive,
    MinutesOfDay,
    MinutesOfDayPositive,
    Multiplier,
    MultiplierOrZero,
    Priority,
    QueueCount,
    QueueCountPositive,
    QueuePerKiosk,
    RestHours,
    Share,
    ShiftHours,
    StaffCount,
    StaffCountPositive,
    Stretch,
    WeekHours,
    Weight,
)
from hallplan.sim.distributions import Deterministic, Distribution, LogNormal

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_clock(value: object) -> object:
    """Turn ``"08:30"`` into 510 (minutes from midnight); leave numbers alone.

    ``"24:00"`` is allowed (end of day); anything else past 23:59 is rejected.
    """
    if isinstance(value, str):
        m = _CLOCK.match(value.strip())
        if not m:
            raise ValueError(f"a time of day written HH:MM, not {value!r}")
        hours, minutes = int(m.group(1)), int(m.group(2))
        if minutes > 59 or hours > 24 or (hours == 24 and minutes):
            raise ValueError(f"a time of day between 00:00 and 24:00, not {value!r}")
        return hours * 60 + minutes
    if isinstance(value, bool):
        raise ValueError(f"a time of day written HH:MM, not {value!r}")
    return value


def format_clock(minutes: float) -> str:
    """Minutes from midnight as ``HH:MM`` (for reports)."""
    m = round(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


ClockTime = Annotated[
    float,
    BeforeValidator(parse_clock),
    Field(ge=0, le=24 * 60),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}$", "examples": ["08:30"]}),
]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]

DayType = Literal["weekday", "saturday", "sunday", "holiday"]
DAY_TYPES: tuple[str, ...] = ("weekday", "saturday", "sunday", "holiday")
Channel = Literal["kiosk", "counter"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- the hall


def check_timezone(value: object) -> object:
    """An IANA time zone name (``"Asia/Shanghai"``), checked against the zone database."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"an IANA time zone name such as 'Asia/Shanghai', not {value!r}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"an IANA time zone name such as 'Asia/Shanghai', not {value!r}") from None
    return value


class HallInfo(_Frozen):
    id: Annotated[str, Field(min_length=1, max_length=60)]
    name: str = ""
    kind: Literal["flagship", "district", "county", "other"] = "other"
    notes: str = ""
    # the hall's local time: ticket-log timestamps with a zone (…+08:00, …Z) are converted
    # to it on import; timestamps without a zone are taken as already local
    timezone: Annotated[
        str,
        BeforeValidator(check_timezone),
        Field(description="IANA time zone of the hall (ticket-log times are converted to it)"),
    ] = "Asia/Shanghai"


class OpeningHours(_Frozen):
    """Ticket issuing runs from ``open`` to ``close``; everyone inside at close is served."""

    open: ClockTime
    close: ClockTime

    @model_validator(mode="after")
    def _open_before_close(self) -> OpeningHours:
        if self.close <= self.open:
            raise ValueError(
                f"closing time after opening time, found open {format_clock(self.open)} "
                f"and close {format_clock(self.close)}"
            )
        return self


class Greeters(_Frozen):
    """Floating posts at the door (迎导 / 流动岗): how many can be on duty at once."""

    posts: GreeterCount = Field(description="physical greeter posts (max on duty at once)")


class KioskOutage(_Frozen):
    """Some self-service terminals out of service for a window of the day."""

    start: ClockTime
    end: ClockTime
    kiosks: KioskCountPositive = Field(description="how many terminals are out in this window")


class Kiosks(_Frozen):
    """Self-service terminals (自助服务终端)."""

    count: KioskCount
    failure_probability: Share = Field(
        0.08, description="share of kiosk customers whose case fails and who join the counter queue"
    )
    failure_time_share: Share = Field(
        0.5, description="share of the kiosk service time spent before the failure shows"
    )
    outages: list[KioskOutage] = Field(default_factory=list, max_length=MAX_NAMED)


class Lane(_Frozen):
    """A group of counters that share a ticket queue (general, VIP room, complaint desk…).

    ``calls`` lists the ticket queues a counter of this lane calls from, in order; the default
    is the lane's own queue. Queues are named after lanes.
    """

    counters: CounterCount = Field(description="physical counters of this lane")
    calls: list[Name] = Field(default_factory=list, max_length=MAX_NAMED,
                              description="queues called, in order")
    label: str = ""

    def call_order(self, own: str) -> list[str]:
        return list(self.calls) if self.calls else [own]


class ServiceType(_Frozen):
    """One kind of business (缴费, 开户, 补卡…): where it can be done and how long it takes."""

    label: str = ""
    channels: list[Channel] = Field(default_factory=lambda: ["counter"], min_length=1)
    lane: Name = Field("general", description="lane whose queue a counter ticket joins")
    skill: Name | None = Field(None, description="staff skill needed; defaults to the lane")
    counter_time: Distribution
    kiosk_time: Distribution | None = None

    @model_validator(mode="after")
    def _kiosk_time_given(self) -> ServiceType:
        if "kiosk" in self.channels and self.kiosk_time is None:
            raise ValueError("a kiosk_time distribution, because 'kiosk' is among the channels")
        return self


class Balking(_Frozen):
    """Probability of leaving at once on seeing the visible queue (linear ramp).

    0 below ``queue_start`` waiting, rising linearly to ``max_probability`` at ``queue_full``.
    """

    queue_start: QueueCount = 20
    queue_full: QueueCountPositive = 60
    max_probability: Share = 0.3

    @model_validator(mode="after")
    def _ordered(self) -> Balking:
        if self.queue_full <= self.queue_start:
            raise ValueError(
                f"queue_full above queue_start, found {self.queue_full} <= {self.queue_start}"
            )
        return self


class CustomerClass(_Frozen):
    """Regular or VIP tier (全球通 / VIP): share of visits, priority, patience, balking."""

    label: str = ""
    share: Share
    priority: Priority = Field(0, description="0 is served first within a queue")
    lane: Name | None = Field(
        None, description="lane that takes this class's general-lane tickets (e.g. the VIP room)"
    )
    patience: Distribution | None = Field(None, description="time before giving up; none = waits")
    immediate_abandon_share: Share = Field(
        0.0,
        description="share of ticket holders who give up almost at once (uniformly within "
        "immediate_abandon_within_min); the others follow `patience`",
    )
    immediate_abandon_within_min: Duration = 0.25
    balking: Balking | None = None

    def patience_from_uniform(self, u: np.ndarray) -> np.ndarray:
        """Patience by inverse transform of one uniform per customer: the lowest
        ``immediate_abandon_share`` of quantiles leave within the short window, the rest are
        the ``patience`` distribution rescaled (with share 0 it is the distribution itself)."""
        u = np.asarray(u, dtype=float)
        if self.patience is None:
            return np.full(u.shape, np.inf)
        p = self.immediate_abandon_share
        if p <= 0.0:
            return self.patience.from_uniform(u)
        quick = u < p
        out = self.patience.from_uniform(np.clip((u - p) / (1.0 - p), 0.0, 1.0 - 1e-12))
        out[quick] = u[quick] / p * self.immediate_abandon_within_min
        return out


class TriagePolicy(_Frozen):
    """The greeter's first gate of triage (把好营业厅现场分流工作的第一关, [001])."""

    enabled: bool = True
    handling_time: Distribution = LogNormal(mean_min=0.5, cv=0.5)
    kiosk_acceptance: Share = Field(0.6, description="triaged kiosk-eligible who accept a kiosk")
    max_kiosk_queue_per_kiosk: QueuePerKiosk = Field(
        2.0, description="greeter stops sending to kiosks when more wait per working kiosk"
    )
    self_service_kiosk_share: Share = Field(
        0.2, description="untriaged kiosk-eligible customers who go to a kiosk themselves"
    )
    misroute_probability: Share = Field(
        0.10, description="untriaged counter customers who take a ticket for the wrong queue"
    )
    redirect_time: Distribution = Deterministic(value_min=1.0)


class CallingRules(_Frozen):
    """Queue-calling (排队叫号) switches on top of each lane's ``calls`` list."""

    vip_idle_calls_regular: bool = Field(
        True, description="idle VIP counters call general tickets when no VIP is waiting"
    )
    vip_lane: Name = "vip"
    general_lane: Name = "general"


class WaitingCare(_Frozen):
    """15-minute waiting care ([000]: care for customers who have waited more than 15 min)."""

    enabled: bool = True
    threshold_min: Duration = 15.0
    patience_multiplier: Stretch = Field(
        1.5, description="remaining patience is stretched by this factor after care"
    )


class EscalationStep(_Frozen):
    name: str
    staff: StaffCountPositive
    lane: Name = "general"
    from_post: Name | None = Field(
        None,
        description="post whose on-duty staff leave it to open the counters (the floating "
        "post is a greeter); none = staff from outside the counter posts (back office, "
        "duty manager)",
    )


class EscalationPolicy(_Frozen):
    """Backup counters opened when the queue stays long (ladder by analogy with [003] §5.4)."""

    enabled: bool = True
    trigger_waiting: QueueCountPositive = 10
    sustain_min: Duration = 5.0
    release_waiting: QueueCount = 5
    check_every_min: CheckEveryMin = Field(
        1.0, description="how often the floor manager looks at the queue (minutes)")
    monitored_lanes: list[Name] = Field(default_factory=lambda: ["general"], max_length=MAX_NAMED)
    steps: list[EscalationStep] = Field(default_factory=list, max_length=MAX_NAMED)


class ClosingRule(_Frozen):
    ticket_cutoff_min_before_close: CutoffMin = Field(
        0.0,
        description="tickets stop this many minutes before closing (manuals give no number); "
        "less than the opening hours",
    )


class ClassTarget(_Frozen):
    wait_target_min: Duration
    min_share_called_within: Share


class ServiceTargets(_Frozen):
    """Default: 80% called within 15 min per interval; abandonment ≤ 5% a day (domain.md A)."""

    wait_target_min: Duration = 15.0
    min_share_called_within: Share = 0.8
    max_abandon_share: Share = 0.05
    by_class: dict[Name, ClassTarget] = Field(default_factory=dict)

    def for_class(self, name: str) -> ClassTarget:
        if name in self.by_class:
            return self.by_class[name]
        return ClassTarget(
            wait_target_min=self.wait_target_min,
            min_share_called_within=self.min_share_called_within,
        )


# --------------------------------------------------------------------------- staff and labour


class Employee(_Frozen):
    id: Annotated[str, Field(min_length=1)]
    name: str = ""
    skills: list[Name] = Field(default_factory=lambda: ["general"])
    contract_hours_per_week: WeekHours = 40.0
    duty_manager: bool = False
    leave: list[dt.date] = Field(default_factory=list, max_length=MAX_LIST)
    unavailable_weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(default_factory=list)


class StaffGroup(_Frozen):
    """``count`` employees with the same skills, ids ``{id_prefix}{n:02d}`` (deterministic)."""

    id_prefix: Annotated[str, Field(min_length=1)]
    count: StaffCountPositive
    skills: list[Name] = Field(default_factory=lambda: ["general"])
    contract_hours_per_week: WeekHours = 40.0
    duty_manager: bool = False


class Staff(_Frozen):
    employees: list[Employee] = Field(default_factory=list, max_length=MAX_EMPLOYEES)
    groups: list[StaffGroup] = Field(default_factory=list, max_length=MAX_NAMED)
    on_call_reserve_holidays: StaffCount = Field(
        2, description="on-call staff kept for holidays and launch days ([003]: 5–7 seats)"
    )
    availability: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        1.0,
        description="share of the counter staff on the roster who are serving at a time "
        "(0.78: of the staff on the roster, 78% are serving at a time; the rest is after-call "
        "work, short breaks, coaching). The simulator serves with availability × rostered "
        "counter staff; the roster puts requirement ÷ availability on the floor. Fitted by "
        "`hallplan calibrate`; 1 = everyone rostered serves",
    )

    def all_employees(self) -> list[Employee]:
        out = list(self.employees)
        for g in self.groups:
            out.extend(
                Employee(
                    id=f"{g.id_prefix}{n:02d}",
                    skills=list(g.skills),
                    contract_hours_per_week=g.contract_hours_per_week,
                    duty_manager=g.duty_manager,
                )
                for n in range(1, g.count + 1)
            )
        return out


class MealBreak(_Frozen):
    min_shift_hours: ShiftHours = 6.0
    length_min: MinutesOfDayPositive = 30
    earliest_after_start_min: MinutesOfDay = 120
    latest_before_end_min: MinutesOfDay = 90


class LabourRules(_Frozen):
    """Labour rules ([003]: average week ≤ 40 h; handover 10–15 min early)."""

    max_avg_weekly_hours: WeekHours = 40.0
    max_weekly_hours: WeekHours = 44.0
    max_consecutive_days: ConsecutiveDays = 6
    min_rest_hours: RestHours = 11.0
    min_days_off_per_week: DaysCount = 1
    shift_lengths_hours: list[ShiftHours] = Field(
        default_factory=lambda: [4.0, 6.0, 8.0, 9.0, 10.0],
        min_length=1,
        max_length=24,
        description="shift lengths the roster may use (hours, at least one)",
    )
    meal_break: MealBreak = MealBreak()
    handover_min: HandoverMin = 15


# --------------------------------------------------------------------------- demand profile


class SpecialDay(_Frozen):
    """A dated event: Spring Festival eve, 5.17 telecom day, a handset launch…"""

    date: dt.date
    label: str = ""
    day_type: DayType | None = None
    volume_multiplier: Multiplier = 1.0
    service_multipliers: dict[Name, MultiplierOrZero] = Field(default_factory=dict)
    open: ClockTime | None = Field(None, description="that day's opening (holiday hours)")
    close: ClockTime | None = Field(None, description="that day's closing (holiday hours)")


class DemandProfile(_Frozen):
    """Expected visits without history: daily volume × intraday curve × service mix.

    ``intraday`` gives, per day type, relative weights of consecutive ``curve_slot_min`` slots
    from opening to closing. ``month_start_uplift`` multiplies days 1, 2, … of each month
    (billing peak, [003] §5.4; size assumed in domain.md A).
    """

    daily_visits: dict[DayType, DailyVisits]
    curve_slot_min: MinutesOfDayPositive = 60
    intraday: dict[DayType, Annotated[list[Weight], Field(max_length=24 * 60)]]
    service_mix: dict[Name, Share]
    service_mix_by_class: dict[Name, dict[Name, Share]] = Field(default_factory=dict)
    month_start_uplift: list[Multiplier] = Field(
        default_factory=lambda: [1.3, 1.3, 1.3, 1.2, 1.1], max_length=31
    )
    special_days: list[SpecialDay] = Field(default_factory=list, max_length=MAX_LIST)


class StaffingBand(_Frozen):
    """Staff on duty per post from ``start`` to ``end`` (a simple staffing timeline)."""

    start: ClockTime
    end: ClockTime
    posts: dict[Name, StaffCount]


# --------------------------------------------------------------------------- calibration


class CalibrationProvenance(_Frozen):
    """Where a calibrated scenario's fitted values come from and how well the model
    reproduced the hall's held-out days (written by ``hallplan calibrate`` into its overlay;
    shown at the top of the plan's report and in ``plan.json``)."""

    ticket_log: Annotated[str, Field(min_length=1)] = Field(
        description="file name of the ticket log fitted"
    )
    fit_days: list[dt.date] = Field(min_length=1)
    held_out_days: list[dt.date] = Field(default_factory=list)
    abandon_mae_points: NonNegativeFloat | None = Field(
        None, description="mean absolute error of daily abandonment on held-out days, points"
    )
    abandon_correlation: Annotated[float, Field(ge=-1.0, le=1.0)] | None = None
    wait_bias: float | None = Field(
        None, description="(simulated − observed) ÷ observed mean wait of served customers"
    )
    verdict: str = ""
    availability: Annotated[float, Field(gt=0.0)] = Field(
        description="availability factor fitted (staff.availability is this, capped at 1)"
    )
    availability_ci: tuple[float, float] | None = Field(
        None, description="95% confidence interval of the fitted availability"
    )


class ReportSettings(_Frozen):
    """How reports are written for this hall (``hallplan plan --lang`` overrides it)."""

    language: Literal["en", "zh"] = Field(
        "en", description="labels of reports, charts, XLSX headers and CLI status lines: "
        "en (English) or zh (简体中文)")


# --------------------------------------------------------------------------- the scenario


class Scenario(_Frozen):
    """One business hall: layout, customers, policies, targets, staff, demand."""

    schema_version: Literal[1] = 1
    hall: HallInfo
    interval_min: Literal[15, 30, 60] = 30
    hours: OpeningHours
    greeters: Greeters
    kiosks: Kiosks
    lanes: Annotated[dict[Name, Lane], Field(max_length=MAX_NAMED)]
    service_types: Annotated[dict[Name, ServiceType], Field(max_length=MAX_NAMED)]
    customer_classes: Annotated[dict[Name, CustomerClass], Field(max_length=MAX_NAMED)]
    triage: TriagePolicy = TriagePolicy()
    calling: CallingRules = CallingRules()
    waiting_care: WaitingCare = WaitingCare()
    escalation: EscalationPolicy = EscalationPolicy()
    closing: ClosingRule = ClosingRule()
    targets: ServiceTargets = ServiceTargets()
    staff: Staff = Staff()
    labour: LabourRules = LabourRules()
    demand: DemandProfile
    default_staffing: list[StaffingBand] = Field(default_factory=list, max_length=MAX_LIST)
    calibration: CalibrationProvenance | None = Field(
        None, description="set by `hallplan calibrate`: provenance and held-out agreement"
    )
    report: ReportSettings = ReportSettings()
    reference_date: dt.date = Field(
        dt.date(2026, 3, 11),
        description="the day `hallplan simulate` runs when no --date is given (a what-if "
        "variant sets it to its event day)",
    )

    # ---- derived helpers (pure)
    @property
    def posts(self) -> list[str]:
        """Staffed posts: every lane, plus ``greeter``."""
        return [*self.lanes, "greeter"]

    def physical_capacity(self, post: str) -> int:
        if post == "greeter":
            return self.greeters.posts
        return self.lanes[post].counters

    def counter_queue(self, service_type: str, customer_class: str) -> str:
        """Queue a counter ticket joins: the service type's lane, or the class's own lane
        (e.g. the VIP room) for general-lane business."""
        lane = self.service_types[service_type].lane
        cls = self.customer_classes[customer_class]
        if cls.lane is not None and lane == self.calling.general_lane:
            return cls.lane
        return lane

    def lane_call_orders(self) -> dict[str, list[str]]:
        """Queues each lane calls, in order, with the VIP idle-counter switch applied."""
        from hallplan.sim.calling import vip_idle_counter_policy

        return {
            name: vip_idle_counter_policy(name, lane.call_order(name), self.calling)
            for name, lane in self.lanes.items()
        }

    def for_date(self, date: dt.date) -> Scenario:
        """The hall as it runs on ``date``: a special day's own opening hours (holidays are
        announced separately, [001]) with the default staffing bands cut to them."""
        for sd in self.demand.special_days:
            if sd.date == date and (sd.open is not None or sd.close is not None):
                hours = OpeningHours(
                    open=self.hours.open if sd.open is None else sd.open,
                    close=self.hours.close if sd.close is None else sd.close,
                )
                bands = [
                    b.model_copy(
                        update={"start": max(b.start, hours.open), "end": min(b.end, hours.close)}
                    )
                    for b in self.default_staffing
                    if min(b.end, hours.close) > max(b.start, hours.open)
                ]
                return self.model_copy(update={"hours": hours, "default_staffing": bands})
        return self

    def interval_starts(self) -> list[float]:
        start = self.hours.open - (self.hours.open % self.interval_min)
        out = []
        t = start
        while t < self.hours.close:
            out.append(float(t))
            t += self.interval_min
        return out

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        problems = list(_cross_problems(self))
        if problems:
            # One message per line; sim.loader splits them back into separate Problems.
            raise ValueError("\n".join(problems))
        return self


#: a day's counter work above this many times what all counters can do in the opening hours
#: is no hall (it would be served for days after closing); see ``_overload_problems``
MAX_OVERLOAD = 10.0


def _overload_problems(s: Scenario, open_min: float):
    """Busiest day's counter work (visits × the mix's mean counter time, every visit counted
    at a counter) against all counters for the opening hours: beyond ``MAX_OVERLOAD`` times
    it the simulated day would not end (everyone inside at closing is served)."""
    counters = sum(lane.counters for lane in s.lanes.values())
    mix = s.demand.service_mix
    if not mix or not s.demand.daily_visits:
        return
    mean_min = sum(share * s.service_types[t].counter_time.mean
                   for t, share in mix.items() if t in s.service_types)
    peak = max(s.demand.daily_visits.values())
    uplift = max([1.0, *s.demand.month_start_uplift])
    special = max([1.0, *(sd.volume_multiplier for sd in s.demand.special_days)])
    work_min = peak * uplift * special * mean_min
    capacity_min = counters * open_min
    if work_min > MAX_OVERLOAD * capacity_min:
        most = MAX_OVERLOAD * capacity_min / max(uplift * special * mean_min, 1e-9)
        yield (
            f"demand.daily_visits: a busiest day whose counter work ({work_min:,.0f} counter-"
            f"minutes at the mix's {mean_min:.1f}-min mean) the {counters} counters could do "
            f"within {MAX_OVERLOAD:g}× the opening hours (at most ~{most:,.0f} visits a day here), "
            f"found {peak:,.0f} visits a day × {uplift:g} month-start × {special:g} special-day "
            "uplift"
        )


def _cross_problems(s: Scenario):
    lanes = set(s.lanes)
    types = set(s.service_types)
    classes = set(s.customer_classes)
    for name, lane in s.lanes.items():
        for q in lane.calls:
            if q not in lanes:
                yield f"lanes.{name}.calls: a lane name ({sorted(lanes)}), found {q!r}"
    for name, st in s.service_types.items():
        if st.lane not in lanes:
            yield f"service_types.{name}.lane: a lane name ({sorted(lanes)}), found {st.lane!r}"
    for name, c in s.customer_classes.items():
        if c.lane is not None and c.lane not in lanes:
            yield f"customer_classes.{name}.lane: a lane name ({sorted(lanes)}), found {c.lane!r}"
    if s.calling.general_lane not in lanes:
        found = s.calling.general_lane
        yield f"calling.general_lane: a lane name ({sorted(lanes)}), found {found!r}"
    total = sum(c.share for c in s.customer_classes.values())
    if abs(total - 1.0) > 1e-6:
        yield f"customer_classes.*.share: shares summing to 1, found {total:.4f}"
    mix = s.demand.service_mix
    unknown = sorted(set(mix) - types)
    if unknown:
        yield f"demand.service_mix: service types defined in service_types, found {unknown}"
    if abs(sum(mix.values()) - 1.0) > 1e-6:
        yield f"demand.service_mix: shares summing to 1, found {sum(mix.values()):.4f}"
    for cls, cmix in s.demand.service_mix_by_class.items():
        if cls not in classes:
            yield f"demand.service_mix_by_class.{cls}: a customer class, found {cls!r}"
        bad = sorted(set(cmix) - types)
        if bad:
            yield f"demand.service_mix_by_class.{cls}: service types, found {bad}"
        if abs(sum(cmix.values()) - 1.0) > 1e-6:
            yield (
                f"demand.service_mix_by_class.{cls}: shares summing to 1, "
                f"found {sum(cmix.values()):.4f}"
            )
    for cls in s.targets.by_class:
        if cls not in classes:
            yield f"targets.by_class.{cls}: a customer class ({sorted(classes)}), found {cls!r}"
    if (s.hours.open % s.interval_min) or (s.hours.close % s.interval_min):
        yield (
            f"hours: opening and closing on the {s.interval_min}-minute interval grid, found "
            f"{format_clock(s.hours.open)}–{format_clock(s.hours.close)}"
        )
    open_min = s.hours.close - s.hours.open
    slot = s.demand.curve_slot_min
    n_slots = -(-int(open_min) // slot)
    for dtype, curve in s.demand.intraday.items():
        if len(curve) != n_slots:
            yield (
                f"demand.intraday.{dtype}: {n_slots} weights ({slot}-min slots from "
                f"{format_clock(s.hours.open)} to {format_clock(s.hours.close)}), "
                f"found {len(curve)}"
            )
        elif sum(curve) <= 0:
            yield f"demand.intraday.{dtype}: at least one positive weight, found all zero"
    for dtype in s.demand.daily_visits:
        if dtype not in s.demand.intraday:
            yield f"demand.intraday.{dtype}: a curve for every day type in daily_visits, found none"
    for i, sd in enumerate(s.demand.special_days):
        bad = sorted(set(sd.service_multipliers) - types)
        if bad:
            yield f"demand.special_days[{i}].service_multipliers: service types, found {bad}"
        o = s.hours.open if sd.open is None else sd.open
        c = s.hours.close if sd.close is None else sd.close
        if c <= o or o % s.interval_min or c % s.interval_min:
            yield (
                f"demand.special_days[{i}]: opening before closing on the {s.interval_min}-minute "
                f"grid, found {format_clock(o)}–{format_clock(c)}"
            )
    # Every queue a customer can reach must be called by some lane.
    calls = s.lane_call_orders()
    called = {q for order in calls.values() for q in order}
    reachable = {s.counter_queue(t, c) for t in types for c in classes}
    for q in sorted(reachable - called):
        yield f"lanes: some lane that calls queue {q!r} (customers can reach it), found none"
    for i, band in enumerate(s.default_staffing):
        if band.end <= band.start:
            yield (
                f"default_staffing[{i}]: end after start, found "
                f"{format_clock(band.start)}–{format_clock(band.end)}"
            )
        for post, n in band.posts.items():
            if post not in s.posts:
                yield f"default_staffing[{i}].posts.{post}: a post ({s.posts}), found {post!r}"
            elif n > s.physical_capacity(post):
                yield (
                    f"default_staffing[{i}].posts.{post}: at most {s.physical_capacity(post)} "
                    f"(physical counters/posts), found {n}"
                )
    for i, step in enumerate(s.escalation.steps):
        if step.lane not in lanes:
            yield f"escalation.steps[{i}].lane: a lane name, found {step.lane!r}"
        if step.from_post is not None and step.from_post not in s.posts:
            yield f"escalation.steps[{i}].from_post: a post ({s.posts}), found {step.from_post!r}"
    for q in s.escalation.monitored_lanes:
        if q not in lanes:
            yield f"escalation.monitored_lanes: lane names, found {q!r}"
    for i, o in enumerate(s.kiosks.outages):
        if o.end <= o.start:
            yield f"kiosks.outages[{i}]: end after start"
        if o.kiosks > s.kiosks.count:
            yield f"kiosks.outages[{i}].kiosks: at most {s.kiosks.count}, found {o.kiosks}"
    n_staff = len(s.staff.employees) + sum(g.count for g in s.staff.groups)
    if n_staff > MAX_EMPLOYEES:
        yield f"staff: at most {MAX_EMPLOYEES} employees in one hall, found {n_staff}"
    else:
        seen = Counter(e.id for e in s.staff.all_employees())  # linear, not ids.count per id
        dupes = sorted(i for i, n in seen.items() if n > 1)
        if dupes:
            more = f" and {len(dupes) - 10} more" if len(dupes) > 10 else ""
            yield f"staff: unique employee ids, found duplicates {dupes[:10]}{more}"
    yield from _overload_problems(s, open_min)
    cutoff = s.closing.ticket_cutoff_min_before_close
    if cutoff >= open_min:
        yield (
            f"closing.ticket_cutoff_min_before_close: less than the {open_min:g} minutes the "
            f"hall is open ({format_clock(s.hours.open)}–{format_clock(s.hours.close)}), "
            f"found {cutoff:g}"
        )
