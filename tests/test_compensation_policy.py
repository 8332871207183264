"""When an undo keeps failing, the saga's policy decides: retry, then terminate, discard or emit."""
from __future__ import annotations

import pytest

from orchestra import FailNext, RetryPolicy, Service, World, subscribes
from orchestra.orchestrator import Orchestrator
from orchestra.saga import CompensationFailed, CompensationPolicy, Saga
from orchestra.shop import Inventory, Payment, Shipping
from orchestra.shop.order import CATALOGUE, order_data, place_order_saga

RED_DRESS = CATALOGUE["red-dress"]
COURIER_FAILS = FailNext("shipping", 100, command="ScheduleShipment")
REFUND_FAILS = FailNext("payment", 100, command="RefundPayment")


class Accountant(Service):
    """Finishes by hand the refunds the orchestrator could not do."""

    name = "accountant"

    def __init__(self):
        self.to_do: list[CompensationFailed] = []

    @subscribes(CompensationFailed)
    def compensation_failed(self, event: CompensationFailed) -> None:
        self.to_do.append(event)


def run_order(policy=None, faults=(COURIER_FAILS, REFUND_FAILS), transport="direct"):
    """Ada buys the red dress; the courier cannot book it, so the saga undoes what it did."""
    world = World([Inventory(), Payment(), Shipping(), Accountant()], transport=transport,
                  seed=3, faults=faults)
    saga = place_order_saga(policy)
    orders = Orchestrator(world, saga, name="order")
    orders.start(saga, "o-1", **order_data("o-1", customer="ada"))
    world.run()
    return world, orders


def failed_undos(orders, order_id="o-1"):
    return [r.detail for r in orders.history(order_id) if r.kind == "failed"
            and r.sender == "order"]


def undo_retries(orders, order_id="o-1"):
    return [r.detail for r in orders.history(order_id) if r.kind == "retried"
            and r.sender == "order" and r.detail["role"] == "compensation"]


def published(world, message_type):
    return world.history.where(kind="published", message_type=message_type)


@pytest.mark.parametrize("transport", ["direct", "queued"])
def test_by_default_a_refund_that_keeps_failing_is_retried_then_the_saga_stops_there(transport):
    world, orders = run_order(transport=transport)
    assert orders.state("o-1") == "compensation_failed"
    assert [(d["step"], d["attempt"], d["after"]) for d in undo_retries(orders)] == [
        ("charging_payment", 2, 1.0), ("charging_payment", 3, 2.0)]
    [failure] = failed_undos(orders)
    assert failure["compensation"] == "charging_payment"
    assert failure["then"] == "terminate" and failure["attempts"] == 3
    assert "RefundPayment" in failure["error"]
    # Terminate: the rest is left undone, and no event pretends otherwise.
    assert world.service("inventory").reservations == {"o-1": ("red-dress", 1)}
    assert world.service("payment").ledger == [("o-1", RED_DRESS)]
    assert orders.progress("o-1")["done"] == ["reserving_stock", "charging_payment"]
    assert published(world, "CompensationFailed") == []
    assert published(world, "OrderRejected") == []


def test_discard_notes_the_failed_refund_and_still_puts_the_dress_back():
    world, orders = run_order(CompensationPolicy(then="discard"))
    assert orders.state("o-1") == "partially_compensated"
    [failure] = failed_undos(orders)
    assert (failure["compensation"], failure["then"]) == ("charging_payment", "discard")
    assert world.service("inventory").units("red-dress") == 10
    assert world.service("inventory").reservations == {}
    assert world.service("payment").balance_cents("o-1") == RED_DRESS  # the refund that failed
    assert published(world, "CompensationFailed") == []
    assert world.service("accountant").to_do == []


def test_emit_tells_the_accountant_which_refund_to_finish_and_goes_on_undoing():
    world, orders = run_order(CompensationPolicy(then="emit"))
    assert orders.state("o-1") == "partially_compensated"
    [failure] = failed_undos(orders)
    assert (failure["compensation"], failure["then"]) == ("charging_payment", "emit")
    [event] = published(world, "CompensationFailed")
    assert event.correlation_id == "o-1" and event.sender == "order"
    [to_do] = world.service("accountant").to_do
    assert (to_do.saga, to_do.step, to_do.command) == ("place_order", "charging_payment",
                                                       "RefundPayment")
    assert "injected failure" in to_do.error
    assert world.service("inventory").units("red-dress") == 10


def test_emit_names_the_release_when_it_is_the_undo_that_fails():
    release_fails = FailNext("inventory", 100, command="ReleaseStock")
    world, orders = run_order(CompensationPolicy(then="emit"),
                              faults=(COURIER_FAILS, release_fails))
    assert orders.state("o-1") == "partially_compensated"
    assert world.service("payment").balance_cents("o-1") == 0  # the refund went through
    [to_do] = world.service("accountant").to_do
    assert (to_do.step, to_do.command) == ("reserving_stock", "ReleaseStock")


def test_a_refund_that_fails_twice_is_retried_with_backoff_and_then_succeeds():
    # Each send of the refund is tried 3 times by payment itself: 6 failures spoil 2 sends.
    policy = CompensationPolicy(retry=RetryPolicy(attempts=4, backoff=0.5), then="terminate")
    flaky_refund = FailNext("payment", 6, command="RefundPayment")
    world, orders = run_order(policy, faults=(COURIER_FAILS, flaky_refund))
    assert orders.state("o-1") == "compensated"
    assert [(d["attempt"], d["after"]) for d in undo_retries(orders)] == [(2, 0.5), (3, 1.0)]
    refunds = [r for r in orders.history("o-1") if r.kind == "sent"
               and r.message_type == "RefundPayment"]
    retried = [r for r in orders.history("o-1") if r.kind == "retried" and r.sender == "order"]
    assert [round(s.time - r.time, 6) for r, s in zip(retried, refunds[1:])] == [0.5, 1.0]
    assert failed_undos(orders) == []
    assert world.service("payment").ledger == [("o-1", RED_DRESS), ("o-1", -RED_DRESS)]


def test_a_policy_of_one_attempt_gives_up_on_the_first_failure():
    policy = CompensationPolicy(retry=RetryPolicy(attempts=1), then="discard")
    world, orders = run_order(policy, faults=(COURIER_FAILS,
                                              FailNext("payment", 3, command="RefundPayment")))
    assert orders.state("o-1") == "partially_compensated"
    assert undo_retries(orders) == []
    assert failed_undos(orders)[0]["attempts"] == 1


def test_each_saga_has_its_own_policy_for_a_failing_undo():
    world = World([Inventory(), Payment(), Shipping(), Accountant()], seed=3,
                  faults=[COURIER_FAILS, REFUND_FAILS])
    strict = place_order_saga(CompensationPolicy(then="terminate"))
    lenient = Saga("place_gift_order", strict.steps,
                   on_compensation_failure=CompensationPolicy(then="emit"))
    orders = Orchestrator(world, [strict, lenient], name="order")
    orders.start(strict, "ada-1", **order_data("ada-1", customer="ada"))
    orders.start("place_gift_order", "bob-1", **order_data("bob-1", customer="bob"))
    world.run()
    assert orders.counts() == {"compensation_failed": 1, "partially_compensated": 1}
    assert orders.state("ada-1") == "compensation_failed"
    assert orders.state("bob-1") == "partially_compensated"
    assert [e.saga for e in world.service("accountant").to_do] == ["place_gift_order"]
