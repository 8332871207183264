"""The orchestrator runs the shop's saga: steps in order, retries, time-outs, undo in reverse."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from orchestra import Down, FailNext, Latency, OrchestraError, World
from orchestra.orchestrator import Orchestrator, SagaInstance
from orchestra.saga import Saga
from orchestra.shop import (CancelShipment, Inventory, Payment, RefundPayment, ReleaseStock,
                            Shipping)
from orchestra.shop.order import CATALOGUE, place_order_saga, order_data
from orchestra.store import SqliteStore

STEPS = ["reserving_stock", "charging_payment", "scheduling_shipment"]
RED_DRESS = CATALOGUE["red-dress"]
TRANSPORTS = ["direct", "queued"]


@dataclass
class Shop:
    """The shop's services and its order orchestrator, in one world."""

    world: World
    saga: Saga
    orders: Orchestrator

    @property
    def inventory(self) -> Inventory:
        return self.world.service("inventory")

    @property
    def payment(self) -> Payment:
        return self.world.service("payment")

    @property
    def shipping(self) -> Shipping:
        return self.world.service("shipping")

    def buy(self, order_id: str, **details) -> SagaInstance:
        return self.orders.start(self.saga, order_id, **order_data(order_id, **details))

    def states(self, order_id: str) -> list[str]:
        return [r.detail["to"] for r in self.orders.history(order_id) if r.kind == "state"]

    def sent(self, order_id: str, command: str | None = None):
        return [r for r in self.orders.history(order_id) if r.kind == "sent"
                and (command is None or r.message_type == command)]

    def undone(self, order_id: str) -> list[str]:
        return [s[len("compensating_"):] for s in self.states(order_id)
                if s.startswith("compensating_")]


def open_shop(transport="direct", *, stock=None, card_limit_cents=100_000, delivers_to=(),
              faults=(), store=None, **world_options) -> Shop:
    world = World([Inventory(stock), Payment(card_limit_cents), Shipping(delivers_to)],
                  transport=transport, seed=7, faults=faults, **world_options)
    saga = place_order_saga()
    return Shop(world, saga, Orchestrator(world, saga, name="order", store=store))


# -- the happy path, over either transport --------------------------------------------------
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_customer_ada_buys_the_red_dress_and_it_is_reserved_charged_and_shipped_once(transport):
    shop = open_shop(transport)
    shop.buy("o-1", customer="ada")
    shop.world.run()
    assert shop.orders.state("o-1") == "completed"
    assert shop.states("o-1") == STEPS + ["completed"]
    assert shop.inventory.reservations == {"o-1": ("red-dress", 1)}
    assert shop.inventory.units("red-dress") == 9
    assert shop.payment.ledger == [("o-1", RED_DRESS)]
    assert list(shop.shipping.shipments) == ["o-1"]
    approved = shop.world.history.where(kind="published", message_type="OrderApproved")
    assert [r.correlation_id for r in approved] == ["o-1"]


def test_the_same_saga_definition_runs_over_direct_calls_and_over_queues():
    saga = place_order_saga()
    runs = {}
    for transport in TRANSPORTS:
        world = World([Inventory(), Payment(), Shipping()], transport=transport, seed=7)
        orders = Orchestrator(world, saga, name="order")
        orders.start(saga, "o-1", **order_data("o-1"))
        world.run()
        runs[transport] = (world, orders)
    (direct, by_call), (queued, by_queue) = runs["direct"], runs["queued"]

    def moves(orders):
        return [(r.detail["from"], r.detail["to"]) for r in orders.history("o-1")
                if r.kind == "state"]
    assert moves(by_call) == moves(by_queue) == list(zip(["pending"] + STEPS,
                                                         STEPS + ["completed"]))
    assert [r.message_type for r in direct.history.where(kind="sent")] == \
        [r.message_type for r in queued.history.where(kind="sent")]
    assert direct.history.where(kind="enqueued") == []
    assert queued.history.where(kind="enqueued", message_type="ChargePayment") != []
    assert direct.service("payment").ledger == queued.service("payment").ledger


def test_a_finished_order_leaves_the_machine_and_is_read_back_from_the_store():
    shop = open_shop()
    shop.buy("o-1")
    shop.world.run()
    assert shop.orders.active == {}
    assert shop.orders.machines["place_order"].models == []
    finished = shop.orders.instance("o-1")
    assert isinstance(finished, dict) and finished["state"] == "completed"
    assert shop.orders.progress("o-1") == {"done": STEPS, "in_progress": [], "not_started": []}


# -- failures the services report -----------------------------------------------------------
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_out_of_stock_blue_scarf_is_rejected_with_nothing_to_undo(transport):
    shop = open_shop(transport, stock={"blue-scarf": 0})
    shop.buy("o-1", sku="blue-scarf")
    shop.world.run()
    assert shop.orders.state("o-1") == "compensated"
    assert shop.states("o-1") == ["reserving_stock", "compensated"]
    assert [r.message_type for r in shop.sent("o-1")] == ["ReserveStock"]
    assert "only 0 x blue-scarf left" in shop.orders.instance("o-1")["error"]
    assert shop.payment.ledger == [] and shop.shipping.shipments == {}
    rejected = shop.world.history.where(kind="published", message_type="OrderRejected")
    assert [r.correlation_id for r in rejected] == ["o-1"]


def test_a_declined_card_puts_the_dress_back_and_refunds_nothing():
    shop = open_shop(card_limit_cents=5_000)
    shop.buy("o-1")
    shop.world.run()
    assert shop.orders.state("o-1") == "compensated"
    assert shop.undone("o-1") == ["reserving_stock"]
    assert shop.sent("o-1", "RefundPayment") == []
    assert shop.inventory.units("red-dress") == 10 and shop.payment.ledger == []


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_courier_that_cannot_book_gets_the_card_refunded_then_the_dress_released(transport):
    shop = open_shop(transport, faults=[FailNext("shipping", 100, command="ScheduleShipment")])
    shop.buy("o-1")
    shop.world.run()
    assert shop.orders.state("o-1") == "compensated"
    assert shop.undone("o-1") == ["charging_payment", "reserving_stock"]
    assert [r.message_type for r in shop.sent("o-1") if r.message_id.endswith(":undo")] == [
        "RefundPayment", "ReleaseStock"]
    # One at a time: the release leaves only after the refund's reply came back.
    refund_replied = next(r.seq for r in shop.orders.history("o-1") if r.kind == "replied"
                          and r.detail["command"] == "RefundPayment")
    release_sent = shop.sent("o-1", "ReleaseStock")[0].seq
    assert refund_replied < release_sent
    assert shop.payment.ledger == [("o-1", RED_DRESS), ("o-1", -RED_DRESS)]
    assert shop.inventory.units("red-dress") == 10 and shop.shipping.shipments == {}


# -- retries and time-outs, in virtual time -------------------------------------------------
def test_a_payment_glitch_is_retried_after_the_steps_backoff_and_charges_once():
    shop = open_shop(faults=[FailNext("payment", 3, command="ChargePayment")])
    shop.buy("o-1")
    shop.world.run()
    assert shop.orders.state("o-1") == "completed"
    retried = [r for r in shop.orders.history("o-1") if r.kind == "retried" and r.sender == "order"]
    assert [(r.detail["step"], r.detail["attempt"], r.detail["after"]) for r in retried] == [
        ("charging_payment", 2, 0.5)]
    first, second = shop.sent("o-1", "ChargePayment")
    assert second.time == pytest.approx(retried[0].time + 0.5)
    assert first.message_id == second.message_id  # the same command, sent again
    assert shop.payment.ledger == [("o-1", RED_DRESS)]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_courier_that_answers_too_late_times_out_and_its_late_booking_is_cancelled(transport):
    shop = open_shop(transport, faults=[Latency("shipping", seconds=3.0, until=1.0)])
    shop.buy("o-1")
    shop.world.run()
    booking = shop.sent("o-1", "ScheduleShipment")[0]
    timed_out = [r for r in shop.orders.history("o-1") if r.kind == "timed_out"]
    assert [r.message_type for r in timed_out] == ["ScheduleShipment"]
    assert timed_out[0].time == pytest.approx(booking.time + 2.0)
    # The undo of a step is owed before it runs: a step that timed out may have happened.
    assert shop.orders.state("o-1") == "compensated"
    assert shop.undone("o-1") == ["scheduling_shipment", "charging_payment", "reserving_stock"]
    assert shop.shipping.shipments == {} and "o-1" in shop.shipping.cancelled
    assert shop.payment.balance_cents("o-1") == 0 and shop.inventory.units("red-dress") == 10


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_reservation_that_had_not_happened_yet_is_released_safely_and_never_happens(transport):
    # The ReserveStock crawls (10 s); the ReleaseStock sent after the time-out overtakes it.
    shop = open_shop(transport, faults=[Latency("inventory", seconds=10.0, until=1.0)])
    shop.buy("o-1")
    shop.world.run()
    assert shop.orders.state("o-1") == "compensated"
    assert shop.undone("o-1") == ["reserving_stock"]
    release = [r for r in shop.orders.history("o-1") if r.kind == "replied"
               and r.detail["command"] == "ReleaseStock"]
    assert release[0].detail["result"] == {"released": 0}
    late = [r for r in shop.orders.history("o-1") if r.kind == "failed"
            and r.message_type == "ReserveStock"]
    assert "released already" in late[0].detail["error"]
    assert shop.inventory.units("red-dress") == 10 and shop.inventory.reservations == {}


UNDONE_ONCE = {
    ReleaseStock: lambda shop: shop.inventory.units("red-dress") == 10
    and shop.inventory.reservations == {},
    RefundPayment: lambda shop: shop.payment.ledger == [("o-1", RED_DRESS), ("o-1", -RED_DRESS)],
    CancelShipment: lambda shop: shop.shipping.shipments == {}
    and shop.shipping.cancelled == {"o-1", "ghost-1"},
}


@pytest.mark.parametrize("undo", UNDONE_ONCE, ids=lambda undo: undo.__name__)
def test_every_undo_is_safe_twice_and_on_an_order_that_never_happened(undo):
    shop = open_shop()
    shop.buy("o-1")
    shop.world.run()
    for order_id in ("o-1", "o-1", "ghost-1"):
        assert shop.world.call(undo(order_id=order_id), timeout=2.0).ok
    assert UNDONE_ONCE[undo](shop)
    assert shop.payment.balance_cents("ghost-1") == 0


@pytest.mark.parametrize("faults", [
    # The first charge crawls past its time-out; the retry is refused (payment is down).
    [Latency("payment", seconds=3.0, until=1.0), Down("payment", at=2.0, until=2.9)],
    # The first charge crawls past its time-out; the retry overtakes it and gives up.
    [Latency("payment", seconds=3.0, until=1.0), FailNext("payment", 3, command="ChargePayment")],
], ids=["retry-refused", "retry-gave-up"])
def test_a_charge_that_lands_after_its_retry_failed_is_refunded(faults):
    shop = open_shop("direct", faults=faults)
    shop.buy("o-1", customer="ada")
    shop.world.run()
    assert shop.orders.state("o-1") == "compensated"
    assert shop.payment.balance_cents("o-1") == 0
    assert shop.inventory.units("red-dress") == 10


# -- outages: queues wait, direct calls are refused -----------------------------------------
def test_with_queues_a_booking_waits_for_the_courier_to_come_back_and_the_order_completes():
    shop = open_shop("queued", faults=[Down("shipping", until=1.0)])
    shop.buy("o-1")
    shop.world.run()
    assert shop.orders.state("o-1") == "completed"
    delivered = shop.world.history.where(kind="delivered", message_type="ScheduleShipment")
    assert [r.time for r in delivered] == [1.0]


def test_with_direct_calls_a_courier_that_is_down_refuses_at_once_and_nothing_is_booked():
    shop = open_shop("direct", faults=[Down("shipping", until=30.0)])
    shop.buy("o-1")
    shop.world.run()
    assert shop.orders.state("o-1") == "compensated"
    assert [r.message_type for r in shop.world.history.where(kind="unavailable")] == [
        "ScheduleShipment"]
    assert shop.undone("o-1") == ["charging_payment", "reserving_stock"]  # nothing was booked
    assert shop.sent("o-1", "CancelShipment") == []
    compensated = [r for r in shop.orders.history("o-1") if r.kind == "state"][-1]
    assert compensated.time < 1.0  # refused at once: no waiting for a time-out


def test_duplicate_deliveries_change_nothing_the_second_time():
    shop = open_shop("queued", duplicate_probability=1.0)
    shop.buy("o-1")
    shop.world.run()
    assert shop.orders.state("o-1") == "completed"
    assert shop.world.history.where(kind="duplicate", receiver="payment") != []
    assert shop.payment.ledger == [("o-1", RED_DRESS)]
    assert shop.inventory.units("red-dress") == 9 and len(shop.shipping.shipments) == 1


# -- visibility: state, progress, history, counts -------------------------------------------
def test_an_order_shows_which_steps_are_done_in_progress_and_not_started():
    shop = open_shop(faults=[Latency("payment", seconds=1.0, until=0.5)])
    shop.buy("o-1")
    assert shop.orders.progress("o-1") == {"done": [], "in_progress": ["reserving_stock"],
                                           "not_started": STEPS[1:]}
    shop.world.run(until=0.5)
    assert shop.orders.state("o-1") == "charging_payment"
    assert shop.orders.progress("o-1") == {"done": ["reserving_stock"],
                                           "in_progress": ["charging_payment"],
                                           "not_started": ["scheduling_shipment"]}
    assert shop.orders.counts() == {"charging_payment": 1}
    shop.world.run()
    assert shop.orders.progress("o-1") == {"done": STEPS, "in_progress": [], "not_started": []}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_blue_scarf_that_was_out_of_stock_shows_its_reservation_as_tried_not_unstarted(
        transport):
    shop = open_shop(transport, stock={"blue-scarf": 0})
    shop.buy("o-1", sku="blue-scarf")
    shop.world.run()
    assert shop.orders.progress("o-1") == {"done": [], "in_progress": [],
                                           "not_started": ["charging_payment",
                                                           "scheduling_shipment"]}


def test_while_a_declined_card_is_being_undone_the_charge_shows_as_tried_not_unstarted():
    shop = open_shop(card_limit_cents=5_000, faults=[Latency("inventory", seconds=1.0, at=0.01)])
    shop.buy("o-1")
    shop.world.run(until=0.5)
    assert shop.orders.state("o-1") == "compensating_reserving_stock"
    assert shop.orders.progress("o-1") == {"done": ["reserving_stock"], "in_progress": [],
                                           "not_started": ["scheduling_shipment"]}


def test_the_orchestrator_counts_orders_by_state_running_and_finished():
    shop = open_shop(stock={"red-dress": 10, "blue-scarf": 0, "green-hat": 5},
                     delivers_to=("Springfield",),
                     faults=[Latency("payment", seconds=1.0, until=0.5)])
    shop.buy("ada-1", customer="ada")
    shop.buy("bob-1", customer="bob", sku="blue-scarf")
    shop.buy("cy-1", customer="cy", sku="green-hat", address="12 Elm Street, Shelbyville")
    assert shop.orders.counts() == {"reserving_stock": 3}
    shop.world.run(until=0.5)
    assert shop.orders.counts() == {"charging_payment": 2, "compensated": 1}
    shop.world.run()
    assert shop.orders.counts() == {"completed": 1, "compensated": 2}
    assert shop.orders.state("cy-1") == "compensated"
    assert "no courier delivers to" in shop.orders.instance("cy-1")["error"]


def test_an_orders_history_tells_its_whole_story_and_the_store_keeps_the_orchestrators_part(
        tmp_path):
    shop = open_shop(store=SqliteStore(tmp_path / "orders.sqlite"))
    shop.buy("o-1")
    shop.buy("o-2", customer="bob")
    shop.world.run()
    story = shop.orders.history("o-1")
    assert {r.correlation_id for r in story} == {"o-1"}
    assert [r.seq for r in story] == sorted(r.seq for r in story)
    assert [r.message_type for r in story if r.kind == "sent"] == [
        "ReserveStock", "ChargePayment", "ScheduleShipment"]
    assert [r.kind for r in story].count("replied") == 3
    stored = shop.orders.store.history("o-1")
    assert stored == [r.to_dict() for r in story if r.sender == "order" and r.kind == "state"]


# -- mistakes when starting an order --------------------------------------------------------
def test_starting_an_order_twice_is_refused_even_after_it_finished():
    shop = open_shop()
    shop.buy("o-1")
    with pytest.raises(OrchestraError, match="an instance 'o-1' exists already"):
        shop.buy("o-1")
    shop.world.run()
    with pytest.raises(OrchestraError, match="exists already"):
        shop.buy("o-1")
    assert shop.payment.ledger == [("o-1", RED_DRESS)]


def test_starting_an_order_without_its_data_names_what_to_pass():
    shop = open_shop()
    with pytest.raises(OrchestraError) as refused:
        shop.orders.start(shop.saga, "o-1", order_id="o-1", sku="red-dress")
    message = str(refused.value)
    assert "needs address, amount_cents, customer" in message
    assert "start('place_order', 'o-1', address=..., amount_cents=..., customer=...)" in message
    assert shop.orders.counts() == {}


def test_asking_for_an_order_nobody_placed_names_the_running_ones():
    shop = open_shop()
    shop.buy("o-1")
    with pytest.raises(OrchestraError, match="no instance 'o-9'; running: o-1"):
        shop.orders.state("o-9")


def test_starting_a_saga_the_orchestrator_does_not_run_names_the_ones_it_does():
    shop = open_shop()
    with pytest.raises(OrchestraError, match="does not run saga 'refund_order'; it runs "
                                             "place_order"):
        shop.orders.start("refund_order", "o-1")
