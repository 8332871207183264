"""Properties of the runtime for any seed and any fault plan (hypothesis draws them).

- On the queued transport no message is lost: every command gets exactly one reply,
  because every outage in the plan ends (each Down has an ``until``).
- Duplicates are harmless: a command is handled at most once per message id, each order
  is charged at most once, and the ledger holds exactly the charges the client was told of.
- The same seed and plan give the same history, byte for byte.
"""
from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestra import Down, FailNext, FailRandomly, Latency
from orchestra import faults as f
from orchestra.shop import (CATALOGUE, ChargePayment, PlaceOrder, ReserveStock, ScheduleShipment,
                            build_world)

EXAMPLES = int(os.environ.get("ORCHESTRA_EXAMPLES", "100"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

SERVICES = ("order", "inventory", "payment", "shipping")
COMMANDS = {"order": "PlaceOrder", "inventory": "ReserveStock", "payment": "ChargePayment",
            "shipping": "ScheduleShipment"}
STOCK = {"red-dress": 3, "blue-scarf": 0, "green-hat": 5}  # the blue scarf is sold out

moments = st.floats(min_value=0, max_value=20, allow_nan=False).map(lambda t: round(t, 3))
spans = st.floats(min_value=0.01, max_value=30, allow_nan=False).map(lambda t: round(t, 3))
services = st.sampled_from(SERVICES)


@st.composite
def windows(draw, ending=False):
    """A fault's ``at`` and ``until``; an outage must end, other faults may stay on."""
    at = draw(moments)
    if not ending and draw(st.booleans()):
        return {"at": at}
    return {"at": at, "until": round(at + draw(spans), 3)}


@st.composite
def faults(draw):
    service = draw(services)
    kind = draw(st.sampled_from(["Down", "FailNext", "FailRandomly", "Latency"]))
    if kind == "Down":
        return Down(service, **draw(windows(ending=True)))
    command = draw(st.none() | st.just(COMMANDS[service]))
    if kind == "FailNext":
        return FailNext(service, n=draw(st.integers(1, 4)), command=command, **draw(windows()))
    if kind == "FailRandomly":
        p = draw(st.floats(min_value=0, max_value=0.5).map(lambda p: round(p, 2)))
        return FailRandomly(service, p=p, command=command, **draw(windows()))
    return Latency(service, seconds=draw(st.floats(0, 5).map(lambda s: round(s, 2))),
                   **draw(windows()))


orders = st.lists(st.tuples(st.sampled_from(SERVICES), st.sampled_from(sorted(STOCK)),
                            moments), min_size=1, max_size=8)


def command_for(service: str, order_id: str, sku: str):
    """The shop command for one order that ``service`` handles."""
    if service == "order":
        return PlaceOrder(order_id=order_id, customer="ada", sku=sku)
    if service == "inventory":
        return ReserveStock(order_id=order_id, sku=sku)
    if service == "payment":
        return ChargePayment(order_id=order_id, customer="ada", amount_cents=CATALOGUE[sku])
    return ScheduleShipment(order_id=order_id, address="12 Analytical Row, London")


def run_shop(seed, transport, duplicates, plan, batch):
    """Send the batch (each command at its moment, to its own order) and run to the end."""
    world = build_world(transport, seed=seed, duplicate_probability=duplicates,
                        faults=plan, stock=STOCK)
    timeout = None if transport == "queued" else 60.0
    sent, received = [], []
    keep = world.client.receive

    def counting(reply, respond=None):
        received.append(reply)
        keep(reply, respond)

    world.client.receive = counting
    for n, (service, sku, moment) in enumerate(batch):
        order_id = f"order-{n}"
        command = command_for(service, order_id, sku)
        world.clock.call_at(moment, lambda c=command, o=order_id: sent.append(
            world.send(c, correlation_id=o, timeout=timeout)))
    world.run()
    return world, sent, received


fault_plans = st.lists(faults(), max_size=5)
runs = dict(seed=st.integers(0, 2**32 - 1), transport=st.sampled_from(["direct", "queued"]),
            duplicates=st.sampled_from([0.0, 0.2, 0.5, 1.0]), plan=fault_plans, batch=orders)


@SETTINGS
@given(seed=runs["seed"], duplicates=runs["duplicates"], plan=fault_plans, batch=orders)
def test_on_the_queued_transport_every_command_gets_exactly_one_reply(seed, duplicates, plan,
                                                                      batch):
    world, sent, received = run_shop(seed, "queued", duplicates, plan, batch)
    assert len(sent) == len(batch)
    answered = Counter(reply.causation_id for reply in received)
    assert answered == Counter(command.message_id for command in sent)
    assert not any(reply.timed_out for reply in received)
    assert world.transport.waiting == 0
    assert all(world.transport.depth(name) == 0 for name in world.endpoints)


@SETTINGS
@given(**runs)
def test_on_either_transport_every_command_gets_one_answer_or_a_time_out(
        seed, transport, duplicates, plan, batch):
    world, sent, received = run_shop(seed, transport, duplicates, plan, batch)
    answered = Counter(reply.causation_id for reply in received)
    assert answered == Counter(command.message_id for command in sent)


@SETTINGS
@given(**runs)
def test_duplicates_are_harmless_each_order_is_charged_at_most_once(
        seed, transport, duplicates, plan, batch):
    world, sent, received = run_shop(seed, transport, duplicates, plan, batch)
    handled = Counter((r.receiver, r.message_id) for r in world.history.of_kind("handled"))
    assert max(handled.values(), default=0) <= 1
    ledger = world.service("payment").ledger
    charged = Counter(order for order, _ in ledger)
    assert max(charged.values(), default=0) <= 1
    charges = {c.message_id: c for c in sent if isinstance(c, ChargePayment)}
    told_ok = sum(charges[r.causation_id].amount_cents for r in received
                  if r.causation_id in charges and r.ok)
    taken = sum(amount for _, amount in ledger)
    if transport == "queued":
        assert taken == told_ok  # the client knows of every cent taken, and no more
    else:
        assert told_ok <= taken  # a direct caller that timed out may not know of a charge
        assert taken <= sum(c.amount_cents for c in charges.values())
    inventory = world.service("inventory")
    reserved = Counter()
    for sku, quantity in inventory.reservations.values():
        reserved[sku] += quantity
    assert {sku: inventory.units(sku) + reserved[sku] for sku in STOCK} == STOCK


@SETTINGS
@given(**runs)
def test_the_same_seed_and_plan_give_the_same_history(seed, transport, duplicates, plan, batch):
    first, _, _ = run_shop(seed, transport, duplicates, plan, batch)
    replayed = f.plan_from_json(f.plan_to_json(plan))
    second, _, _ = run_shop(seed, transport, duplicates, replayed, batch)
    assert first.history.to_json() == second.history.to_json()
    assert first.clock.now == second.clock.now


def run_shop_resending(seed, duplicates, plan, batch, resends=2):
    """Like :func:`run_shop` on queues, but the client resends (same id) whatever gave up."""
    world = build_world("queued", seed=seed, duplicate_probability=duplicates,
                        faults=plan, stock=STOCK)
    sent, received, rounds = {}, [], Counter()
    keep = world.client.receive

    def resending(reply, respond=None):
        received.append(reply)
        keep(reply, respond)
        command = sent[reply.causation_id]
        if not reply.ok and not reply.rejected and rounds[command.message_id] <= resends:
            rounds[command.message_id] += 1
            world.clock.call_later(0.5, world.send, command)

    world.client.receive = resending
    for n, (service, sku, moment) in enumerate(batch):
        command = command_for(service, f"order-{n}", sku)

        def send(c=command, o=f"order-{n}"):
            stamped = world.send(c, correlation_id=o)
            sent[stamped.message_id] = stamped
            rounds[stamped.message_id] = 1
        world.clock.call_at(moment, send)
    world.run()
    return world, sent, received, rounds


@SETTINGS
@given(seed=runs["seed"], duplicates=runs["duplicates"], plan=fault_plans, batch=orders)
def test_a_client_that_resends_what_gave_up_is_told_of_every_charge(seed, duplicates, plan,
                                                                    batch):
    world, sent, received, rounds = run_shop_resending(seed, duplicates, plan, batch)
    assert Counter(reply.causation_id for reply in received) == rounds
    last = {reply.causation_id: reply for reply in received}
    told_ok = sum(command.amount_cents for message_id, command in sent.items()
                  if isinstance(command, ChargePayment) and last[message_id].ok)
    assert sum(amount for _, amount in world.service("payment").ledger) == told_ok
