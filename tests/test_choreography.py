"""Choreography: the same shop flow with no orchestrator, watched by a tracker."""
import pytest

from orchestra import Down
from orchestra.shop.choreography import build_choreographed_world
from orchestra.shop.order import PlaceOrder

TRANSPORTS = ["direct", "queued"]


def place(world, order_id, customer="ada", sku="red-dress", **fields):
    return world.send(PlaceOrder(order_id=order_id, customer=customer, sku=sku, **fields),
                      correlation_id=order_id)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_red_dress_is_reserved_paid_shipped_and_approved_with_no_orchestrator(transport):
    shop = build_choreographed_world(transport, seed=1)
    place(shop, "o-1")
    shop.run()
    tracker = shop.endpoint("tracker")
    assert tracker.milestones_of("o-1") == ["placed", "stock reserved", "paid",
                                            "shipment booked", "approved"]
    assert shop.endpoint("order").orders["o-1"].status == "approved"
    assert shop.endpoint("payment").balance_cents("o-1") == 8_900
    assert shop.endpoint("inventory").units("red-dress") == 9
    assert "o-1" in shop.endpoint("shipping").shipments


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_an_out_of_stock_blue_scarf_is_rejected_without_charging_anyone(transport):
    shop = build_choreographed_world(transport, seed=1, stock={"blue-scarf": 0})
    place(shop, "o-2", sku="blue-scarf")
    shop.run()
    assert shop.endpoint("tracker").milestones_of("o-2") == ["placed", "out of stock",
                                                             "rejected"]
    assert shop.endpoint("payment").ledger == []


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_failed_shipment_sets_off_refund_and_release_in_reverse_order(transport):
    shop = build_choreographed_world(transport, seed=1, stock={"green-hat": 5},
                                     delivers_to=("Springfield",))
    place(shop, "o-3", sku="green-hat", address="12 Elm Road, Shelbyville")
    shop.run()
    assert shop.endpoint("tracker").milestones_of("o-3") == [
        "placed", "stock reserved", "paid", "shipment failed", "refunded", "stock released",
        "rejected"]
    assert shop.endpoint("payment").balance_cents("o-3") == 0
    assert shop.endpoint("inventory").units("green-hat") == 5
    assert shop.endpoint("order").orders["o-3"].status == "rejected"


def test_with_queues_an_order_waits_for_payment_to_come_back_and_then_finishes():
    shop = build_choreographed_world("queued", seed=1)
    shop.faults.add(Down("payment", until=30))
    place(shop, "o-4")
    shop.run(until=10)
    tracker = shop.endpoint("tracker")
    assert tracker.status("o-4") == "stock reserved"
    assert tracker.stuck(older_than=5) == ["o-4"]
    shop.run()
    assert tracker.status("o-4") == "approved"
    assert tracker.stuck(older_than=5) == []


def test_with_direct_calls_an_event_to_a_down_service_is_lost_and_the_tracker_shows_it_stuck():
    shop = build_choreographed_world("direct", seed=1)
    shop.faults.add(Down("payment", until=30))
    place(shop, "o-5")
    shop.run()
    tracker = shop.endpoint("tracker")
    assert tracker.status("o-5") == "stock reserved"
    assert not tracker.finished("o-5")
    assert tracker.stuck(older_than=5) == ["o-5"]
    assert shop.history.where(kind="unavailable", receiver="payment")


def test_the_tracker_counts_orders_by_their_latest_milestone():
    shop = build_choreographed_world("direct", seed=1, stock={"red-dress": 1})
    place(shop, "o-6")
    place(shop, "o-7", customer="bob")
    shop.run()
    assert shop.endpoint("tracker").counts() == {"approved": 1, "rejected": 1}


def test_the_choreography_is_a_mesh_every_context_hears_from_several_others():
    shop = build_choreographed_world("direct", seed=1)
    place(shop, "o-8")
    shop.run()
    talks = {(r.sender, receiver) for r in shop.history.of_kind("published")
             for receiver in r.detail["subscribers"] if receiver != "tracker"}
    senders_heard_by = {}
    for sender, receiver in talks:
        senders_heard_by.setdefault(receiver, set()).add(sender)
    assert senders_heard_by["shipping"] == {"order", "payment"}
    assert senders_heard_by["payment"] == {"order", "inventory"}
    assert len({s for s, _ in talks}) >= 4  # no single hub: four contexts publish
