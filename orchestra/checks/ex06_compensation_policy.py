"""Checks for exercise 6: a failing refund, retried, then handed to a person (``ex06_compensation_policy.py``)."""
from orchestra import FailNext, World
from orchestra.grading import points
from orchestra.orchestrator import Orchestrator
from orchestra.saga import CompensationPolicy
from orchestra.shop import CATALOGUE, Inventory, Payment, Shipping
from orchestra.shop.order import order_data, place_order_saga

RED_DRESS = CATALOGUE["red-dress"]
COURIER_FAILS = FailNext("shipping", n=1_000, command="ScheduleShipment")
REFUND_FAILS = FailNext("payment", n=1_000, command="RefundPayment")


def refund_fails(times):
    """The card network refuses the next ``times`` tries of a refund (Payment tries 3 per send)."""
    return FailNext("payment", n=times, command="RefundPayment")


def undo(saga, *faults, extra=(), orders=("o-1",)):
    """Ada's orders for the red dress, which no courier can take: the saga undoes them."""
    world = World([Inventory({"red-dress": 10}), Payment(), Shipping(), *extra], seed=3,
                  faults=[COURIER_FAILS, *faults])
    orchestrator = Orchestrator(world, saga, name="order")
    for order_id in orders:
        orchestrator.start(saga, order_id, **order_data(order_id, customer="ada"))
    world.run()
    return world, orchestrator


def refunds_sent(world, order_id="o-1"):
    return [r for r in world.history.for_instance(order_id)
            if r.kind == "sent" and r.message_type == "RefundPayment"]


@points(2, hint="refund_policy: CompensationPolicy(retry=RetryPolicy(attempts=4, "
                 "backoff=0.5), then=EMIT): attempts counts the first try too.")
def test_a_refund_that_keeps_failing_is_tried_four_times_before_the_saga_gives_up(exercise):
    """A refund that keeps failing is tried four times before the saga gives up"""
    world, _ = undo(exercise.order_saga(), REFUND_FAILS)
    sent = len(refunds_sent(world))
    assert sent == 4, f"the orchestrator sent RefundPayment {sent} time(s), not 4"


@points(1, hint="The backoff doubles after each failure by itself: RetryPolicy(attempts=4, "
                 "backoff=0.5) waits 0.5 s, 1 s, then 2 s.")
def test_the_retries_wait_half_a_second_then_one_then_two(exercise):
    """The retries wait half a second, then one, then two"""
    world, _ = undo(exercise.order_saga(), REFUND_FAILS)
    waits = [r.detail["after"] for r in world.history.for_instance("o-1")
             if r.kind == "retried" and r.sender == "order" and r.detail["role"] == "compensation"]
    assert waits == [0.5, 1.0, 2.0], f"the orchestrator waited {waits} before its retries"


@points(2, hint="With 4 attempts, a refund that fails for three sends (Payment's own 3 tries "
                 "each) goes through on the fourth, and the order ends 'compensated'.")
def test_a_refund_that_fails_three_times_then_works_leaves_ada_with_her_money(exercise):
    """A refund that fails three times, then works, leaves ada with her money"""
    world, orchestrator = undo(exercise.order_saga(), refund_fails(9))
    state = orchestrator.state("o-1")
    assert state == "compensated", f"the order ended {state!r}, not 'compensated'"
    assert world.service("payment").balance_cents("o-1") == 0


@points(2, hint="then=EMIT publishes CompensationFailed and goes on undoing the rest: the "
                 "dress goes back, and the order ends 'partially_compensated'.")
def test_a_refund_that_never_works_is_reported_and_the_dress_still_goes_back(exercise):
    """A refund that never works is reported, and the dress still goes back"""
    world, orchestrator = undo(exercise.order_saga(), REFUND_FAILS)
    state = orchestrator.state("o-1")
    assert state == "partially_compensated", f"the order ended {state!r}"
    emitted = world.history.where(kind="published", message_type="CompensationFailed")
    assert len(emitted) == 1, f"CompensationFailed was published {len(emitted)} time(s), not once"
    assert world.service("inventory").units("red-dress") == 10, "the dress is still reserved"


@points(2, hint="@subscribes(CompensationFailed) on open_ticket; the ticket is "
                 "{'order_id': event.correlation_id, 'step': event.step, 'command': event.command}.")
def test_the_support_desk_opens_a_ticket_to_finish_ada_s_refund_by_hand(exercise):
    """The support desk opens a ticket to finish ada's refund by hand"""
    desk = exercise.SupportDesk()
    undo(place_order_saga(CompensationPolicy(then="emit")), REFUND_FAILS, extra=[desk])
    assert desk.tickets == [{"order_id": "o-1", "step": "charging_payment",
                             "command": "RefundPayment"}], f"the tickets are {desk.tickets}"


@points(1, hint="One ticket per CompensationFailed, and none when every undo worked: "
                 "open_ticket appends exactly one ticket per event it hears.")
def test_the_support_desk_opens_one_ticket_per_failed_undo_and_none_otherwise(exercise):
    """The support desk opens one ticket per failed undo, and none otherwise"""
    desk = exercise.SupportDesk()
    undo(place_order_saga(CompensationPolicy(then="emit")), REFUND_FAILS, extra=[desk],
         orders=("o-1", "o-2"))
    assert sorted(t["order_id"] for t in desk.tickets) == ["o-1", "o-2"], (
        f"two refunds failed for good, and the tickets are {desk.tickets}")
    calm = exercise.SupportDesk()
    undo(place_order_saga(CompensationPolicy(then="emit")), extra=[calm])
    assert calm.tickets == [], f"every refund worked, yet the tickets are {calm.tickets}"


@points(2, hint="outcome: the last 'state' record's detail['to'] is the state; each 'failed' "
                 "record with a 'compensation' key gives (detail['compensation'], detail['then']).")
def test_outcome_names_the_undo_given_up_on_and_what_each_policy_did(exercise):
    """outcome names the undo given up on, and what each policy did"""
    expected = {"terminate": "compensation_failed", "discard": "partially_compensated",
                "emit": "partially_compensated"}
    for then, state in expected.items():
        world, _ = undo(place_order_saga(CompensationPolicy(then=then)), REFUND_FAILS)
        found = exercise.outcome(world.history.for_instance("o-1"))
        assert found == {"state": state, "gave_up": [("charging_payment", then)]}, (
            f"with then={then!r}, outcome gave {found}")


@points(1, hint="An order whose undo worked gave up on nothing: 'gave_up' is [] and the "
                 "state is the last one entered ('compensated', or 'completed').")
def test_outcome_of_an_order_undone_cleanly_gave_up_on_nothing(exercise):
    """outcome of an order undone cleanly gave up on nothing"""
    world, _ = undo(place_order_saga())
    found = exercise.outcome(world.history.for_instance("o-1"))
    assert found == {"state": "compensated", "gave_up": []}, f"outcome gave {found}"
    assert exercise.outcome([]) == {"state": "pending", "gave_up": []}, (
        "with no records at all, the order is still 'pending'")
