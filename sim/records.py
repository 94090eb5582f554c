"""Flat result records appended by the hall model (nothing else happens in the engine).

KPIs are pure functions of these records (:mod:`hallplan.sim.kpi`). Times are minutes from midnight
of the simulated day; ``nan`` means the step did not happen, ``-1`` means no server.
"""

from __future__ import annotations

from typing import NamedTuple


class CustomerRecord(NamedTuple):
    customer: int
    customer_class: str
    service_type: str
    arrival_min: float
    triaged: bool
    greeter: int
    triage_end_min: float
    kiosk_queue_min: float  # joined the kiosk queue
    kiosk_start_min: float
    kiosk_end_min: float
    kiosk: int
    kiosk_failed: bool
    lane: str  # the counter queue the customer finally belonged to ("" if none)
    ticket_min: float  # first counter ticket (waiting starts here)
    misrouted: bool
    wrong_lane: str
    redirect_call_min: float  # called at the wrong counter
    redirect_end_min: float
    redirect_counter: str
    requeue_min: float
    call_min: float  # called by the counter that serves them
    service_end_min: float
    counter: str
    outcome: str  # "served" | "abandoned" | "balked"
    channel: str  # where served: "counter" | "kiosk" | "" (not served)
    wait_min: float  # ticket → call (served) or ticket → leaving (abandoned); nan otherwise
    cared: bool  # still waiting at the 15-minute care threshold


class StaffSpan(NamedTuple):
    """A server on duty from ``start_min`` to ``end_min`` (actual, incl. finishing a customer)."""

    post: str  # lane name, "greeter" or "kiosk"
    server: str
    start_min: float
    end_min: float
    source: str  # "staffing" | "escalation" | "closing"


class EscalationEvent(NamedTuple):
    time_min: float
    step: str
    action: str  # "sign_in" | "sign_out"
    lane: str
    staff: int
    waiting: int


CUSTOMER_COLUMNS: tuple[str, ...] = CustomerRecord._fields
STAFF_COLUMNS: tuple[str, ...] = StaffSpan._fields
ESCALATION_COLUMNS: tuple[str, ...] = EscalationEvent._fields
