"""Greeter triage at the door (迎导 / 流动岗) and self-ticketing when no greeter is free.

[001] (2007 manual, greeter chapter): the greeter "judges whether the customer meets the
conditions", "takes a queue ticket for the customer and directs them to the matching
window" — the first gate of on-site triage. [002]: "for XX business you can use the
self-service area, which is quicker". domain.md A gives the numbers we assume (0.5 min per
customer, 60% accept the kiosk, ≈10% of untriaged customers pick the wrong queue).
"""

from __future__ import annotations

from typing import Literal

from hallplan.sim.scenario import TriagePolicy

Route = Literal["kiosk", "counter"]


def greeter_triage(
    kiosk_eligible: bool,
    u_accept: float,
    kiosks_working: int,
    kiosk_queue: int,
    policy: TriagePolicy,
) -> Route:
    """Where a triaged customer is sent.

    Kiosk-eligible customers are offered the self-service area while it has working
    terminals and its queue is short (< ``max_kiosk_queue_per_kiosk`` per working kiosk);
    a share ``kiosk_acceptance`` accept. Everyone else gets a ticket for the right counter
    queue (VIPs to the VIP lane, complaints to the complaint desk — see
    ``Scenario.counter_queue``); a triaged customer is never misrouted.
    """
    if (
        kiosk_eligible
        and kiosks_working > 0
        and kiosk_queue < policy.max_kiosk_queue_per_kiosk * kiosks_working
        and u_accept < policy.kiosk_acceptance
    ):
        return "kiosk"
    return "counter"


def self_service_choice(
    kiosk_eligible: bool, u_self: float, kiosks_working: int, policy: TriagePolicy
) -> Route:
    """Where an untriaged customer (every greeter busy) goes on their own."""
    if kiosk_eligible and kiosks_working > 0 and u_self < policy.self_service_kiosk_share:
        return "kiosk"
    return "counter"


def misrouted(u_misroute: float, n_queues: int, policy: TriagePolicy) -> bool:
    """Whether an untriaged counter customer takes a ticket for the wrong queue.

    Only possible when the hall has more than one queue to choose from. The customer is
    called at the wrong counter, redirected (costing that counter ``redirect_time``) and
    re-queued in the right lane.
    """
    return n_queues > 1 and u_misroute < policy.misroute_probability
