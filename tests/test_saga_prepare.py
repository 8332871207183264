"""A step's prepare fills in its command's data inside the orchestrator, or refuses the order:
the hook a God service grows from, and what orchestra.analysis.decisions reads."""
from __future__ import annotations

import pytest

from orchestra import FailNext, Rejected, RetryPolicy, World
from orchestra.orchestrator import Orchestrator
from orchestra.saga import InvalidSaga, Saga, Step
from orchestra.shop import (CancelShipment, ChargePayment, Inventory, Payment, RefundPayment,
                            ReleaseStock, ReserveStock, ScheduleShipment, Shipping)
from orchestra.shop.order import CATALOGUE, order_data
from orchestra.store import OrchestratorCrashed, SqliteStore

RED_DRESS = CATALOGUE["red-dress"]


def members_pay_less(data: dict) -> dict:
    """Ten per cent off for ada."""
    return {"amount_cents": data["amount_cents"] * 9 // 10} if data["customer"] == "ada" else {}


def two_at_most(data: dict) -> dict:
    if data["quantity"] > 2:
        raise Rejected("at most 2 per order")
    return {}


def saga_with(reserve=None, charge=None) -> Saga:
    return Saga("place_order", [
        Step("reserving_stock", ReserveStock, compensation=ReleaseStock, prepare=reserve),
        Step("charging_payment", ChargePayment, compensation=RefundPayment, prepare=charge),
        Step("scheduling_shipment", ScheduleShipment, compensation=CancelShipment),
    ])


def shop(saga, **store):
    world = World([Inventory({"red-dress": 5}), Payment(), Shipping()], seed=4)
    return world, Orchestrator(world, saga, name="order", **store)


def test_what_prepare_returns_goes_into_the_command_and_the_orders_data():
    world, order = shop(saga_with(charge=members_pay_less))
    order.start(order.sagas["place_order"], "ada-1", **order_data("ada-1", customer="ada"))
    world.run()
    assert world.service("payment").ledger == [("ada-1", RED_DRESS * 9 // 10)]
    assert order.instance("ada-1")["data"]["amount_cents"] == RED_DRESS * 9 // 10


def test_a_prepare_that_refuses_the_order_undoes_what_ran_and_sends_nothing_more():
    world, order = shop(saga_with(charge=lambda data: two_at_most(data)))
    order.start(order.sagas["place_order"], "bob-1", **order_data("bob-1", customer="bob",
                                                                  quantity=3))
    world.run()
    assert order.state("bob-1") == "compensated"
    assert world.service("inventory").units("red-dress") == 5  # reserved, then released
    sent = [r.message_type for r in world.history.for_instance("bob-1") if r.kind == "sent"]
    assert sent == ["ReserveStock", "ReleaseStock"]
    refusal = world.history.where(kind="failed", sender="order")
    assert [r.detail["error"] for r in refusal] == ["at most 2 per order"]
    assert order.instance("bob-1")["failed_step"] == "charging_payment"


def test_a_refusal_at_the_first_step_ends_the_order_with_nothing_to_undo():
    world, order = shop(saga_with(reserve=two_at_most))
    order.start(order.sagas["place_order"], "bob-1", **order_data("bob-1", quantity=3))
    world.run()
    assert order.state("bob-1") == "compensated"
    assert [r for r in world.history if r.kind == "sent"] == []


def test_prepare_runs_once_per_step_even_when_the_step_is_retried():
    calls = []

    def count(data):
        calls.append(data["order_id"])
        return {}
    saga = Saga("place_order", [Step("charging_payment", ChargePayment, prepare=count,
                                     retry=RetryPolicy(attempts=3))])
    world = World([Payment()], seed=4,
                  faults=[FailNext("payment", n=3)])
    order = Orchestrator(world, saga, name="order")
    order.start(saga, "ada-1", order_id="ada-1", customer="ada", amount_cents=100)
    world.run()
    assert order.state("ada-1") == "completed" and calls == ["ada-1"]


def test_a_recovered_order_keeps_what_prepare_decided_before_the_crash(tmp_path):
    path = tmp_path / "orders.sqlite"
    calls = []

    def priced(data):
        calls.append(1)
        return members_pay_less(data)
    saga = saga_with(charge=priced)
    world, order = shop(saga, store=SqliteStore(path, crash_after_writes=2))
    with pytest.raises(OrchestratorCrashed):  # right after storing the priced charge
        order.start(saga, "ada-1", **order_data("ada-1", customer="ada"))
        world.run()
    order.crash()
    recovered = Orchestrator.recover(world, saga, name="order", store=SqliteStore(path))
    world.run()
    assert recovered.state("ada-1") == "completed" and calls == [1]
    assert world.service("payment").ledger == [("ada-1", RED_DRESS * 9 // 10)]


def test_a_prepare_that_is_not_a_function_is_refused_when_the_saga_is_defined():
    with pytest.raises(InvalidSaga, match="prepare=.*pass a function"):
        Saga("place_order", [Step("reserving_stock", ReserveStock, prepare={"quantity": 1})])


def test_a_prepare_that_returns_no_dict_says_what_to_return():
    world, order = shop(saga_with(reserve=lambda data: None))
    with pytest.raises(TypeError, match="returns a dict of the fields"):
        order.start(order.sagas["place_order"], "ada-1", **order_data("ada-1"))
