"""The SimPy model of a business hall, one day at a time.

Customer flow (domain.md §2): arrival → greeter triage (or a self-taken ticket when every
greeter is busy) → self-service terminal or a counter ticket queue → call → service → exit,
with balking at the ticket display, reneging on patience, kiosk failures falling back to the
counter, wrongly chosen queues redirected at the counter, backup counters opened by the
escalation ladder, and everyone inside at closing served.

Lean event design: SimPy's :class:`~simpy.core.Environment` keeps the clock and event heap;
customers are not processes. Each happening (arrival, end of triage, end of service, a
patience deadline, a duty change) is a :class:`~simpy.events.Timeout` with a callback (a lighter
:class:`~hallplan.sim.fastevents.Tick` on the hot path), and a
waiting customer is an entry in a deque plus one scheduled abandonment check that is ignored
if the customer was called first. Only the escalation monitor is a process. The engine draws
no random numbers (they come with the customers, :mod:`hallplan.sim.arrivals`), reads no files and
prints nothing: it appends flat records to a recorder.
"""

from __future__ import annotations

import contextlib
import math
from collections import deque
from typing import Protocol

from hallplan.sim.arrivals import DayCustomers
from hallplan.sim.balking import balk_probability
from hallplan.sim.escalation import EscalationLadder
from hallplan.sim.fastevents import Tick, new_environment, scheduler
from hallplan.sim.records import CustomerRecord, EscalationEvent, StaffSpan
from hallplan.sim.scenario import Scenario
from hallplan.sim.staffing import DayStaffing, kiosk_spans
from hallplan.sim.triage import greeter_triage, misrouted, self_service_choice

NAN = math.nan
_make_record = CustomerRecord._make  # tuple fast path (no keyword handling)
_NEW, _WAITING, _BUSY, _DONE = 0, 1, 2, 3
END_OF_DAY_MIN = 24 * 60


class Recorder(Protocol):
    def customer(self, rec: CustomerRecord) -> None: ...
    def staff(self, span: StaffSpan) -> None: ...
    def escalation(self, event: EscalationEvent) -> None: ...


class ListRecorder:
    """Default recorder: keeps every record in a list."""

    def __init__(self) -> None:
        self.customers: list[CustomerRecord] = []
        self.staff_spans: list[StaffSpan] = []
        self.escalations: list[EscalationEvent] = []

    def customer(self, rec: CustomerRecord) -> None:
        self.customers.append(rec)

    def staff(self, span: StaffSpan) -> None:
        self.staff_spans.append(span)

    def escalation(self, event: EscalationEvent) -> None:
        self.escalations.append(event)


class _Queue:
    __slots__ = ("callers", "levels", "n", "name")

    def __init__(self, name: str, n_levels: int):
        self.name = name
        self.levels = [deque() for _ in range(n_levels)]
        self.n = 0  # customers waiting (stale entries of those who left are skipped)
        self.callers: list[str] = []  # lanes that call this queue, most preferred first


class _Server:
    __slots__ = (
        "borrowed",
        "busy",
        "calls",
        "idx",
        "kind",
        "leaving",
        "on_duty",
        "overtime",
        "post",
        "sid",
        "source",
        "span_end",
        "span_start",
    )

    def __init__(self, sid: str, post: str, kind: str, calls: list[_Queue], idx: int):
        self.sid = sid
        self.idx = idx  # 1-based number within the post
        self.post = post
        self.kind = kind  # "counter" | "kiosk" | "greeter"
        self.calls = calls
        self.on_duty = False
        self.busy = False
        self.leaving = False
        self.overtime = False
        self.span_start = NAN
        self.span_end = NAN  # end of the scheduled span in force
        self.source = "staffing"
        self.borrowed = False  # taken off this post by the escalation ladder


class _Cust:
    __slots__ = (
        "call",
        "cared",
        "cls",
        "counter",
        "end",
        "greeter",
        "i",
        "kend",
        "kfail",
        "kiosk",
        "kq",
        "kstart",
        "misrouted",
        "queue",
        "rcall",
        "rcounter",
        "rend",
        "requeue",
        "right_queue",
        "state",
        "stype",
        "ticket",
        "token",
        "triage_end",
        "triaged",
        "wrong_queue",
    )

    def __init__(self, i: int, stype: int, cls: int):
        self.i = i
        self.stype = stype
        self.cls = cls
        self.state = _NEW
        self.token = 0
        self.triaged = False
        self.greeter = -1
        self.triage_end = NAN
        self.kq = self.kstart = self.kend = NAN
        self.kiosk = -1
        self.kfail = False
        self.ticket = NAN
        self.misrouted = False
        self.wrong_queue: _Queue | None = None
        self.right_queue: _Queue | None = None
        self.queue: _Queue | None = None
        self.rcall = self.rend = self.requeue = NAN
        self.rcounter = ""
        self.call = self.end = NAN
        self.counter = ""
        self.cared = False


class HallModel:
    """One simulated day of one hall. Build, then :meth:`run`; records go to ``recorder``."""

    def __init__(
        self,
        scenario: Scenario,
        customers: DayCustomers,
        staffing: DayStaffing,
        recorder: Recorder | None = None,
    ):
        self.s = scenario
        self.cust = customers
        self.recorder = recorder if recorder is not None else ListRecorder()
        self.env = new_environment()
        # Per-customer columns as Python lists: indexing numpy arrays one scalar at a time
        # costs more than the event handling itself.
        self._triage_t = customers.triage_time_min.tolist()
        self._counter_t = customers.counter_time_min.tolist()
        self._kiosk_t = customers.kiosk_time_min.tolist()
        self._redirect_t = customers.redirect_time_min.tolist()
        self._patience = customers.patience_min.tolist()
        self._u_accept = customers.u_accept.tolist()
        self._u_self = customers.u_self.tolist()
        self._u_misroute = customers.u_misroute.tolist()
        self._u_fail = customers.u_kiosk_fail.tolist()
        self._u_balk = customers.u_balk.tolist()
        self._arrival = customers.arrival_min.tolist()
        self._stype = customers.service_type.tolist()
        self._cls = customers.customer_class.tolist()
        self._schedule = scheduler(self.env)
        self._triage_on = scenario.triage.enabled
        self.close_min = float(scenario.hours.close)
        self.open_min = float(scenario.hours.open)
        self.care_threshold = scenario.waiting_care.threshold_min

        # Priority level per class (0 = served first).
        prios = sorted({c.priority for c in scenario.customer_classes.values()})
        self._class_level = [prios.index(c.priority) for c in scenario.customer_classes.values()]
        self._class_names = customers.class_names
        self._type_names = customers.type_names
        self._kiosk_ok = [
            "kiosk" in scenario.service_types[t].channels for t in customers.type_names
        ]
        self._balking = [c.balking for c in scenario.customer_classes.values()]

        # Queues and who calls them.
        self.queues = {name: _Queue(name, len(prios)) for name in scenario.lanes}
        call_orders = scenario.lane_call_orders()
        for q in self.queues.values():
            ranked = sorted(
                (order.index(q.name), lane)
                for lane, order in call_orders.items()
                if q.name in order
            )
            q.callers = [lane for _, lane in ranked]
        self._calls = {lane: [self.queues[q] for q in order] for lane, order in call_orders.items()}
        self._right_queue = [
            [self.queues[scenario.counter_queue(t, c)] for c in customers.class_names]
            for t in customers.type_names
        ]
        reachable = sorted({q.name for row in self._right_queue for q in row})
        self._reachable = [self.queues[q] for q in reachable]

        self.idle: dict[str, deque[_Server]] = {
            p: deque() for p in [*scenario.lanes, "greeter", "kiosk"]
        }
        self.on_duty: dict[str, int] = dict.fromkeys(self.idle, 0)
        self.servers: dict[str, list[_Server]] = {p: [] for p in self.idle}
        self.kiosk_queue: deque[_Cust] = deque()
        self.kiosk_waiting = 0
        self.kiosks_working = 0  # in service and not going out of service
        self.last_departure_min = NAN
        # per step signed in: (backup counters opened, staff borrowed from their post)
        self._escalated: list[tuple[list[_Server], list[_Server]]] = []

        env = self.env
        for lane in scenario.lanes:
            for k, spans in enumerate(staffing.seats.get(lane, ())):
                srv = self._new_server(f"{lane}-{k + 1:02d}", lane, "counter")
                self._schedule_spans(srv, spans)
        for k, spans in enumerate(staffing.seats.get("greeter", ())):
            srv = self._new_server(f"greeter-{k + 1:02d}", "greeter", "greeter")
            self._schedule_spans(srv, spans)
        for k, spans in enumerate(kiosk_spans(scenario)):
            srv = self._new_server(f"kiosk-{k + 1:02d}", "kiosk", "kiosk")
            self._schedule_spans(srv, spans)

        self._next_arrival = 0
        self._schedule_next_arrival()
        env.timeout(self.close_min).callbacks.append(self._on_close)
        if scenario.escalation.enabled and scenario.escalation.steps:
            env.process(self._escalation_monitor())

    # ------------------------------------------------------------------ set-up helpers
    def _at(self, delay: float, callback, value) -> None:
        """Call ``callback(event)`` after ``delay`` minutes; ``event._value`` is ``value``."""
        self._schedule(Tick(callback, value), delay)

    def _schedule_next_arrival(self) -> None:
        """Arrivals are chained (one pending at a time) to keep the event heap small."""
        i = self._next_arrival
        if i < len(self._arrival):
            self._next_arrival = i + 1
            c = _Cust(i, self._stype[i], self._cls[i])
            self._schedule(Tick(self._on_arrival, c), self._arrival[i] - self.env.now)

    def _new_server(self, sid: str, post: str, kind: str) -> _Server:
        srv = _Server(sid, post, kind, self._calls.get(post, []), len(self.servers[post]) + 1)
        self.servers[post].append(srv)
        return srv

    def _schedule_spans(self, srv: _Server, spans) -> None:
        env = self.env
        for a, b in spans:
            ev = env.timeout(max(float(a), 0.0), (srv, float(b)))
            ev.callbacks.append(self._on_duty_start)
            if b < END_OF_DAY_MIN:
                env.timeout(float(b), srv).callbacks.append(self._on_duty_end)

    def run(self) -> Recorder:
        self.env.run()
        # Servers still on duty (kiosks, whole-day seats) sign off when the last customer
        # leaves — not at the last (possibly stale) event on the heap.
        last = self.last_departure_min
        end = self.close_min if last != last else max(last, self.close_min)
        for servers in self.servers.values():
            for srv in servers:
                if srv.on_duty:
                    self._record_span(srv, end)
        return self.recorder

    # ------------------------------------------------------------------ duty changes
    def _on_duty_start(self, ev) -> None:
        srv, end = ev.value
        srv.span_end = end
        if srv.borrowed:
            return  # at a backup counter: rejoins this post when the ladder signs out
        self._start_duty(srv, "staffing")

    def _start_duty(self, srv: _Server, source: str) -> None:
        if srv.on_duty:
            if srv.leaving and srv.kind == "kiosk":
                self.kiosks_working += 1
            srv.leaving = False  # a new span starts before the old one finished: merge
            return
        if srv.kind == "kiosk":
            self.kiosks_working += 1
        srv.on_duty = True
        srv.leaving = False
        srv.overtime = source == "closing"
        srv.span_start = self.env.now
        srv.source = source
        self.on_duty[srv.post] += 1
        if not srv.busy:
            self._next_work(srv)

    def _on_duty_end(self, ev) -> None:
        srv: _Server = ev.value
        if not srv.on_duty or srv.leaving:
            return
        if self.env.now >= self.close_min and self._has_work(srv):
            srv.overtime = True  # closing rule: serve everyone inside before leaving
            return
        self._end_duty(srv)

    def _end_duty(self, srv: _Server) -> None:
        if srv.kind == "kiosk":
            self.kiosks_working -= 1
            if self.kiosks_working == 0:
                self._flush_kiosk_queue()
        if srv.busy:
            srv.leaving = True  # finish the customer in hand, then leave
            return
        with contextlib.suppress(ValueError):  # not idle: nothing to remove
            self.idle[srv.post].remove(srv)
        self._off_duty(srv)

    def _off_duty(self, srv: _Server) -> None:
        self._record_span(srv, self.env.now)
        srv.on_duty = False
        srv.leaving = False
        srv.overtime = False
        self.on_duty[srv.post] -= 1
        if srv.kind == "counter" and self.env.now >= self.close_min:
            # closing rule: nobody who is inside after closing is left without a counter
            for q in srv.calls:
                if q.n and not self._has_caller_on_duty(q):
                    self._recall_for(q)

    def _record_span(self, srv: _Server, end: float) -> None:
        self.recorder.staff(StaffSpan(srv.post, srv.sid, srv.span_start, end, srv.source))

    def _has_work(self, srv: _Server) -> bool:
        if srv.kind == "counter":
            return any(q.n for q in srv.calls)
        if srv.kind == "kiosk":
            return self.kiosk_waiting > 0
        return False

    def _on_close(self, ev) -> None:
        """Closing rule: no new tickets; a queue left with customers but nobody on duty to call
        it gets a counter back (the manuals: never drive customers out)."""
        for q in self.queues.values():
            if q.n and not self._has_caller_on_duty(q):
                self._recall_for(q)

    def _has_caller_on_duty(self, q: _Queue) -> bool:
        return any(self.on_duty[lane] for lane in q.callers)

    def _recall_for(self, q: _Queue) -> None:
        for lane in q.callers:
            for srv in self.servers[lane]:
                if not srv.on_duty:
                    self._start_duty(srv, "closing")
                    return
        lane = q.callers[0]
        srv = self._new_server(f"{lane}-closing-{len(self.servers[lane]) + 1:02d}", lane, "counter")
        self._start_duty(srv, "closing")

    # ------------------------------------------------------------------ work dispatch
    def _next_work(self, srv: _Server) -> None:
        """A server is free: take the next customer it may call, or wait idle."""
        srv.busy = False
        if srv.leaving:
            self._off_duty(srv)
            return
        if srv.kind == "counter":
            for q in srv.calls:
                if q.n:
                    for level in q.levels:
                        while level:
                            c = level.popleft()
                            if c.state == _WAITING:
                                q.n -= 1
                                self._call(srv, c)
                                return
        elif srv.kind == "kiosk":
            while self.kiosk_queue:
                c = self.kiosk_queue.popleft()
                self.kiosk_waiting -= 1
                self._start_kiosk(srv, c)
                return
        if srv.overtime:
            self._off_duty(srv)
            return
        self.idle[srv.post].append(srv)

    # ------------------------------------------------------------------ customer flow
    def _on_arrival(self, ev) -> None:
        c: _Cust = ev._value
        self._schedule_next_arrival()
        idle_greeters = self.idle["greeter"]
        if self._triage_on and idle_greeters:
            g = idle_greeters.popleft()
            g.busy = True
            c.triaged = True
            c.greeter = g.idx
            self._at(self._triage_t[c.i], self._on_triage_end, (g, c))
            return
        i = c.i
        route = self_service_choice(
            self._kiosk_ok[c.stype], self._u_self[i], self.kiosks_working, self.s.triage
        )
        if route == "kiosk":
            self._join_kiosk(c)
            return
        right = self._right_queue[c.stype][c.cls]
        c.right_queue = right
        p = self.s.triage.misroute_probability
        u = self._u_misroute[i]
        if misrouted(u, len(self._reachable), self.s.triage):
            others = [q for q in self._reachable if q is not right]
            pick = min(int(u / p * len(others)), len(others) - 1)
            c.misrouted = True
            c.wrong_queue = others[pick]
            self._take_ticket(c, others[pick], first=True)
        else:
            self._take_ticket(c, right, first=True)

    def _on_triage_end(self, ev) -> None:
        g, c = ev._value
        c.triage_end = self.env.now
        self._next_work(g)
        route = greeter_triage(
            self._kiosk_ok[c.stype],
            self._u_accept[c.i],
            self.kiosks_working,
            self.kiosk_waiting,
            self.s.triage,
        )
        if route == "kiosk":
            self._join_kiosk(c)
        else:
            c.right_queue = self._right_queue[c.stype][c.cls]
            self._take_ticket(c, c.right_queue, first=True)

    def _join_kiosk(self, c: _Cust) -> None:
        c.kq = self.env.now
        idle = self.idle["kiosk"]
        if idle:
            self._start_kiosk(idle.popleft(), c)
        else:
            self.kiosk_queue.append(c)
            self.kiosk_waiting += 1

    def _start_kiosk(self, k: _Server, c: _Cust) -> None:
        k.busy = True
        c.kstart = self.env.now
        c.kiosk = k.idx
        i = c.i
        c.kfail = self._u_fail[i] < self.s.kiosks.failure_probability
        dur = self._kiosk_t[i]
        if c.kfail:
            dur *= self.s.kiosks.failure_time_share
        self._at(dur, self._on_kiosk_end, (k, c))

    def _on_kiosk_end(self, ev) -> None:
        k, c = ev._value
        c.kend = self.env.now
        self._next_work(k)
        if c.kfail:  # kiosk failure → counter queue (domain.md A: ≈ 8%)
            c.right_queue = self._right_queue[c.stype][c.cls]
            self._take_ticket(c, c.right_queue, first=True)
        else:
            self._finish(c, "served", "kiosk")

    def _flush_kiosk_queue(self) -> None:
        """Every terminal is out of service: those queueing at kiosks go to the counters."""
        while self.kiosk_queue:
            c = self.kiosk_queue.popleft()
            self.kiosk_waiting -= 1
            c.right_queue = self._right_queue[c.stype][c.cls]
            self._take_ticket(c, c.right_queue, first=True)

    def _take_ticket(self, c: _Cust, q: _Queue, first: bool) -> None:
        now = self.env.now
        if first:
            c.ticket = now
            rule = self._balking[c.cls]
            if rule is not None:
                p = balk_probability(q.n, rule)
                if p > 0.0 and self._u_balk[c.i] < p:
                    self._finish(c, "balked", "")
                    return
        for lane in q.callers:
            idle = self.idle[lane]
            if idle:
                c.queue = q
                self._call(idle.popleft(), c)
                return
        c.state = _WAITING
        c.queue = q
        c.token += 1
        q.levels[self._class_level[c.cls]].append(c)
        q.n += 1
        patience = self._patience[c.i]
        if patience != math.inf:
            remaining = patience - (now - c.ticket)
            self._schedule(
                Tick(self._on_patience_end, (c, c.token)), remaining if remaining > 0.0 else 0.0,
            )
        if now >= self.close_min and not self._has_caller_on_duty(q):
            self._recall_for(q)

    def _on_patience_end(self, ev) -> None:
        c, token = ev._value
        if c.state != _WAITING or c.token != token:
            return  # called (or re-queued) before patience ran out
        c.queue.n -= 1
        self._finish(c, "abandoned", "")

    def _call(self, srv: _Server, c: _Cust) -> None:
        now = self.env.now
        srv.busy = True
        c.state = _BUSY
        i = c.i
        if c.misrouted and c.rcall != c.rcall:  # first call, at the wrong counter
            c.rcall = now
            c.rcounter = srv.sid
            self._at(self._redirect_t[i], self._on_redirect_end, (srv, c))
            return
        c.call = now
        c.counter = srv.sid
        self._schedule(Tick(self._on_service_end, (srv, c)), self._counter_t[i])

    def _on_redirect_end(self, ev) -> None:
        srv, c = ev._value
        c.rend = c.requeue = self.env.now
        self._next_work(srv)
        self._take_ticket(c, c.right_queue, first=False)

    def _on_service_end(self, ev) -> None:
        srv, c = ev._value
        c.end = self.env.now
        self._finish(c, "served", "counter")
        self._next_work(srv)

    def _finish(self, c: _Cust, outcome: str, channel: str) -> None:
        c.state = _DONE
        now = self.env.now
        self.last_departure_min = now
        if outcome == "served" and channel == "counter":
            wait = c.call - c.ticket
        elif outcome == "abandoned":
            wait = now - c.ticket
        else:
            wait = NAN
        cared = wait >= self.care_threshold  # False for nan
        right = c.right_queue.name if c.right_queue is not None else ""
        self.recorder.customer(
            _make_record(
                (
                    c.i,
                    self._class_names[c.cls],
                    self._type_names[c.stype],
                    self._arrival[c.i],
                    c.triaged,
                    c.greeter,
                    c.triage_end,
                    c.kq,
                    c.kstart,
                    c.kend,
                    c.kiosk,
                    c.kfail,
                    right,
                    c.ticket,
                    c.misrouted,
                    c.wrong_queue.name if c.wrong_queue is not None else "",
                    c.rcall,
                    c.rend,
                    c.rcounter,
                    c.requeue,
                    c.call,
                    c.end if channel == "counter" else (c.kend if channel == "kiosk" else NAN),
                    c.counter,
                    outcome,
                    channel,
                    wait,
                    cared,
                )
            )
        )

    # ------------------------------------------------------------------ escalation
    def _escalation_monitor(self):
        """Real-time monitor of waiting customers driving the escalation ladder."""
        pol = self.s.escalation
        ladder = EscalationLadder(pol)
        monitored = [self.queues[q] for q in pol.monitored_lanes]
        env = self.env
        yield env.timeout(max(self.open_min - env.now, 0.0))
        while True:
            yield env.timeout(pol.check_every_min)
            waiting = sum(q.n for q in monitored)
            if env.now >= self.close_min and waiting == 0 and ladder.level == 0:
                return
            change = ladder.observe(env.now, waiting)
            if change > 0:
                step = pol.steps[ladder.level - 1]
                self._escalated.append(self._sign_in(step.lane, step.staff, step.from_post))
                self.recorder.escalation(
                    EscalationEvent(
                        env.now,
                        step.name,
                        "sign_in",
                        step.lane,
                        len(self._escalated[-1][0]),
                        waiting,
                    )
                )
            elif change < 0:
                step = pol.steps[ladder.level]
                group, borrowed = self._escalated.pop()
                for srv in group:
                    if srv.on_duty:
                        self._end_duty(srv)
                for srv in borrowed:  # back to their own post if their shift goes on
                    srv.borrowed = False
                    if env.now < srv.span_end:
                        self._start_duty(srv, "staffing")
                self.recorder.escalation(
                    EscalationEvent(env.now, step.name, "sign_out", step.lane, len(group), waiting)
                )

    def _sign_in(
        self, lane: str, staff: int, from_post: str | None
    ) -> tuple[list[_Server], list[_Server]]:
        """Open up to ``staff`` backup counters in ``lane`` (no more than the free physical
        counters). Staff taken ``from_post`` (the floating post is a greeter) leave that post
        for the time — they finish the customer in hand there first."""
        free = self.s.lanes[lane].counters - self.on_duty[lane]
        n = max(0, min(staff, free))
        borrowed: list[_Server] = []
        if from_post is not None:
            available = [s for s in self.servers[from_post] if s.on_duty and not s.leaving]
            borrowed = available[-n:] if n else []
            n = len(borrowed)
            for srv in borrowed:
                srv.borrowed = True
                self._end_duty(srv)
        group = []
        backups = [s for s in self.servers[lane] if s.sid.startswith(f"{lane}-backup")]
        for _ in range(n):
            srv = next((s for s in backups if not s.on_duty and not s.busy), None)
            if srv is None:
                srv = self._new_server(f"{lane}-backup-{len(backups) + 1:02d}", lane, "counter")
                backups.append(srv)
            self._start_duty(srv, "escalation")
            group.append(srv)
        return group, borrowed
