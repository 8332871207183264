"""Messages: commands and events as frozen JSON data that round-trips without loss."""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field

import pytest

from orchestra import Command, Event, MessageNotSerialisable, Reply, UnknownMessageType
from orchestra import messages
from orchestra.shop import (ApproveOrder, CancelShipment, ChargePayment, OrderApproved,
                            OrderPlaced, OrderRejected, PaymentCharged, PaymentRefunded,
                            PlaceOrder, RefundPayment, RejectOrder, ReleaseStock, ReserveStock,
                            ScheduleShipment, ShipmentCancelled, ShipmentScheduled,
                            StockReleased, StockReserved)


@dataclass(frozen=True, kw_only=True)
class MsgsPackGiftBox(Command):
    """A test command with every shape of field JSON turns into a list."""

    order_id: str
    sizes: tuple[str, ...] = ()
    ribbon: tuple[str, int] = ("red", 2)
    lines: list[tuple[str, int]] = field(default_factory=list)
    by_sku: dict[str, tuple[int, int]] = field(default_factory=dict)
    tags: tuple[str, ...] | None = None
    note: dict = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class MsgsGiftBoxPacked(Event):
    order_id: str
    weight_grams: float = 0.0


@dataclass(frozen=True, kw_only=True)
class MsgsRerunCell(Event):
    """Defined twice below, as a re-run notebook cell would."""

    first: str = ""


@dataclass(frozen=True, kw_only=True)
class MsgsRerunCell(Event):  # noqa: F811 - the point of the test
    second: str = ""


SHOP_MESSAGES = [
    PlaceOrder(order_id="order-1", customer="ada", sku="red-dress", quantity=2,
               address="12 Analytical Row, London"),
    ApproveOrder(order_id="order-1"),
    RejectOrder(order_id="order-2", reason="only 0 x blue-scarf left, 1 wanted"),
    OrderPlaced(order_id="order-1", customer="ada", sku="red-dress", quantity=2,
                address="12 Analytical Row, London", total_cents=17_800),
    OrderApproved(order_id="order-1"),
    OrderRejected(order_id="order-2", reason="out of blue scarves"),
    ReserveStock(order_id="order-1", sku="red-dress", quantity=2),
    ReleaseStock(order_id="order-1"),
    StockReserved(order_id="order-1", sku="red-dress", quantity=2),
    StockReleased(order_id="order-1", sku="red-dress", quantity=2),
    ChargePayment(order_id="order-1", customer="ada", amount_cents=17_800),
    RefundPayment(order_id="order-1"),
    PaymentCharged(order_id="order-1", customer="ada", amount_cents=17_800),
    PaymentRefunded(order_id="order-1", amount_cents=17_800),
    ScheduleShipment(order_id="order-1", address="12 Analytical Row, London"),
    CancelShipment(order_id="order-1"),
    ShipmentScheduled(order_id="order-1", tracking_code="PARCEL-00001"),
    ShipmentCancelled(order_id="order-1"),
    Reply(command="ChargePayment", ok=True, result={"charged_cents": 17_800}, attempts=2),
    Reply(command="ReserveStock", ok=False, error="only 0 x blue-scarf left, 1 wanted"),
    Reply(command="ChargePayment", ok=False, timed_out=True, attempts=0, error="no reply"),
]


def _stamp(message, n):
    return message.stamped(message_id=f"m{n}", correlation_id="order-1",
                           causation_id=f"m{n - 1}")


@pytest.mark.parametrize("message", SHOP_MESSAGES, ids=lambda m: m.type)
def test_every_shop_message_comes_back_from_json_equal_with_its_ids(message):
    sent = _stamp(message, 42)
    back = messages.from_json(messages.to_json(sent))
    assert back == sent
    assert type(back) is type(sent)
    assert (back.message_id, back.correlation_id, back.causation_id) == ("m42", "order-1", "m41")


def test_every_shop_message_type_is_covered_by_the_round_trip():
    import orchestra.shop as shop
    defined = {name for name in shop.__all__
               if isinstance(getattr(shop, name), type)
               and issubclass(getattr(shop, name), (Command, Event))}
    assert defined <= {m.type for m in SHOP_MESSAGES}


def test_tuples_come_back_as_tuples_not_lists():
    box = MsgsPackGiftBox(order_id="order-1", sizes=("S", "M"), ribbon=("gold", 3),
                          lines=[("red-dress", 1), ("blue-scarf", 2)],
                          by_sku={"red-dress": (1, 8_900)}, tags=("gift", "fragile"),
                          message_id="m1")
    back = messages.from_json(messages.to_json(box))
    assert back == box
    assert isinstance(back.sizes, tuple)
    assert isinstance(back.ribbon, tuple)
    assert isinstance(back.lines, list) and all(isinstance(line, tuple) for line in back.lines)
    assert isinstance(back.by_sku["red-dress"], tuple)
    assert isinstance(back.tags, tuple)


def test_an_optional_tuple_left_empty_comes_back_as_none():
    back = messages.from_json(messages.to_json(MsgsPackGiftBox(order_id="order-1")))
    assert back.tags is None
    assert back.sizes == () and isinstance(back.sizes, tuple)


def test_the_json_names_the_message_type_and_every_field():
    data = json.loads(messages.to_json(ReserveStock(order_id="order-1", sku="red-dress",
                                                    message_id="m1")))
    assert data == {"type": "ReserveStock", "order_id": "order-1", "sku": "red-dress",
                    "quantity": 1, "message_id": "m1", "correlation_id": "",
                    "causation_id": ""}


def test_equal_messages_give_byte_equal_json():
    one = messages.to_json(OrderPlaced(order_id="o", customer="ada", sku="red-dress",
                                       quantity=1, address="x", total_cents=8_900))
    two = messages.to_json(OrderPlaced(total_cents=8_900, address="x", quantity=1,
                                       sku="red-dress", customer="ada", order_id="o"))
    assert one == two


def test_a_float_field_survives_the_round_trip():
    packed = MsgsGiftBoxPacked(order_id="order-1", weight_grams=412.5)
    assert messages.from_json(messages.to_json(packed)).weight_grams == 412.5


def test_commands_events_and_replies_say_which_kind_they_are():
    assert ReserveStock(order_id="o", sku="red-dress").kind == "command"
    assert StockReserved(order_id="o", sku="red-dress", quantity=1).kind == "event"
    assert Reply(command="ReserveStock", ok=True).kind == "reply"
    assert ReserveStock(order_id="o", sku="red-dress").type == "ReserveStock"


def test_messages_are_frozen():
    order = PlaceOrder(order_id="order-1", customer="ada", sku="red-dress")
    with pytest.raises(dataclasses.FrozenInstanceError):
        order.customer = "mallory"


def test_stamping_gives_a_copy_with_the_ids_and_leaves_the_original_alone():
    order = PlaceOrder(order_id="order-1", customer="ada", sku="red-dress")
    stamped = order.stamped(message_id="m7", correlation_id="order-1")
    assert (stamped.message_id, stamped.correlation_id) == ("m7", "order-1")
    assert order.message_id == ""
    assert stamped.customer == "ada"


def test_a_message_holding_an_object_cannot_be_made_and_the_error_says_pass_an_id():
    class Dress:
        pass

    with pytest.raises(MessageNotSerialisable) as error:
        MsgsPackGiftBox(order_id="order-1", note={"item": Dress()})
    text = str(error.value)
    assert "MsgsPackGiftBox.note['item']" in text
    assert "Dress" in text
    assert "pass an id" in text


def test_a_message_holding_a_set_cannot_be_made():
    with pytest.raises(MessageNotSerialisable, match=r"sizes.*set"):
        MsgsPackGiftBox(order_id="order-1", sizes={"S", "M"})


def test_a_message_holding_nan_cannot_be_made():
    with pytest.raises(MessageNotSerialisable, match="NaN"):
        MsgsGiftBoxPacked(order_id="order-1", weight_grams=math.nan)


def test_a_message_with_a_number_as_a_dict_key_cannot_be_made():
    with pytest.raises(MessageNotSerialisable, match="keys are strings"):
        MsgsPackGiftBox(order_id="order-1", note={1: "one red dress"})


def test_a_reply_result_holding_an_object_cannot_be_made():
    with pytest.raises(MessageNotSerialisable, match="Reply.result"):
        Reply(command="ChargePayment", ok=True, result={"card": object()})


def test_json_naming_an_unknown_message_type_says_to_import_its_module():
    with pytest.raises(UnknownMessageType, match="import the module") as error:
        messages.from_json('{"type": "ShipOrder", "order_id": "order-1"}')
    assert "ShipOrder" in str(error.value)
    assert "PlaceOrder" in str(error.value)  # and lists the types it does know


def test_json_with_a_field_the_type_lacks_says_another_version_wrote_it():
    with pytest.raises(UnknownMessageType, match="different version") as error:
        messages.from_json('{"type": "ApproveOrder", "order_id": "o", "colour": "red"}')
    assert "colour" in str(error.value)


def test_message_type_finds_a_class_by_name_or_names_the_known_ones():
    assert messages.message_type("ChargePayment") is ChargePayment
    with pytest.raises(UnknownMessageType, match="ChargePayment"):
        messages.message_type("ChargeCard")


def test_two_message_types_with_one_name_in_different_modules_are_refused():
    with pytest.raises(MessageNotSerialisable, match="rename one") as error:
        class PlaceOrder(Command):  # noqa: F811 - clashes with the shop's on purpose
            __module__ = "somebody_elses_shop"
    assert "somebody_elses_shop" in str(error.value)
    assert messages.message_type("PlaceOrder").__module__ == "orchestra.shop.order"


def test_redefining_a_message_in_its_own_module_replaces_it_like_a_rerun_cell():
    assert messages.message_type("MsgsRerunCell") is MsgsRerunCell
    back = messages.from_json('{"type": "MsgsRerunCell", "second": "run"}')
    assert back.second == "run"
