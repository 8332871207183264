"""Coupling, counted from the history: a star around the orchestrator, a mesh without one,
and how many components a new service touches in each style."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from orchestra import Command, Event, FailNext, Service, World, handles, subscribes
from orchestra.analysis import (changes, components_touched, contracts, coupling_report,
                                saga_wiring)
from orchestra.choreography import Tracker
from orchestra.orchestrator import Orchestrator
from orchestra.saga import Saga, Step
from orchestra.shop import (Inventory, OrderApproved, Payment, PaymentCharged, PlaceOrder,
                            Shipping)
from orchestra.shop.choreography import (ENDINGS, MILESTONES, ChoreographedInventory,
                                         ChoreographedOrders, ChoreographedPayment,
                                         ChoreographedShipping, build_choreographed_world)
from orchestra.shop.order import order_data, place_order_saga


@dataclass(frozen=True, kw_only=True)
class CplWrapParcel(Command):
    order_id: str


@dataclass(frozen=True, kw_only=True)
class CplUnwrapParcel(Command):
    order_id: str


@dataclass(frozen=True, kw_only=True)
class CplParcelWrapped(Event):
    order_id: str


class GiftWrapping(Service):
    """Wraps ada's red dress before the courier takes it."""

    name = "gift_wrapping"

    def __init__(self):
        self.wrapped: set[str] = set()

    @handles(CplWrapParcel)
    def wrap_parcel(self, command):
        self.wrapped.add(command.order_id)
        self.publish(CplParcelWrapped(order_id=command.order_id))

    @handles(CplUnwrapParcel)
    def unwrap_parcel(self, command):
        self.wrapped.discard(command.order_id)


class ChoreographedGiftWrapping(GiftWrapping):
    """Wraps the parcel as soon as it is paid for."""

    @subscribes(PaymentCharged)
    def wrap_when_paid(self, event):
        self.wrap_parcel(CplWrapParcel(order_id=event.order_id))


class ShippingAfterWrapping(ChoreographedShipping):
    """Shipping, re-wired: it books the courier once the parcel is wrapped, not once paid."""

    @subscribes(CplParcelWrapped)
    def ship_when_paid(self, event):
        super().ship_when_paid(event)


class Notifications(Service):
    """Emails ada when her order is approved; it only listens."""

    name = "notifications"

    def __init__(self):
        self.emails: list[str] = []

    @subscribes(OrderApproved)
    def order_approved(self, event):
        self.emails.append(f"order {event.order_id} approved")


def wrapping_saga() -> Saga:
    shop = place_order_saga()
    reserve, charge, ship = shop.steps
    return Saga("place_order", [reserve, charge, Step("wrapping_gift", CplWrapParcel,
                                                      compensation=CplUnwrapParcel), ship],
                on_compensation_failure=shop.on_compensation_failure,
                completed_event=shop.completed_event, compensated_event=shop.compensated_event)


def orchestrated(saga=None, extra=(), faults=(), orders=("o-1",)) -> World:
    """The shop run by an orchestrator named 'order', after ada's orders ran."""
    saga = saga or place_order_saga()
    world = World([Inventory(), Payment(), Shipping(), *extra], seed=1, faults=faults)
    orchestrator = Orchestrator(world, saga, name="order")
    for order_id in orders:
        orchestrator.start(saga, order_id, **order_data(order_id, customer="ada"))
    world.run()
    return world


def choreographed(services=None, orders=("o-1",)) -> World:
    """The choreographed shop (or the given services), after ada's orders ran."""
    if services is None:
        world = build_choreographed_world(seed=1)
    else:
        world = World(services, seed=1)
    for order_id in orders:
        world.send(PlaceOrder(order_id=order_id, customer="ada", sku="red-dress"),
                   correlation_id=order_id)
    world.run()
    return world


def choreographed_services(shipping=None, extra=(), milestones=None):
    return [ChoreographedOrders(), ChoreographedInventory(), ChoreographedPayment(),
            shipping or ChoreographedShipping(), Tracker(milestones or MILESTONES, ENDINGS),
            *extra]


# -- counting messages --------------------------------------------------------------------
def test_around_the_orchestrator_every_command_leaves_order_and_the_picture_is_a_star():
    report = coupling_report(orchestrated().history)
    assert report.pairs == {("order", "inventory"): {"command": 1, "event": 0},
                            ("order", "payment"): {"command": 1, "event": 0},
                            ("order", "shipping"): {"command": 1, "event": 0}}
    assert report.hub == "order" and report.is_star
    assert report.connections == 3
    order = report.figures("order")
    assert (order.commands_sent, order.fan_out, order.fan_in) == (3, 3, 0)
    assert order.depends_on == ("inventory", "payment", "shipping")
    assert report.figures("payment").needed_by == ("order",)


def test_a_charge_sent_again_after_a_failure_counts_as_one_command():
    # Payment tries 3 times itself, so 3 failures spoil the saga's first send of the charge.
    world = orchestrated(faults=[FailNext("payment", n=3, command="ChargePayment")])
    sends = world.history.where(kind="sent", message_type="ChargePayment")
    assert len(sends) == 2
    assert coupling_report(world.history).count("order", "payment", "command") == 1


def test_an_event_counts_once_for_each_subscriber_that_hears_it():
    report = coupling_report(choreographed().history)
    order = report.figures("order")
    assert order.events_published == 2  # OrderPlaced, OrderApproved
    for listener in ("inventory", "payment", "shipping", "tracker"):
        assert report.count("order", listener, "event") >= 1
    assert report.messages[("order", "payment", "event")] == {"OrderPlaced": 1}
    assert order.commands_sent == 0


def test_fan_in_and_fan_out_count_partners_while_the_counts_grow_with_the_orders():
    one = coupling_report(orchestrated(orders=("o-1",)).history).figures("order")
    three = coupling_report(orchestrated(orders=("o-1", "o-2", "o-3")).history).figures("order")
    assert three.commands_sent == 3 * one.commands_sent == 9
    assert three.fan_out == one.fan_out == 3


def test_the_client_is_left_out_unless_asked_for():
    history = choreographed().history
    assert "client" not in coupling_report(history).services
    with_client = coupling_report(history, ignore=())
    assert with_client.count("client", "order", "command") == 1
    assert "tracker" not in coupling_report(history, ignore=("client", "tracker")).services


def test_figures_for_a_service_that_never_spoke_say_which_did():
    with pytest.raises(KeyError, match="seen: order"):
        coupling_report(orchestrated().history).figures("gift_wrapping")


# -- who depends on whom ------------------------------------------------------------------
def test_a_command_makes_the_sender_depend_on_the_handler_and_an_event_the_reverse():
    world = World([GiftWrapping(), Notifications()], seed=1)
    world.call(CplWrapParcel(order_id="o-1"))
    world.publish(OrderApproved(order_id="o-1"), sender="gift_wrapping")
    world.run()
    depends = coupling_report(world.history, ignore=()).dependencies
    assert depends["client"] == {"gift_wrapping"}      # it needs its command handled
    assert depends["notifications"] == {"gift_wrapping"}  # it needs the publisher's fact
    assert depends["gift_wrapping"] == set()


def test_the_orchestrated_shop_has_no_dependency_cycle_and_the_choreographed_one_does():
    assert coupling_report(orchestrated().history).cycles() == []
    report = coupling_report(choreographed().history, ignore=("client", "tracker"))
    assert report.cycles() == [["inventory", "order", "payment", "shipping"]]
    assert not report.is_star and report.connections == 5
    assert report.figures("shipping").depends_on == ("order", "payment")


def test_the_report_shows_itself_as_a_table_with_its_verdict():
    shown = coupling_report(orchestrated().history)._repr_html_()
    assert "<table>" in shown and "fan-in" in shown
    assert "a star around order" in shown and "dependency cycles: none" in shown
    assert "3 connections" in repr(coupling_report(orchestrated().history))


# -- contracts and the components a change touches ----------------------------------------
def test_a_contract_reads_the_handler_tables_and_the_events_the_history_shows():
    found = contracts(choreographed())
    assert "hears StockReserved" in found["payment"]
    assert "handles ChargePayment" in found["payment"]
    assert "publishes PaymentCharged" in found["payment"]
    assert "publishes PaymentRefunded" not in found["payment"]  # no order was refunded
    assert "client" not in found


def test_events_no_one_hears_wire_nothing_so_an_undone_order_changes_no_contract():
    courier_fails = FailNext("shipping", n=100, command="ScheduleShipment")
    undone = orchestrated(faults=[courier_fails])
    assert undone.history.where(kind="published", message_type="StockReleased")
    assert "publishes StockReleased" not in contracts(undone)["inventory"]
    assert components_touched(orchestrated(), undone) == []


def test_an_orchestrators_contract_is_its_saga_definition():
    found = contracts(orchestrated())
    assert found["order"] == frozenset(saga_wiring(place_order_saga()))
    assert ("saga place_order: reserving_stock -> charging_payment -> scheduling_shipment"
            in found["order"])


def test_the_same_world_built_twice_touches_nothing():
    assert components_touched(orchestrated(), orchestrated()) == []
    assert components_touched(choreographed(), choreographed()) == []


def test_adding_a_step_to_the_saga_touches_the_orchestrator_and_the_new_service_only():
    before = orchestrated()
    after = orchestrated(wrapping_saga(), extra=[GiftWrapping()])
    assert after.service("gift_wrapping").wrapped == {"o-1"}
    assert sorted(components_touched(before, after)) == ["gift_wrapping", "order"]


def test_adding_a_step_to_the_choreography_touches_its_neighbour_and_the_tracker_too():
    milestones = {**MILESTONES, CplParcelWrapped: "wrapped"}
    before = choreographed(choreographed_services())
    after = choreographed(choreographed_services(ShippingAfterWrapping(),
                                                 [ChoreographedGiftWrapping()], milestones))
    assert after.service("tracker").milestones_of("o-1")[-2:] == ["shipment booked", "approved"]
    assert sorted(components_touched(before, after)) == ["gift_wrapping", "shipping", "tracker"]
    shipping = changes(before, after)["shipping"]
    assert shipping.added == ("hears CplParcelWrapped",)
    assert shipping.removed == ("hears PaymentCharged",)
    assert shipping.describe() == "shipping: + hears CplParcelWrapped, - hears PaymentCharged"


def test_a_listener_on_an_event_already_published_touches_only_itself_in_either_style():
    assert components_touched(orchestrated(), orchestrated(extra=[Notifications()])) == [
        "notifications"]
    before = choreographed(choreographed_services())
    after = choreographed(choreographed_services(extra=[Notifications()]))
    assert components_touched(before, after) == ["notifications"]
    assert after.service("notifications").emails == ["order o-1 approved"]
    [change] = changes(before, after).values()
    assert change.new and change.describe() == "notifications: new (hears OrderApproved)"


def test_a_service_taken_away_is_reported_gone():
    before = orchestrated(extra=[Notifications()])
    found = changes(before, orchestrated())
    assert list(found) == ["notifications"] and found["notifications"].gone
    assert found["notifications"].describe() == "notifications: removed"
