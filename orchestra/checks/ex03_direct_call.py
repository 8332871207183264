"""Checks for exercise 3: direct-call orchestration, its latency and its temporal coupling
(``ex03_direct_call.py``)."""
import pytest

from orchestra import Down, Latency, World
from orchestra.grading import points
from orchestra.history import STATE
from orchestra.orchestrator import Orchestrator
from orchestra.shop import Inventory, Payment, Shipping
from orchestra.shop.order import order_data, place_order_saga


def shop(transport="direct", hop=0.005, processing=0.01, faults=()):
    """The shop's Inventory, Payment and Shipping, each answering after ``processing`` seconds."""
    services = [Inventory(), Payment(), Shipping()]
    for service in services:
        service.processing_time = processing
    return World(services, transport=transport, latency=hop, seed=3, faults=faults)


def measured(world, order_id="o-1"):
    """How long one order of the shop's saga takes in ``world``, measured by the check itself."""
    saga = place_order_saga()
    order = Orchestrator(world, saga, name="order")
    order.start(saga, order_id, **order_data(order_id))
    world.run()
    assert order.state(order_id) == "completed"
    return [r.time for r in world.history.for_instance(order_id) if r.kind == STATE][-1]


@points(1, hint="Three round trips of hop + processing + hop: 3 x (0.005 + 0.01 + 0.005) "
                 "= 0.06 s with the shop's defaults.")
def test_an_order_on_direct_calls_takes_three_round_trips(exercise):
    """an order on direct calls takes three round trips"""
    predicted = exercise.predict_latency(0.005, 0.01)
    assert predicted == pytest.approx(0.06), (f"predicted {predicted!r} s; three round trips "
                                              "of 0.005 + 0.01 + 0.005 s make 0.06 s")


@points(2, hint="A Latency fault on a service adds its seconds once per step that calls "
                 "it (the command's hop); the reply's hop to the orchestrator is not slowed.")
def test_the_prediction_matches_the_library_for_a_slow_payment_and_slow_hops(exercise):
    """the prediction matches what the library measures, with a slow Payment and slow hops"""
    for hop, processing, slow in [(0.05, 0.2, {"payment": 1.5}),
                                  (0.01, 0.03, {"inventory": 0.25, "shipping": 0.5})]:
        faults = [Latency(service, seconds=s) for service, s in slow.items()]
        actual = measured(shop(hop=hop, processing=processing, faults=faults))
        predicted = exercise.predict_latency(hop, processing, dict(slow))
        assert predicted == pytest.approx(actual), (
            f"with hop={hop}, processing={processing} and slow={slow} you predicted "
            f"{predicted!r} s, but the order took {actual:g} s")


@points(1, hint="measure_latency: start the order, world.run(), then the .time of the last "
                 "STATE record of the order minus the time you started it.")
def test_measuring_ada_s_order_on_a_quiet_shop_gives_0_06_seconds(exercise):
    """measuring ada's order on a quiet shop gives 0.06 s"""
    world = shop()
    took = exercise.measure_latency(world, "o-1")
    assert took == pytest.approx(0.06), f"measured {took!r} s, not 0.06 s"
    assert world.history.for_instance("o-1"), "the order o-1 never ran in the world given"


@points(2, hint="Subtract the time the order started (world.clock.now before start), not 0: "
                 "a world's clock may already be past 0 when you are handed it.")
def test_a_slow_payment_slows_the_order_measured_from_its_own_start(exercise):
    """a slow Payment slows the order, measured from the order's own start"""
    world = shop(faults=[Latency("payment", seconds=1.5)])
    world.run(until=5.0)  # the shop has been open for a while
    took = exercise.measure_latency(world, "o-9")
    assert took == pytest.approx(1.56), (f"measured {took!r} s; the order started at t=5 and "
                                         "should take 1.56 s with Payment 1.5 s slower")


@points(2, hint="Start o-0 at t=0, o-1 at t=1, ... (world.run(until=i) before each start); "
                 "with Payment down from t=3 to t=6, the calls of o-3, o-4 and o-5 are refused.")
def test_orders_placed_while_payment_is_down_fail_on_direct_calls(exercise):
    """orders placed while Payment is down fail on direct calls"""
    world = shop(faults=[Down("payment", at=3, until=6)])
    failed = exercise.orders_that_failed(world, 10)
    assert failed == ["o-3", "o-4", "o-5"], (f"the orders that did not complete: {failed}; "
                                             "Payment was down from t=3 to t=6")


@points(1, hint="Return the ids in the order they were placed, and only those whose state "
                 "is not 'completed'.")
def test_a_courier_down_at_opening_time_sinks_the_first_two_orders(exercise):
    """a courier down at opening time sinks the first two orders"""
    world = shop(faults=[Down("shipping", at=0, until=2)])
    failed = exercise.orders_that_failed(world, 5)
    assert failed == ["o-0", "o-1"], f"the orders that did not complete: {failed}"


@points(1, hint="orders_that_failed works on whichever world it is given: on the queued "
                 "transport the charges wait in Payment's inbox, so no order fails.")
def test_on_queues_the_same_payment_outage_costs_no_order(exercise):
    """on queues, the same Payment outage costs no order"""
    world = shop(transport="queued", faults=[Down("payment", at=3, until=6)])
    failed = exercise.orders_that_failed(world, 10)
    assert failed == [], f"on the queued transport these orders did not complete: {failed}"
