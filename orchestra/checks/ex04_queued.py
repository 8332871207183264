"""Checks for exercise 4: the order on queues rides out a Payment outage (``ex04_queued.py``)."""
from orchestra import Down, RetryPolicy, World
from orchestra.grading import points
from orchestra.history import STATE
from orchestra.orchestrator import Orchestrator
from orchestra.saga import ENDINGS, Saga, Step
from orchestra.shop import (CancelShipment, ChargePayment, Inventory, Payment, RefundPayment,
                            ReleaseStock, ReserveStock, ScheduleShipment, Shipping)
from orchestra.shop.order import order_data

STEPS = ["reserving_stock", "charging_payment", "scheduling_shipment"]


def queued_shop(*faults):
    """The shop on queues (the check's own, so Part B is graded apart from Part A)."""
    return World([Inventory(), Payment(), Shipping()], transport="queued", seed=4, faults=faults)


def run(world, saga, order_ids=("o-1",)):
    """Start the orders at the world's current time and run to the end; the orchestrator."""
    order = Orchestrator(world, saga, name="order")
    for order_id in order_ids:
        order.start(saga, order_id, **order_data(order_id, customer="ada"))
    world.run()
    return order


def ended_at(world, order_id="o-1"):
    """The virtual time of the order's last state change."""
    return [r.time for r in world.history.for_instance(order_id) if r.kind == STATE][-1]


def very_patient_saga():
    """The checks' own saga for Part C: it waits a minute for Payment, and never resends."""
    return Saga("place_order", [
        Step("reserving_stock", ReserveStock, compensation=ReleaseStock),
        Step("charging_payment", ChargePayment, compensation=RefundPayment, timeout=60.0),
        Step("scheduling_shipment", ScheduleShipment, compensation=CancelShipment),
    ])


@points(1, hint="World([Inventory(), Payment(), Shipping()], transport=\"queued\", seed=seed): "
                 "on \"direct\" a call to a service that is down is refused at once.")
def test_the_shop_runs_on_queues(exercise):
    """the shop runs on queues, with Inventory, Payment and Shipping"""
    world = exercise.shop_world(seed=1)
    assert world.transport.name == "queued", (f"the shop runs on {world.transport.name!r}; "
                                              "which transport has inboxes?")
    names = sorted(s.name for s in world.services)
    assert names == ["inventory", "payment", "shipping"], f"the shop's services are {names}"


@points(1, hint="On the queued transport a charge sent while Payment is down waits in its "
                 "inbox and is answered once Payment is back.")
def test_a_charge_sent_while_payment_is_down_is_answered_when_it_is_back(exercise):
    """a charge sent while Payment is down is answered once it is back"""
    world = exercise.shop_world()
    world.faults.add(Down("payment", at=0, until=8))
    charge = world.send(ChargePayment(order_id="o-1", customer="ada", amount_cents=8_900),
                        correlation_id="o-1")
    world.run()
    reply = world.client.replies.get(charge.message_id)
    assert reply is not None and reply.ok, f"the charge was answered {reply}"
    assert world.service("payment").balance_cents("o-1") == 8_900


@points(1, hint="Keep the shop's three steps, in order, each with its compensation: "
                 "ReleaseStock, RefundPayment, CancelShipment.")
def test_the_patient_saga_keeps_the_three_steps_and_their_undo(exercise):
    """the patient saga keeps the shop's three steps and their undo"""
    saga = exercise.patient_saga()
    assert [s.name for s in saga.steps] == STEPS, f"the steps are {[s.name for s in saga.steps]}"
    assert [(s.action, s.compensation) for s in saga.steps] == [
        (ReserveStock, ReleaseStock), (ChargePayment, RefundPayment),
        (ScheduleShipment, CancelShipment)], "a step has the wrong action or compensation"


@points(2, hint="charging_payment must keep waiting for 20 s: a timeout above 20 s, or "
                 "several tries (retry=RetryPolicy(...)) whose timeouts and backoffs add up "
                 "to more than 20 s.")
def test_ada_s_order_completes_despite_a_20_second_payment_outage(exercise):
    """ada's order completes despite a 20-second Payment outage"""
    world = queued_shop(Down("payment", at=0, until=20))
    order = run(world, exercise.patient_saga())
    state = order.state("o-1")
    assert state == "completed", (f"the order ended {state!r}: the saga stopped waiting for "
                                  "Payment before it came back at t=20")
    assert world.service("payment").ledger == [("o-1", 8_900)], (
        f"Payment's ledger is {world.service('payment').ledger}: ada is charged exactly once")


@points(1, hint="Patience costs nothing when all is well: the order still completes within "
                 "a virtual second when every service is up.")
def test_with_every_service_up_the_patient_order_is_as_quick_as_ever(exercise):
    """with every service up, the patient order is as quick as ever"""
    world = queued_shop()
    order = run(world, exercise.patient_saga())
    assert order.state("o-1") == "completed", f"the order ended {order.state('o-1')!r}"
    assert ended_at(world) < 1.0, f"the order took {ended_at(world):g} s with nothing failing"


@points(2, hint="Do not wait forever: when Payment never comes back, the tries, their "
                 "timeouts and then the undo's own tries must all end within 600 s; a timeout "
                 "of 25 s or three of 10 s will do, 1,000 s will not.")
def test_when_payment_never_comes_back_the_order_still_ends_within_ten_minutes(exercise):
    """when Payment never comes back, the order still ends within ten minutes"""
    world = queued_shop(Down("payment", at=0))
    order = run(world, exercise.patient_saga())
    state = order.state("o-1")
    assert state in ENDINGS and state != "completed", f"the order is still {state!r}"
    assert ended_at(world) <= 600, (f"the order ended only at t={ended_at(world):g} s; "
                                    "bound the waiting")


@points(2, hint="For each t: world.run(until=t), then world.transport.depth(service). Three "
                 "charges wait while Payment is down; none once it is back.")
def test_three_charges_wait_in_payment_s_inbox_while_it_is_down(exercise):
    """three charges wait in Payment's inbox while it is down, none once it is back"""
    world = queued_shop(Down("payment", at=0, until=20))
    saga = very_patient_saga()
    order = Orchestrator(world, saga, name="order")
    for order_id in ("o-1", "o-2", "o-3"):
        order.start(saga, order_id, **order_data(order_id))
    depths = exercise.inbox_depths(world, "payment", [1, 10, 19.5, 21])
    assert depths == [3, 3, 3, 0], f"Payment's inbox held {depths} at t=1, 10, 19.5 and 21"


@points(1, hint="Run the world only up to each time you are asked about, in turn, and no "
                 "further: the clock ends at the last of them.")
def test_inbox_depths_stops_the_clock_at_the_last_moment_asked_about(exercise):
    """inbox_depths stops the clock at the last moment it was asked about"""
    world = queued_shop(Down("inventory", at=0, until=5))
    saga = very_patient_saga()
    order = Orchestrator(world, saga, name="order")
    order.start(saga, "o-1", **order_data("o-1"))
    depths = exercise.inbox_depths(world, "inventory", [0.5, 4])
    assert depths == [1, 1], f"Inventory's inbox held {depths} at t=0.5 and t=4"
    assert world.clock.now == 4, f"the clock is at {world.clock.now:g} s, not at 4 s"
    assert order.state("o-1") == "reserving_stock", "the order moved on while Inventory was down"
