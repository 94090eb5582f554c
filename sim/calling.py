"""Queue-calling rules (排队叫号): which ticket queues a counter calls, and in what order."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hallplan.sim.scenario import CallingRules


def vip_idle_counter_policy(lane: str, call_order: list[str], rules: CallingRules) -> list[str]:
    """VIP counters call general tickets when no VIP is waiting, if the switch is on.

    domain.md A: "VIP counters may call regular tickets when no VIP is waiting (policy
    switch)". The VIP queue stays first, so a VIP is never overtaken at a VIP counter; the
    general queue is appended last. Other lanes keep their configured order.
    """
    order = list(call_order)
    if lane == rules.vip_lane and rules.vip_idle_calls_regular and rules.general_lane not in order:
        order.append(rules.general_lane)
    return order
