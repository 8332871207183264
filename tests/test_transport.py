"""Transports: direct calls couple caller and receiver in time; queues let messages wait."""
from __future__ import annotations

import pytest

from conftest import RED_DRESS
from orchestra import Down, FailNext, Latency, NoReply, World
from orchestra.shop import ChargePayment, build_world


def test_a_direct_call_to_a_down_service_is_refused_at_once(shop, charge_ada):
    shop.faults.add(Down("payment", at=0, until=30))
    reply = shop.call(charge_ada)
    assert not reply.ok and not reply.timed_out
    assert reply.error == "payment is down: connection refused"
    assert shop.clock.now < 1  # refused straight away, not after the outage
    refused = shop.history.of_kind("unavailable")
    assert len(refused) == 1 and refused[0].receiver == "payment"
    assert shop.service("payment").balance_cents() == 0


def test_a_queued_command_to_a_down_service_waits_and_is_delivered_after_it_comes_back(
        queued_shop, charge_ada):
    queued_shop.faults.add(Down("payment", at=0, until=30))
    charge = queued_shop.send(charge_ada)
    queued_shop.run(until=29)
    assert queued_shop.transport.depth("payment") == 1
    assert queued_shop.service("payment").balance_cents() == 0
    queued_shop.run()
    reply = queued_shop.client.replies[charge.message_id]
    assert reply.ok and reply.result == {"charged_cents": RED_DRESS}
    delivered = queued_shop.history.where(kind="delivered", receiver="payment")
    assert len(delivered) == 1 and delivered[0].time == 30
    assert queued_shop.service("payment").balance_cents() == RED_DRESS


def test_a_thirty_second_outage_passes_in_virtual_time(queued_shop, charge_ada):
    queued_shop.faults.add(Down("payment", at=0, until=30))
    reply = queued_shop.call(charge_ada)
    assert reply.ok
    assert 30 < queued_shop.clock.now < 30.1


def test_a_caller_that_stops_waiting_gets_a_timed_out_reply_and_the_late_one_is_recorded(
        queued_shop, charge_ada):
    queued_shop.faults.add(Down("payment", at=0, until=30))
    reply = queued_shop.call(charge_ada, timeout=2)
    assert reply.timed_out and not reply.ok and reply.attempts == 0
    assert "within 2s" in reply.error and "may still have taken effect" in reply.error
    assert queued_shop.clock.now == 2
    queued_shop.run()
    late = queued_shop.history.of_kind("late_reply")
    assert len(late) == 1 and late[0].receiver == "client" and late[0].time > 30
    assert queued_shop.client.replies[reply.causation_id].timed_out  # the late one is ignored
    assert queued_shop.service("payment").balance_cents() == RED_DRESS  # but it took effect


def test_a_direct_call_that_times_out_records_the_late_reply_too(shop, charge_ada):
    shop.faults.add(Latency("payment", seconds=5))
    reply = shop.call(charge_ada, timeout=1)
    assert reply.timed_out and shop.clock.now == 1
    assert shop.history.of_kind("timed_out")[0].message_id == reply.causation_id
    shop.run()
    assert len(shop.history.of_kind("late_reply")) == 1


def test_a_reply_in_time_cancels_the_timeout(shop, charge_ada):
    reply = shop.call(charge_ada, timeout=2)
    assert reply.ok and not reply.timed_out
    shop.run()
    assert shop.history.of_kind("timed_out", "late_reply") == []


def test_latency_delays_delivery_in_virtual_time():
    world = build_world("direct", latency=0.01, faults=[Latency("payment", seconds=3)])
    world.call(ChargePayment(order_id="order-1", customer="ada", amount_cents=RED_DRESS))
    arrived = world.history.where(kind="delivered", receiver="payment")[0]
    assert arrived.time == pytest.approx(3.01)
    back = world.history.where(kind="delivered", receiver="client")[0]
    assert back.time - arrived.time == pytest.approx(0.01 + 0.01)  # processing + one hop


@pytest.mark.parametrize("transport", ["direct", "queued"])
def test_redelivering_the_same_charge_charges_the_red_dress_once(transport, charge_ada):
    world = build_world(transport)
    charge = world.send(charge_ada)
    world.run()
    for _ in range(3):
        world.send(charge)
        world.run()
    assert world.service("payment").balance_cents() == RED_DRESS
    assert world.service("payment").ledger == [("order-1", RED_DRESS)]
    assert len(world.history.where(kind="handled", receiver="payment")) == 1
    assert len(world.history.where(kind="duplicate", receiver="payment")) == 3


def test_a_broker_that_always_delivers_twice_still_charges_the_red_dress_once(charge_ada):
    world = build_world("queued", seed=5, duplicate_probability=1.0)
    reply = world.call(charge_ada)
    world.run()
    assert reply.ok
    assert world.service("payment").balance_cents() == RED_DRESS
    assert len(world.history.where(kind="handled", receiver="payment")) == 1
    copies = world.history.where(kind="enqueued", receiver="payment")
    assert [r.detail for r in copies] == [{}, {"duplicate": True}]  # twice, not forever
    assert len(world.client.replies) == 1


def test_a_late_copy_of_a_charge_payment_gave_up_on_does_not_charge_ada(charge_ada):
    # The copy is slowed down so it arrives after payment gave up and ada was told "no".
    world = build_world("queued", duplicate_probability=1.0,
                        faults=[FailNext("payment", n=3), Latency("payment", seconds=1)])
    reply = world.call(charge_ada)
    world.run()
    assert not reply.ok and reply.error.startswith("gave up after 3 attempt(s)")
    assert len(world.history.where(kind="delivered", receiver="payment")) == 2
    assert world.service("payment").ledger == []


def test_a_resent_charge_is_not_answered_by_an_old_copy_of_the_gave_up_reply(charge_ada):
    # Replies to the client are slow, so the broker's copy of the first "gave up" reply
    # arrives after ada's resend: it must not pass for the resend's answer.
    world = build_world("queued", duplicate_probability=1.0,
                        faults=[FailNext("payment", n=3), Latency("client", seconds=1)])
    first = world.call(charge_ada)
    assert not first.ok
    charge = charge_ada.stamped(message_id=first.causation_id)
    again = world.call(charge)
    world.run()
    assert again.ok and again.message_id != first.message_id
    assert world.service("payment").balance_cents() == RED_DRESS
    stale = [r for r in world.history.of_kind("duplicate") if r.message_id == first.message_id]
    assert stale and "earlier send" in stale[0].detail["note"]


def test_a_queued_service_that_goes_down_mid_retry_finishes_the_work_after_recovery(
        queued_shop, charge_ada):
    queued_shop.faults.add(FailNext("payment", n=1))
    queued_shop.faults.add(Down("payment", at=0.05, until=20))
    reply = queued_shop.call(charge_ada)
    assert reply.ok and queued_shop.clock.now > 20
    assert queued_shop.history.where(kind="failed", receiver="payment")[-1].detail["error"] == (
        "payment went down")
    assert queued_shop.service("payment").balance_cents() == RED_DRESS


def test_a_direct_service_that_goes_down_mid_retry_never_answers(shop, charge_ada):
    shop.faults.add(FailNext("payment", n=1))
    shop.faults.add(Down("payment", at=0.05, until=20))
    with pytest.raises(NoReply, match="pass a timeout"):
        shop.call(charge_ada)
    assert shop.history.where(kind="failed", receiver="payment")[-1].detail["error"] == (
        "payment went down")
    assert shop.history.of_kind("replied") == []


def test_a_caller_with_a_timeout_hears_about_a_direct_service_lost_mid_retry(charge_ada):
    world = build_world("direct", faults=[FailNext("payment", n=1),
                                          Down("payment", at=0.05, until=20)])
    reply = world.call(charge_ada, timeout=5)
    assert reply.timed_out and world.clock.now == 5


def test_a_direct_reply_to_a_caller_that_is_down_is_lost(shop, charge_ada):
    shop.faults.add(Down("client", at=0.001, until=10))
    charge = shop.send(charge_ada)
    shop.run()
    lost = shop.history.of_kind("lost")
    assert len(lost) == 1 and lost[0].receiver == "client"
    assert charge.message_id not in shop.client.replies
    assert shop.service("payment").balance_cents() == RED_DRESS  # charged, but nobody heard


@pytest.mark.parametrize("transport", ["direct", "queued"])
def test_answered_timed_out_and_lost_commands_leave_no_bookkeeping_behind(transport):
    # Memory must not grow with finished work: once no one waits, the transport forgets.
    world = build_world(transport, faults=[Latency("payment", seconds=5, until=1),
                                           Down("client", at=20, until=30)])
    for i in range(20):
        world.call(ChargePayment(order_id=f"o-{i}", customer="ada", amount_cents=RED_DRESS),
                   timeout=1)  # the first one times out, its late reply comes in later
    world.run(until=20)
    world.send(ChargePayment(order_id="lost", customer="ada", amount_cents=RED_DRESS),
               timeout=60)  # its reply finds the client down: lost (direct) or kept (queued)
    world.run()
    assert world.history.of_kind("timed_out") and world.history.of_kind("late_reply")
    transport = world.transport
    assert (transport._waiting, transport._answers) == ({}, {})


def test_a_queued_reply_to_a_caller_that_is_down_waits_for_it(queued_shop, charge_ada):
    queued_shop.faults.add(Down("client", at=0.001, until=10))
    reply = queued_shop.call(charge_ada)
    assert reply.ok and queued_shop.clock.now >= 10


@pytest.mark.parametrize("options, complaint", [
    (dict(transport="pigeon"), "'direct', 'queued'"),
    (dict(latency=-0.1), "latency"),
    (dict(duplicate_probability=2), "probability"),
])
def test_a_transport_that_cannot_work_is_refused_saying_why(options, complaint):
    with pytest.raises(ValueError, match=complaint):
        World([], **options)


@pytest.mark.parametrize("transport", ["direct", "queued"])
def test_a_caller_that_is_down_hears_its_time_out_when_it_is_back_not_before(transport):
    # Payment takes 20 s; the client waits 5 s but is down from 1 s to 12 s: not running,
    # it cannot act on a time-out at 5 s. It hears it when it is back, at 12 s.
    world = build_world(transport, faults=[Latency("payment", seconds=20),
                                           Down("client", at=1, until=12)])
    charge = world.send(ChargePayment(order_id="o-1", customer="ada", amount_cents=RED_DRESS),
                        timeout=5)
    world.run(until=11)
    assert charge.message_id not in world.client.replies and not world.history.of_kind("timed_out")
    world.run(until=13)
    timed_out = world.history.of_kind("timed_out")
    assert [r.time for r in timed_out] == [12.0]
    assert world.client.replies[charge.message_id].timed_out


def test_a_time_out_due_while_the_caller_was_down_is_dropped_if_the_reply_came_first():
    # Queued: the reply waits in the client's inbox while it is down, and is read first.
    world = build_world("queued", faults=[Latency("payment", seconds=3, until=1),
                                          Down("client", at=1, until=12)])
    charge = world.send(ChargePayment(order_id="o-1", customer="ada", amount_cents=RED_DRESS),
                        timeout=5)
    world.run()
    assert world.client.replies[charge.message_id].ok
    assert not world.history.of_kind("timed_out")
