"""The machine a saga compiles to: transitions' semantics, at a fraction of the cost per order."""
from __future__ import annotations

import random

import pytest
from transitions import Machine, MachineError

from orchestra.machine import Models, Triggers
from orchestra.shop.order import place_order_saga

SAGA = place_order_saga()
TRIGGERS = sorted({move["trigger"] for move in SAGA.transitions})


class Order:
    """A bare model that notes every move the machine tells it about."""

    def __init__(self):
        self.moves = []

    def state_changed(self, event):
        self.moves.append((event.transition.source, event.transition.dest, event.event.name,
                           event.state.name, event.model is self))


class LeanOrder(Triggers):
    """A model with no bound methods: it finds its triggers on its machine."""

    __slots__ = ("machine", "state", "moves")

    def __init__(self, machine):
        self.machine = machine
        self.moves = []

    state_changed = Order.state_changed


def transitions_own_machine():
    return Machine(model=None, states=SAGA.states, transitions=SAGA.transitions,
                   initial="pending", auto_transitions=False, send_event=True,
                   after_state_change="state_changed", name=SAGA.name)


def fire(machine, model, trigger):
    try:
        return machine.events[trigger].trigger(model)
    except MachineError as error:
        return ("refused", str(error).split("!")[0])


def test_lean_moves_end_where_transitions_own_do_and_tell_the_callback_the_same():
    rng = random.Random(8)
    for _ in range(200):
        ours, theirs = SAGA.build_machine(), transitions_own_machine()
        a, b = Order(), Order()
        ours.add_model(a)
        theirs.add_model(b)
        for _ in range(6):
            trigger = rng.choice(TRIGGERS)
            assert fire(ours, a, trigger) == fire(theirs, b, trigger)
            assert a.state == b.state
        assert a.moves == b.moves


def test_a_move_with_a_callback_or_a_condition_goes_through_transitions_own_path():
    machine = SAGA.build_machine()
    entered = []
    machine.on_enter_charging_payment(lambda event: entered.append(event.model))
    order = Order()
    machine.add_model(order)
    order.start()
    order.step_succeeded()
    assert order.state == "charging_payment" and entered == [order]
    machine.add_transition("step_succeeded", "charging_payment", "completed",
                           conditions=lambda event: False)  # a second, guarded move
    order.step_succeeded()  # two moves from here: transitions decides; the first applies
    assert order.state == "scheduling_shipment"


def test_a_lean_machine_binds_nothing_yet_its_models_can_still_be_moved_by_hand():
    machine = SAGA.build_machine(lean=True)
    order = LeanOrder(machine)
    machine.add_model(order)
    assert order.state == "pending" and machine.models == [order]
    assert order.is_pending() and order.may_start() and not order.may_step_succeeded()
    order.start()
    assert order.state == "reserving_stock" and order.moves[-1][:3] == (
        "pending", "reserving_stock", "start")
    with pytest.raises(MachineError):
        order.compensation_gave_up()
    with pytest.raises(AttributeError, match="no attribute 'ship'.*step_succeeded"):
        order.ship()
    machine.remove_model(order)
    assert machine.models == []


def test_models_are_a_list_to_readers_with_removal_that_does_not_scan():
    models = Models()
    orders = [Order() for _ in range(3)]
    for order in orders:
        models.append(order)
    models.remove(orders[1])
    assert models == [orders[0], orders[2]] and len(models) == 2 and orders[0] in models
    assert models[1] is orders[2] and orders[1] not in models
    with pytest.raises(ValueError, match="not a model of this machine"):
        models.remove(orders[1])
