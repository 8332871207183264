"""An orchestrator with a handling time handles one message at a time: orders queue up,
latency grows with load, and throughput stops at 1 / (messages per order x handling time)."""
from __future__ import annotations

import pytest

from orchestra import World
from orchestra.analysis import latencies, load_per_order, percentile, throughput
from orchestra.capacity import Capacity, limit_capacity
from orchestra.orchestrator import Orchestrator
from orchestra.progress import run_orders
from orchestra.shop import ChargePayment, Inventory, Payment, Shipping
from orchestra.shop.order import CATALOGUE, order_data, place_order_saga
from orchestra.store import SqliteStore

HANDLING = 0.002  # seconds per message: at most 500 messages, so 125 orders, per second


def busy_shop(handling_time: float = 0.0, dresses: int = 10_000, **options):
    world = World([Inventory({"red-dress": dresses}), Payment(card_limit_cents=10**9),
                   Shipping()], seed=3, **options)
    saga = place_order_saga()
    order = Orchestrator(world, saga, name="order", handling_time=handling_time)
    return world, saga, order


def buy(order, saga, order_id: str):
    return order.start(saga, order_id, **order_data(order_id, customer="ada"))


def sale(rate: float, orders: int = 300, handling_time: float = HANDLING):
    """``orders`` red dresses bought at ``rate`` per second; returns the history."""
    world, saga, order = busy_shop(handling_time)
    run_orders(world, lambda order_id: buy(order, saga, order_id), orders, rate=rate, seed=5)
    assert order.counts() == {"completed": orders}
    return world.history


def p95(history) -> float:
    return percentile(latencies(history).values(), 95)


def test_with_no_handling_time_the_orchestrator_records_exactly_what_it_did_before():
    histories = []
    for options in ({}, {"handling_time": 0}):
        world = World([Inventory(), Payment(), Shipping()], seed=3)
        saga = place_order_saga()
        order = Orchestrator(world, saga, name="order", **options)
        buy(order, saga, "ada-1")
        world.run()
        histories.append(world.history.to_json())
    assert histories[0] == histories[1]
    assert '"queue"' not in histories[0]  # nothing waited in line
    assert order.capacity.handled == 4   # the order, then one reply per step


def test_a_single_order_takes_one_handling_time_longer_per_message_the_orchestrator_handles():
    ends = []
    for handling_time in (0.0, 0.5):
        world, saga, order = busy_shop(handling_time)
        buy(order, saga, "ada-1")
        world.run()
        ends.append(world.clock.now)
    assert ends[1] - ends[0] == pytest.approx(4 * 0.5)  # the order and three replies


def test_messages_wait_their_turn_first_come_first_served():
    world, saga, order = busy_shop(handling_time=1.0)
    for order_id in ("ada-1", "bob-1", "cy-1"):
        buy(order, saga, order_id)
    assert [i.state for i in order.active.values()] == ["pending"] * 3  # all in line
    waits = [r.detail["wait"] for r in world.history if r.detail.get("queue") == "capacity"]
    assert waits == [0.0, 1.0, 2.0]
    world.run(until=2.0)
    started = [r.correlation_id for r in world.history.of_kind("state")]
    assert started == ["ada-1", "bob-1"]  # taken on at 1 s and 2 s, in the order they came
    world.run()
    assert order.counts() == {"completed": 3}


def test_throughput_stops_at_one_order_per_four_handling_times():
    history = sale(rate=300)
    assert load_per_order(history)["order"] == 4.0
    limit = 1 / (4 * HANDLING)
    assert throughput(history) == pytest.approx(limit, rel=0.03)


def test_below_its_capacity_the_orchestrator_keeps_up_with_the_orders():
    assert throughput(sale(rate=50)) == pytest.approx(50, rel=0.1)


def test_latency_grows_as_the_load_nears_the_orchestrators_capacity():
    light, busy, overloaded = (p95(sale(rate)) for rate in (25, 110, 200))
    assert light < busy < overloaded
    assert overloaded > 10 * light


def test_what_waits_in_line_dies_with_the_orchestrator_and_a_recovered_one_finishes_the_rest(
        tmp_path):
    path = tmp_path / "orders.sqlite"
    world = World([Inventory(), Payment(), Shipping()], seed=3)
    saga = place_order_saga()
    order = Orchestrator(world, saga, name="order", store=SqliteStore(path), handling_time=0.1)
    for order_id in ("ada-1", "bob-1", "cy-1"):
        buy(order, saga, order_id)
    world.run(until=0.25)  # ada and bob were taken on; cy and ada's reply wait in line
    order.crash()
    world.run(until=5)
    assert world.service("payment").ledger == []
    recovered = Orchestrator.recover(world, saga, name="order", store=SqliteStore(path),
                                     handling_time=0.1)
    assert sorted(recovered.active) == ["ada-1", "bob-1"]  # cy was only in memory: lost
    buy(recovered, saga, "cy-1")  # so the shop places it again
    world.run()
    assert recovered.counts() == {"completed": 3}
    assert sorted(world.service("payment").ledger) == [
        (o, CATALOGUE["red-dress"]) for o in ("ada-1", "bob-1", "cy-1")]


def test_a_negative_handling_time_is_refused_with_what_it_means():
    world = World([Inventory(), Payment(), Shipping()])
    with pytest.raises(ValueError, match="virtual seconds one message occupies"):
        Orchestrator(world, place_order_saga(), name="order", handling_time=-1)


def test_a_service_given_a_capacity_handles_its_commands_one_at_a_time():
    world = World([Payment()], seed=3)
    payment = world.service("payment")
    payment.processing_time = 0
    capacity = limit_capacity(payment, 1.0)
    for order_id in ("ada-1", "bob-1"):
        world.send(ChargePayment(order_id=order_id, customer="ada", amount_cents=100),
                   correlation_id=order_id)
    world.run()
    handled = [r.time for r in world.history.of_kind("handled")]
    assert handled == [pytest.approx(1.005), pytest.approx(2.005)]  # one second each, in turn
    assert capacity.handled == 2 and capacity.in_line == 0 and capacity.limit == 1.0


def test_a_capacity_of_zero_handling_time_has_no_limit():
    assert Capacity(World(), "anyone").limit == float("inf")
