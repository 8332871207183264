"""Checks for exercise 5: the order's saga, run in a world of the shop (``ex05_saga.py``)."""
from orchestra import FailNext, World
from orchestra.grading import points
from orchestra.history import STATE
from orchestra.orchestrator import Orchestrator
from orchestra.shop import (CancelShipment, ChargePayment, Inventory, Payment, RefundPayment,
                            ReleaseStock, ReserveStock, ScheduleShipment, Shipping)
from orchestra.shop.order import order_data, place_order_saga

STEPS = ["reserving_stock", "charging_payment", "scheduling_shipment"]
NOTHING = {"units_reserved": 0, "cents_kept": 0, "parcels": 0}


def shop(*faults):
    """A world with ten red dresses on Inventory's shelf, Payment and Shipping; and the faults."""
    return World([Inventory({"red-dress": 10}), Payment(), Shipping()], seed=1, faults=faults)


def run(world, saga, order_id="o-1"):
    """The state ada's order for the red dress ends in, run through ``saga`` by the checks."""
    order = Orchestrator(world, saga, name="order")
    order.start(saga, order_id, **order_data(order_id, customer="ada"))
    world.run()
    return order.state(order_id)


def states_entered(world, order_id="o-1"):
    """The states the order went through, in order."""
    return [r.detail["to"] for r in world.history.for_instance(order_id) if r.kind == STATE]


def assert_shop_as_it_began(world):
    """Fail unless the dress is back on the shelf, the money back and no parcel booked."""
    inventory, payment, shipping = (world.service(n) for n in ("inventory", "payment", "shipping"))
    assert inventory.units("red-dress") == 10, (
        f"{10 - inventory.units('red-dress')} red dress(es) still reserved: "
        "ReleaseStock did not run")
    assert payment.balance_cents("o-1") == 0, (
        f"ada is still charged {payment.balance_cents('o-1')} cents: RefundPayment did not run")
    assert shipping.shipments == {}, f"parcels still booked: {shipping.shipments}"


@points(1, hint="Three Steps, named as conditions, in order: reserving_stock (ReserveStock), "
                 "charging_payment (ChargePayment), scheduling_shipment (ScheduleShipment).")
def test_the_saga_reserves_charges_and_ships_in_that_order(exercise):
    saga = exercise.order_saga()
    assert [s.name for s in saga.steps] == STEPS, f"the steps are {[s.name for s in saga.steps]}"
    assert [s.action for s in saga.steps] == [ReserveStock, ChargePayment, ScheduleShipment]


@points(2, hint="Give each Step its compensation=: ReleaseStock, RefundPayment, CancelShipment.")
def test_every_step_names_the_command_that_undoes_it(exercise):
    found = [s.compensation for s in exercise.order_saga().steps]
    assert found == [ReleaseStock, RefundPayment, CancelShipment], (
        f"the compensations are {[c.__name__ if c else None for c in found]}")


@points(1, hint="With every service working, the three steps run in order and the saga "
                 "ends 'completed'.")
def test_the_order_for_ada_completes_when_every_service_works(exercise):
    world = shop()
    state = run(world, exercise.order_saga())
    assert state == "completed", f"the order ended {state!r}, not 'completed'"
    assert world.service("inventory").units("red-dress") == 9
    assert world.service("payment").balance_cents("o-1") == 8_900
    assert "o-1" in world.service("shipping").shipments


@points(2, hint="A step that fails for good makes the orchestrator run the compensations of "
                 "the steps that succeeded; each needs its compensation= to be undone.")
def test_when_the_courier_fails_the_order_ends_compensated(exercise):
    world = shop(FailNext("shipping", n=100))
    state = run(world, exercise.order_saga())
    assert state == "compensated", f"with the courier failing, the order ended {state!r}"


@points(2, hint="Compensated means no net effect: RefundPayment gives the money back and "
                 "ReleaseStock puts the dress back.")
def test_a_compensated_order_leaves_the_shop_as_it_began(exercise):
    world = shop(FailNext("shipping", n=100))
    run(world, exercise.order_saga())
    assert_shop_as_it_began(world)


@points(1, hint="Undo runs newest first: put the steps in business order and the "
                 "orchestrator refunds before it releases the stock.")
def test_the_undo_refunds_ada_before_it_puts_the_dress_back(exercise):
    world = shop(FailNext("shipping", n=100))
    run(world, exercise.order_saga())
    entered = states_entered(world)
    undo = [s for s in entered if s.startswith("compensating_")]
    assert undo == ["compensating_charging_payment", "compensating_reserving_stock"], (
        f"the undo went {undo}")


@points(1, hint="charging_payment needs retry=RetryPolicy(attempts=3, backoff=0.5): the "
                 "saga tries the charge again before it gives up and compensates.")
def test_a_card_network_that_fails_twice_is_retried_and_the_order_completes(exercise):
    # Payment tries each charge 3 times itself; 6 failures sink the saga's first 2 tries.
    world = shop(FailNext("payment", n=6))
    state = run(world, exercise.order_saga())
    assert state == "completed", (f"the order ended {state!r}; the charge failed twice, so it "
                                  "needed a third try")


@points(2, hint="run_order: Orchestrator(world, saga, name='order'), then start(saga, "
                 "order_id, **order_data(...)), world.run(), and return the state.")
def test_run_order_runs_the_order_and_returns_where_it_ended(exercise):
    """run_order runs the order and returns where it ended"""
    assert exercise.run_order(shop()) == "completed"
    world = shop(FailNext("shipping", n=100))
    assert exercise.run_order(world) == "compensated"
    assert_shop_as_it_began(world)


@points(1, hint="left_behind reads each context's own books: the reservation's quantity, "
                 "Payment's balance_cents(order_id), and 1 if Shipping has a shipment.")
def test_left_behind_sees_the_dress_the_money_and_the_parcel_of_a_completed_order(exercise):
    """left_behind sees the dress, the money and the parcel of a completed order"""
    world = shop()
    run(world, place_order_saga())
    found = exercise.left_behind(world, "o-1")
    assert found == {"units_reserved": 1, "cents_kept": 8_900, "parcels": 1}, f"got {found}"


@points(1, hint="After compensation each context has undone its part: left_behind should "
                 "find 0 units, 0 cents and 0 parcels.")
def test_left_behind_finds_nothing_of_a_compensated_order(exercise):
    """left_behind finds nothing of a compensated order"""
    world = shop(FailNext("shipping", n=100))
    run(world, place_order_saga())
    found = exercise.left_behind(world, "o-1")
    assert found == NOTHING, f"got {found}"
