"""The shop: four bounded contexts selling the red dress, each with its own state and words."""
from __future__ import annotations

import pytest

from conftest import RED_DRESS
from orchestra import World
from orchestra.shop import (CATALOGUE, ApproveOrder, CancelShipment, ChargePayment, Inventory,
                            Orders, Payment, PlaceOrder, RefundPayment, RejectOrder, ReleaseStock,
                            ReserveStock, ScheduleShipment, Shipping, build_services, build_world)


@pytest.fixture
def scarce_shop():
    """Two red dresses on the shelf, and the blue scarf sold out."""
    return build_world("direct", stock={"red-dress": 2, "blue-scarf": 0})


# -- Order -------------------------------------------------------------------------------

def test_placing_an_order_for_two_red_dresses_prices_it_from_the_catalogue(shop):
    reply = shop.call(PlaceOrder(order_id="order-1", customer="ada", sku="red-dress", quantity=2))
    assert reply.ok and reply.result == {"total_cents": 2 * RED_DRESS}
    order = shop.service("order").orders["order-1"]
    assert (order.customer, order.status, order.total_cents) == ("ada", "pending", 17_800)
    placed = shop.history.of_kind("published")[0]
    assert placed.message_type == "OrderPlaced"
    assert placed.detail["message"]["total_cents"] == 17_800


def test_placing_the_same_order_twice_keeps_the_first(shop):
    shop.call(PlaceOrder(order_id="order-1", customer="ada", sku="red-dress"))
    reply = shop.call(PlaceOrder(order_id="order-1", customer="ada", sku="blue-scarf"))
    assert reply.result == {"total_cents": RED_DRESS}
    assert shop.service("order").orders["order-1"].sku == "red-dress"


def test_an_order_for_something_the_shop_does_not_sell_is_rejected_naming_what_it_sells(shop):
    reply = shop.call(PlaceOrder(order_id="order-1", customer="ada", sku="purple-cape"))
    assert not reply.ok and reply.attempts == 1
    assert "we do not sell 'purple-cape'" in reply.error
    assert "blue-scarf, green-hat, red-dress" in reply.error


def test_an_order_for_no_dresses_is_rejected(shop):
    reply = shop.call(PlaceOrder(order_id="order-1", customer="ada", sku="red-dress", quantity=0))
    assert not reply.ok and "order at least 1" in reply.error


def test_an_approved_order_stays_approved_and_says_so_once(shop):
    shop.call(PlaceOrder(order_id="order-1", customer="ada", sku="red-dress"))
    assert shop.call(ApproveOrder(order_id="order-1")).result == {"status": "approved"}
    assert shop.call(RejectOrder(order_id="order-1", reason="too late")).result == {
        "status": "approved"}
    assert [r.message_type for r in shop.history.of_kind("published")] == [
        "OrderPlaced", "OrderApproved"]


def test_a_rejected_order_keeps_its_reason(shop):
    shop.call(PlaceOrder(order_id="order-2", customer="ada", sku="blue-scarf"))
    shop.call(RejectOrder(order_id="order-2", reason="the blue scarf is sold out"))
    order = shop.service("order").orders["order-2"]
    assert (order.status, order.reason) == ("rejected", "the blue scarf is sold out")


def test_approving_an_order_that_was_never_placed_is_rejected(shop):
    reply = shop.call(ApproveOrder(order_id="order-404"))
    assert not reply.ok and reply.error == "there is no order 'order-404'; place it first"


# -- Inventory ---------------------------------------------------------------------------

def test_reserving_the_red_dress_takes_it_off_the_shelf(scarce_shop):
    reply = scarce_shop.call(ReserveStock(order_id="order-1", sku="red-dress"))
    assert reply.ok and reply.result == {"sku": "red-dress", "reserved": 1}
    assert scarce_shop.service("inventory").units("red-dress") == 1


def test_the_out_of_stock_blue_scarf_cannot_be_reserved_and_that_is_not_retried(scarce_shop):
    reply = scarce_shop.call(ReserveStock(order_id="order-2", sku="blue-scarf"))
    assert not reply.ok and reply.attempts == 1 and reply.rejected
    assert reply.error == "only 0 x blue-scarf left, 1 wanted"


def test_more_red_dresses_than_the_shelf_holds_cannot_be_reserved(scarce_shop):
    reply = scarce_shop.call(ReserveStock(order_id="order-1", sku="red-dress", quantity=3))
    assert not reply.ok and reply.error == "only 2 x red-dress left, 3 wanted"
    assert scarce_shop.service("inventory").units("red-dress") == 2


def test_reserving_for_the_same_order_twice_takes_one_dress(scarce_shop):
    scarce_shop.call(ReserveStock(order_id="order-1", sku="red-dress"))
    reply = scarce_shop.call(ReserveStock(order_id="order-1", sku="red-dress"))
    assert reply.ok and scarce_shop.service("inventory").units("red-dress") == 1


def test_releasing_puts_the_dress_back_and_releasing_again_is_harmless(scarce_shop):
    scarce_shop.call(ReserveStock(order_id="order-1", sku="red-dress"))
    assert scarce_shop.call(ReleaseStock(order_id="order-1")).result == {
        "sku": "red-dress", "released": 1}
    assert scarce_shop.call(ReleaseStock(order_id="order-1")).result == {"released": 0}
    assert scarce_shop.service("inventory").units("red-dress") == 2


def test_releasing_an_order_that_reserved_nothing_is_harmless(scarce_shop):
    assert scarce_shop.call(ReleaseStock(order_id="order-9")).result == {"released": 0}
    assert scarce_shop.service("inventory").on_shelf == {"red-dress": 2, "blue-scarf": 0}


def test_a_reservation_that_arrives_after_its_release_takes_nothing(scarce_shop):
    scarce_shop.call(ReleaseStock(order_id="order-1"))
    reply = scarce_shop.call(ReserveStock(order_id="order-1", sku="red-dress"))
    assert not reply.ok and scarce_shop.service("inventory").units("red-dress") == 2


# -- Payment -----------------------------------------------------------------------------

def test_charging_ada_for_the_red_dress_writes_it_in_the_ledger(shop, charge_ada):
    reply = shop.call(charge_ada)
    payment = shop.service("payment")
    assert reply.ok and reply.result == {"charged_cents": RED_DRESS}
    assert payment.ledger == [("order-1", RED_DRESS)]
    assert payment.balance_cents("order-1") == payment.balance_cents() == RED_DRESS


def test_charging_the_same_order_again_charges_nothing_more(shop, charge_ada):
    shop.call(charge_ada)
    shop.call(charge_ada)  # a new message id: idempotent by order id too
    assert shop.service("payment").balance_cents() == RED_DRESS


def test_a_charge_over_the_card_limit_is_declined():
    world = World([Payment(card_limit_cents=5_000)])
    reply = world.call(ChargePayment(order_id="order-1", customer="ada", amount_cents=RED_DRESS))
    assert not reply.ok and reply.error.startswith("card declined")
    assert world.service("payment").ledger == []


def test_a_charge_of_nothing_is_refused(shop):
    reply = shop.call(ChargePayment(order_id="order-1", customer="ada", amount_cents=0))
    assert not reply.ok and "an amount is positive" in reply.error


def test_a_refund_gives_the_money_back_once(shop, charge_ada):
    shop.call(charge_ada)
    assert shop.call(RefundPayment(order_id="order-1")).result == {"refunded_cents": RED_DRESS}
    assert shop.call(RefundPayment(order_id="order-1")).result == {"refunded_cents": 0}
    payment = shop.service("payment")
    assert payment.ledger == [("order-1", RED_DRESS), ("order-1", -RED_DRESS)]
    assert payment.balance_cents() == 0


def test_refunding_an_order_never_charged_gives_nothing_back(shop):
    assert shop.call(RefundPayment(order_id="order-9")).result == {"refunded_cents": 0}
    assert shop.service("payment").ledger == []


def test_the_balance_counts_each_order_separately(shop):
    shop.call(ChargePayment(order_id="order-1", customer="ada", amount_cents=RED_DRESS))
    shop.call(ChargePayment(order_id="order-2", customer="bob", amount_cents=1_500))
    payment = shop.service("payment")
    assert (payment.balance_cents("order-1"), payment.balance_cents("order-2")) == (8_900, 1_500)
    assert payment.balance_cents() == 10_400


# -- Shipping ----------------------------------------------------------------------------

def test_scheduling_a_shipment_gives_a_tracking_code_once_per_order(shop):
    first = shop.call(ScheduleShipment(order_id="order-1", address="12 Analytical Row"))
    again = shop.call(ScheduleShipment(order_id="order-1", address="12 Analytical Row"))
    other = shop.call(ScheduleShipment(order_id="order-2", address="3 Engine Lane"))
    assert first.result == again.result == {"tracking_code": "PARCEL-00001"}
    assert other.result == {"tracking_code": "PARCEL-00002"}


def test_cancelling_a_shipment_calls_the_courier_off_and_cancelling_again_is_harmless(shop):
    shop.call(ScheduleShipment(order_id="order-1", address="12 Analytical Row"))
    assert shop.call(CancelShipment(order_id="order-1")).result == {"cancelled": True}
    assert shop.call(CancelShipment(order_id="order-1")).result == {"cancelled": False}
    assert shop.service("shipping").shipments == {}


def test_no_courier_delivers_where_shipping_does_not_go():
    world = World([Shipping(delivers_to=("London",))])
    assert world.call(ScheduleShipment(order_id="order-1", address="1 Strand, London")).ok
    reply = world.call(ScheduleShipment(order_id="order-2", address="1 Main St, Springfield"))
    assert not reply.ok and "no courier delivers" in reply.error


# -- The shop as a whole -----------------------------------------------------------------

def test_each_shop_command_has_exactly_one_handler_in_its_own_context(shop):
    owners = {command.__name__: service.name for command, service in shop.handlers.items()}
    assert owners == {
        "PlaceOrder": "order", "ApproveOrder": "order", "RejectOrder": "order",
        "ReserveStock": "inventory", "ReleaseStock": "inventory",
        "ChargePayment": "payment", "RefundPayment": "payment",
        "ScheduleShipment": "shipping", "CancelShipment": "shipping",
    }


def test_build_services_gives_fresh_state_every_time():
    first, second = build_services(), build_services()
    first[1].on_shelf["red-dress"] = 0
    assert second[1].units("red-dress") == 10
    assert [type(s) for s in first] == [Orders, Inventory, Payment, Shipping]


def test_the_catalogue_prices_the_red_dress_the_blue_scarf_and_the_green_hat():
    assert CATALOGUE == {"red-dress": 8_900, "blue-scarf": 1_500, "green-hat": 2_400}


def test_a_whole_order_by_direct_calls_balances_stock_money_and_parcels(scarce_shop):
    steps = [PlaceOrder(order_id="order-1", customer="ada", sku="red-dress"),
             ReserveStock(order_id="order-1", sku="red-dress"),
             ChargePayment(order_id="order-1", customer="ada", amount_cents=RED_DRESS),
             ScheduleShipment(order_id="order-1", address="12 Analytical Row"),
             ApproveOrder(order_id="order-1")]
    assert all(scarce_shop.call(step, correlation_id="order-1").ok for step in steps)
    assert scarce_shop.service("inventory").units("red-dress") == 1
    assert scarce_shop.service("payment").balance_cents() == RED_DRESS
    assert scarce_shop.service("shipping").shipments == {"order-1": "PARCEL-00001"}
    assert scarce_shop.service("order").orders["order-1"].status == "approved"
    assert scarce_shop.history.instances == ["order-1"]
