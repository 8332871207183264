"""A saga definition is data: checked when it is defined, compiled to one state machine.

Message classes defined here carry the prefix ``SagaDef`` (JSON names a message by its
class name, so names must be unique in the whole test process).
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from transitions import Machine, MachineError

from orchestra import Command, RetryPolicy, World
from orchestra.orchestrator import Orchestrator
from orchestra.saga import CompensationPolicy, InvalidSaga, Saga, Step
from orchestra.shop import (CancelShipment, ChargePayment, Inventory, Payment, RefundPayment,
                            ReleaseStock, ReserveStock, ScheduleShipment, Shipping)
from orchestra.shop.order import place_order_saga

PLACE_ORDER_STATES = [
    "pending", "reserving_stock", "charging_payment", "scheduling_shipment", "completed",
    "compensating_scheduling_shipment", "compensating_charging_payment",
    "compensating_reserving_stock", "compensated", "partially_compensated",
    "compensation_failed",
]


@dataclass(frozen=True, kw_only=True)
class SagaDefWrapGift(Command):
    """Wrap the red dress in gift paper."""

    order_id: str


@dataclass(frozen=True, kw_only=True)
class SagaDefUnwrapGift(Command):
    """Take the gift paper off again (nobody handles this one)."""

    order_id: str


class SagaDefNotACommand:
    """A plain class that someone mistook for a command."""


def reserve(name="reserving_stock", **options):
    return Step(name, ReserveStock, compensation=ReleaseStock, **options)


def the_shop():
    return World([Inventory(), Payment(), Shipping()], seed=1)


# -- a definition reads like the business process -------------------------------------------
def test_the_place_order_saga_lists_its_steps_in_business_order():
    saga = place_order_saga()
    assert [s.name for s in saga.steps] == ["reserving_stock", "charging_payment",
                                            "scheduling_shipment"]
    assert [(s.action, s.compensation) for s in saga.steps] == [
        (ReserveStock, ReleaseStock), (ChargePayment, RefundPayment),
        (ScheduleShipment, CancelShipment)]
    assert saga.by_name["charging_payment"].retry == RetryPolicy(attempts=2, backoff=0.5)
    assert all(s.timeout == 2.0 for s in saga.steps)


def test_the_states_of_the_place_order_saga_read_as_conditions():
    assert place_order_saga().states == PLACE_ORDER_STATES


def test_a_step_with_nothing_to_undo_has_no_compensating_state():
    saga = Saga("gift_order", [reserve(), Step("wrapping_gift", SagaDefWrapGift)])
    assert "compensating_wrapping_gift" not in saga.states
    assert "compensating_reserving_stock" in saga.states


def test_the_data_an_order_needs_is_every_command_field_without_a_default():
    assert place_order_saga().required_fields() == {"order_id", "sku", "customer",
                                                     "amount_cents", "address"}


# -- invalid definitions are refused when defined, saying what to change ----------------------
def test_a_saga_with_no_steps_is_refused_asking_for_a_step():
    with pytest.raises(InvalidSaga, match=r"'empty_cart' has no steps; give it at least one Step"):
        Saga("empty_cart", [])


def test_two_steps_with_one_name_are_refused_naming_the_name():
    with pytest.raises(InvalidSaga) as refused:
        Saga("place_order", [reserve(), Step("charging_payment", ChargePayment), reserve()])
    assert "two steps named 'reserving_stock'" in str(refused.value)
    assert "each step needs its own name" in str(refused.value)


@pytest.mark.parametrize("timeout", [0, -2.5, float("nan"), "2s"])
def test_a_timeout_that_is_not_a_positive_number_of_seconds_is_refused(timeout):
    with pytest.raises(InvalidSaga) as refused:
        Saga("place_order", [reserve(timeout=timeout)])
    message = str(refused.value)
    assert "reserving_stock" in message and f"timeout={timeout!r}" in message
    assert "must be > 0" in message


@pytest.mark.parametrize("name", ["completed", "pending", "compensating_payment",
                                  "compensated"])
def test_a_step_named_like_a_state_the_saga_uses_itself_is_refused(name):
    with pytest.raises(InvalidSaga, match="which the saga uses itself; name the step after what "
                                          "it is doing"):
        Saga("place_order", [reserve(name)])


@pytest.mark.parametrize("name", ["charging payment", "3rd_step", "class", ""])
def test_a_step_name_that_cannot_be_a_state_name_is_refused(name):
    with pytest.raises(InvalidSaga, match="use letters, digits and _"):
        Saga("place_order", [reserve(name)])


def test_an_action_that_is_not_a_command_class_is_refused():
    with pytest.raises(InvalidSaga, match=r"its action is .*SagaDefNotACommand.*pass a Command "
                                          r"class, like ReserveStock"):
        Saga("place_order", [Step("reserving_stock", SagaDefNotACommand)])


def test_a_compensation_that_is_an_instance_not_a_class_is_refused():
    release = ReleaseStock(order_id="o-1")
    with pytest.raises(InvalidSaga, match="its compensation is .*pass a Command class"):
        Saga("place_order", [Step("reserving_stock", ReserveStock, compensation=release)])


def test_something_that_is_not_a_step_is_refused_showing_how_to_write_one():
    with pytest.raises(InvalidSaga, match=r"step 2 is .*; write Step\(name, Command, \.\.\.\)"):
        Saga("place_order", [reserve(), ("charging_payment", ChargePayment)])


def test_a_completed_event_that_is_not_an_event_class_is_refused():
    with pytest.raises(InvalidSaga, match="is not an Event class"):
        Saga("place_order", [reserve()], completed_event=ChargePayment)


def test_an_unknown_policy_for_a_failing_compensation_is_refused_naming_the_choices():
    with pytest.raises(InvalidSaga, match="then='ignore'.*'terminate', 'discard', 'emit'"):
        CompensationPolicy(then="ignore")


def test_an_action_no_service_handles_is_refused_naming_it_and_what_is_handled():
    shop_without_courier = World([Inventory(), Payment()], seed=1)
    with pytest.raises(InvalidSaga) as refused:
        Orchestrator(shop_without_courier, place_order_saga(), name="order")
    message = str(refused.value)
    assert "step 'scheduling_shipment': no service handles its action ScheduleShipment" in message
    assert "add a service that does, or use one of:" in message
    assert "ChargePayment" in message and "ReserveStock" in message


def test_a_compensation_no_service_handles_is_refused_naming_it():
    class GiftWrapper(Inventory):  # handles wrapping, but nobody can unwrap
        name = "gift_wrapper"

    saga = Saga("gift_order", [Step("wrapping_gift", ReserveStock,
                                    compensation=SagaDefUnwrapGift)])
    with pytest.raises(InvalidSaga, match="step 'wrapping_gift': no service handles its "
                                          "compensation SagaDefUnwrapGift"):
        Orchestrator(World([GiftWrapper()], seed=1), saga)


def test_a_refused_orchestrator_joins_no_world():
    shop_without_courier = World([Inventory(), Payment()], seed=1)
    with pytest.raises(InvalidSaga):
        Orchestrator(shop_without_courier, place_order_saga(), name="order")
    assert "order" not in shop_without_courier.endpoints


# -- one machine per definition, instances as models on it ----------------------------------
class Model:
    """A bare model, to move along the machine by hand."""

    def state_changed(self, event):
        pass


def test_the_compiled_machine_has_the_definitions_states_and_no_auto_transitions():
    machine = place_order_saga().build_machine()
    assert isinstance(machine, Machine)
    assert list(machine.states) == PLACE_ORDER_STATES
    assert machine.auto_transitions is False
    assert machine.models == []
    order = Model()
    machine.add_model(order)
    assert order.state == "pending"
    assert not hasattr(order, "to_completed")  # no jumping straight to an ending


def test_the_machine_only_allows_the_moves_of_the_business_process():
    machine = place_order_saga().build_machine()
    order = Model()
    machine.add_model(order)
    order.start()
    order.step_succeeded()
    assert order.state == "charging_payment"
    with pytest.raises(MachineError):
        order.compensate_scheduling_shipment()  # never undo a step that has not started
    order.compensate_reserving_stock()
    assert order.state == "compensating_reserving_stock"
    with pytest.raises(MachineError):
        order.compensate_charging_payment()     # undo goes backwards only
    order.compensation_done()
    assert order.state == "compensated"
    with pytest.raises(MachineError):
        order.start()                           # an ending is an ending


def test_a_completed_order_cannot_be_compensated_afterwards():
    machine = place_order_saga().build_machine()
    order = Model()
    machine.add_model(order)
    order.start()
    for _ in range(3):
        order.step_succeeded()
    assert order.state == "completed"
    for trigger in ("compensate_reserving_stock", "compensation_done", "compensation_gave_up"):
        with pytest.raises(MachineError):
            getattr(order, trigger)()


def test_every_order_of_one_orchestrator_is_a_model_on_its_one_machine():
    world = the_shop()
    saga = place_order_saga()
    orchestrator = Orchestrator(world, saga, name="order")
    assert list(orchestrator.machines) == ["place_order"]
    machine = orchestrator.machines["place_order"]
    orders = [orchestrator.start(saga, f"o-{i}", order_id=f"o-{i}", customer="ada",
                                 sku="red-dress", amount_cents=8_900, address="Springfield")
              for i in range(3)]
    assert machine.models == orders
    assert all(order.state == "reserving_stock" for order in orders)
    world.run()
    assert machine.models == []  # finished orders leave the machine
    assert orchestrator.counts() == {"completed": 3}


def test_a_diagram_machine_is_a_graph_machine_that_forgets_a_removed_models_graph():
    machine = place_order_saga().build_machine(diagrams=True)
    order = Model()
    machine.add_model(order)
    assert id(order) in machine.model_graphs
    machine.remove_model(order)
    assert machine.model_graphs == {} and machine.models == []
