"""Exact traces: fixed times, exact expected calls, waits and outcomes.

Each test is one rule of the hall written as a tiny day with deterministic durations
(open 09:00 = 540 min).
"""

from __future__ import annotations

import math

import pytest

from tests.helpers import run, small_hall, staffing

O = 540.0  # 09:00


def test_two_counters_serve_three_customers_in_ticket_order():
    s = small_hall()
    c, _, _ = run(s, [{"t": O}, {"t": O + 1}, {"t": O + 2}], staffing(s, general=2))
    assert c["call_min"].tolist() == [O, O + 1, O + 5]
    assert c["wait_min"].tolist() == [0.0, 0.0, 3.0]
    assert c["service_end_min"].tolist() == [O + 5, O + 6, O + 10]
    assert (c["outcome"] == "served").all()


def test_customer_gives_up_when_patience_runs_out():
    s = small_hall()
    c, _, _ = run(s, [{"t": O, "service": 10}, {"t": O + 1, "patience": 3}], staffing(s, general=1))
    assert c.loc[1, "outcome"] == "abandoned"
    assert c.loc[1, "wait_min"] == 3.0
    assert math.isnan(c.loc[1, "call_min"])


def test_patient_enough_customer_is_called_and_the_stale_deadline_is_ignored():
    s = small_hall()
    c, _, _ = run(s, [{"t": O, "service": 5}, {"t": O + 1, "patience": 10}], staffing(s, general=1))
    assert c.loc[1, "outcome"] == "served"
    assert c.loc[1, "call_min"] == O + 5


def test_priority_class_is_called_first_but_service_is_not_interrupted():
    # no VIP room in this variant: VIPs queue in the general lane with priority 0
    s = small_hall(customer_classes={"vip": {"lane": None}})
    rows = [{"t": O}, {"t": O + 1}, {"t": O + 2, "cls": "vip"}]
    c, _, _ = run(s, rows, staffing(s, general=1))
    assert c["call_min"].tolist() == [O, O + 10, O + 5]


def test_vip_room_serves_vip_first_and_calls_regular_tickets_when_idle():
    s = small_hall()
    rows = [{"t": O}, {"t": O}, {"t": O + 1, "cls": "vip"}]
    c, _, _ = run(s, rows, staffing(s, general=1, vip=1))
    # the idle VIP counter takes the second regular ticket at once
    assert c["counter"].tolist() == ["general-01", "vip-01", "vip-01"]
    # general counters never call the VIP queue: the VIP waits for the VIP counter
    assert c.loc[2, "call_min"] == O + 5


def test_vip_counters_stay_for_vips_when_the_switch_is_off():
    s = small_hall(calling={"vip_idle_calls_regular": False})
    rows = [{"t": O}, {"t": O}, {"t": O + 1, "cls": "vip"}]
    c, _, _ = run(s, rows, staffing(s, general=1, vip=1))
    assert c["counter"].tolist() == ["general-01", "general-01", "vip-01"]
    assert c["call_min"].tolist() == [O, O + 5, O + 1]


def test_complaints_go_to_the_complaint_desk():
    s = small_hall()
    c, _, _ = run(s, [{"t": O, "type": "complaint"}], staffing(s, general=1, complaint=1))
    assert c.loc[0, "counter"] == "complaint-01"
    assert c.loc[0, "service_end_min"] == O + 10


def test_staff_finish_the_customer_in_hand_before_leaving():
    s = small_hall()
    st = staffing(s, general=[(O, O + 3), (O, 720)])
    rows = [{"t": O, "service": 5}, {"t": O, "service": 5}, {"t": O + 1, "service": 5}]
    c, spans, _ = run(s, rows, st)
    first = spans[spans["server"] == "general-01"]
    assert first["end_min"].tolist() == [O + 5]  # shift ended at +3, customer finished at +5
    assert c.loc[2, "counter"] == "general-02"  # the leaving clerk calls nobody new
    assert c.loc[2, "call_min"] == O + 5


def test_tickets_stop_at_close_and_everyone_inside_is_served():
    s = small_hall()
    st = staffing(s, general=1)  # on duty until 12:00 = 720
    rows = [{"t": 710, "service": 5}, {"t": 712, "service": 5}, {"t": 715, "service": 5}]
    c, spans, _ = run(s, rows, st)
    assert (c["outcome"] == "served").all()
    assert c["service_end_min"].max() == 725
    assert spans["end_min"].max() == 725  # the clerk stayed until the hall was empty


def test_queue_without_a_counter_at_close_gets_a_counter_back():
    s = small_hall()
    st = staffing(s, general=[(O, 600)])  # nobody on general after 10:00
    c, spans, _ = run(s, [{"t": 650, "service": 5}], st)
    assert c.loc[0, "outcome"] == "served"
    assert c.loc[0, "call_min"] == 720  # closing rule recalls a clerk at 12:00
    assert "closing" in set(spans["source"])


def test_busy_greeter_means_self_ticketing_and_triage_takes_time():
    s = small_hall(triage={"enabled": True})
    rows = [{"t": O, "triage": 1}, {"t": O + 0.5, "triage": 1}]
    c, _, _ = run(s, rows, staffing(s, general=2, greeter=1))
    assert c["triaged"].tolist() == [True, False]
    assert c["ticket_min"].tolist() == [O + 1, O + 0.5]


def test_wrong_queue_is_redirected_at_the_counter():
    s = small_hall(triage={"misroute_probability": 0.5})
    rows = [{"t": O, "u_misroute": 0.1, "redirect": 1}]
    c, _, _ = run(s, rows, staffing(s, general=1, vip=1, complaint=1))
    r = c.loc[0]
    assert r["misrouted"] and r["wrong_lane"] in {"vip", "complaint"}
    assert r["redirect_call_min"] == O and r["redirect_end_min"] == O + 1
    assert r["call_min"] == O + 1 and r["counter"] == "general-01"
    assert r["wait_min"] == 1.0  # waiting runs from the first ticket


def test_kiosk_customer_whose_case_fails_falls_back_to_the_counter():
    s = small_hall(
        kiosks={"failure_probability": 0.5, "failure_time_share": 0.5},
        triage={"self_service_kiosk_share": 1.0},
    )
    rows = [{"t": O, "u_self": 0.0, "u_fail": 0.1, "kiosk": 2}, {"t": O, "u_self": 0.0, "kiosk": 2}]
    c, _, _ = run(s, rows, staffing(s, general=1))
    assert c.loc[0, "kiosk_failed"] and c.loc[0, "ticket_min"] == O + 1  # half the kiosk time
    assert c.loc[0, "channel"] == "counter"
    assert c.loc[1, "channel"] == "kiosk" and c.loc[1, "kiosk_start_min"] == O + 1


def test_kiosk_outage_sends_the_kiosk_queue_to_the_counters():
    s = small_hall(
        kiosks={"outages": [{"start": "09:01", "end": "10:00", "kiosks": 1}]},
        triage={"self_service_kiosk_share": 1.0},
    )
    rows = [{"t": O, "u_self": 0.0, "kiosk": 5}, {"t": O + 0.5, "u_self": 0.0, "kiosk": 5}]
    c, _, _ = run(s, rows, staffing(s, general=1))
    assert c.loc[0, "channel"] == "kiosk"  # finishes the session in hand
    assert c.loc[1, "channel"] == "counter" and c.loc[1, "ticket_min"] == O + 1


def test_balking_on_a_long_visible_queue():
    s = small_hall(
        customer_classes={
            "regular": {"balking": {"queue_start": 0, "queue_full": 2, "max_probability": 1.0}}
        }
    )
    rows = [{"t": O + i * 0.01, "u_balk": 0.6, "service": 30} for i in range(5)]
    c, _, _ = run(s, rows, staffing(s, general=1))
    # 0 waiting: served; 1 waiting → p=0.5 < 0.6 stays; 2 waiting → p=1 balks
    assert c["outcome"].tolist() == ["served", "served", "served", "balked", "balked"]


def test_fifteen_minute_care_stretches_patience():
    from hallplan.sim.care import fifteen_minute_care
    from hallplan.sim.scenario import WaitingCare

    care = WaitingCare(enabled=True, threshold_min=15, patience_multiplier=2.0)
    assert fifteen_minute_care(10.0, care) == 10.0
    assert fifteen_minute_care(20.0, care) == 25.0
    assert fifteen_minute_care(20.0, WaitingCare(enabled=False)) == 20.0


def test_escalation_opens_backup_counters_and_signs_them_out_in_reverse():
    s = small_hall(
        lanes={"general": {"counters": 4}},
        escalation={
            "enabled": True,
            "trigger_waiting": 3,
            "sustain_min": 5,
            "release_waiting": 0,
            "check_every_min": 1,
            "steps": [{"name": "floating post", "staff": 1}, {"name": "back office", "staff": 1}],
        },
    )
    rows = [{"t": O + i * 0.1, "service": 20} for i in range(8)]
    c, spans, rec = run(s, rows, staffing(s, general=1))
    ev = [(e.action, e.step, e.time_min) for e in rec.escalations]
    # the monitor samples every minute from 09:00: first sees 3+ waiting at 09:01,
    # sustained 5 min → 09:06; the next step needs another 5 min → 09:11
    assert ev[0] == ("sign_in", "floating post", O + 6)
    assert ev[1] == ("sign_in", "back office", O + 11)
    outs = [e for e in ev if e[0] == "sign_out"]
    assert [e[1] for e in outs] == ["back office", "floating post"]
    assert "escalation" in set(spans["source"])
    assert (c["outcome"] == "served").all()


@pytest.mark.parametrize("n_waiting", [0, 4])
def test_escalation_ladder_state_machine(n_waiting):
    from hallplan.sim.escalation import EscalationLadder
    from hallplan.sim.scenario import EscalationPolicy, EscalationStep

    pol = EscalationPolicy(
        trigger_waiting=5,
        sustain_min=5,
        release_waiting=2,
        steps=[EscalationStep(name="a", staff=1)],
    )
    lad = EscalationLadder(pol)
    assert [lad.observe(t, 6) for t in range(0, 6)] == [0, 0, 0, 0, 0, 1]
    assert lad.observe(6, 6) == 0  # no more steps
    assert lad.observe(7, n_waiting) == (-1 if n_waiting <= 2 else 0)


def test_floating_post_leaves_the_door_to_open_a_backup_counter():
    s = small_hall(
        lanes={"general": {"counters": 3}},
        triage={"enabled": True},
        escalation={
            "enabled": True,
            "trigger_waiting": 3,
            "sustain_min": 2,
            "release_waiting": 0,
            "steps": [{"name": "floating post", "staff": 1, "from_post": "greeter"}],
        },
    )
    rows = [{"t": O + i * 0.1, "service": 10, "triage": 0.05} for i in range(6)]
    rows.append({"t": O + 5, "service": 1, "triage": 0.05})  # arrives while the greeter is away
    rows.append({"t": O + 40, "service": 1, "triage": 0.05})  # after sign-out
    c, spans, rec = run(s, rows, staffing(s, general=1, greeter=1))
    sign_in = next(e for e in rec.escalations if e.action == "sign_in")
    sign_out = next(e for e in rec.escalations if e.action == "sign_out")
    assert sign_in.staff == 1 and sign_in.time_min < O + 5 < sign_out.time_min < O + 40
    assert not c.loc[6, "triaged"]  # nobody at the door
    assert c.loc[7, "triaged"]  # back at the door
    greeter = spans[spans["post"] == "greeter"].sort_values("start_min")
    assert len(greeter) == 2  # the greeter's day is split around the counter stint
    assert greeter["end_min"].iloc[0] <= sign_in.time_min + 0.05 + 1e-9
