"""The world: routing commands to their one handler, events to any subscribers, ids and time."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from conftest import RED_DRESS
from orchestra import (Command, Down, Event, Rejected, Service, UnknownCommand, UnknownService,
                       World, subscribes)
from orchestra.shop import (ChargePayment, OrderPlaced, PaymentCharged, PlaceOrder, StockReserved,
                            build_world)


@dataclass(frozen=True, kw_only=True)
class WldGiftWrap(Command):
    """A command no service in the shop handles."""

    order_id: str


@dataclass(frozen=True, kw_only=True)
class WldDressAdmired(Event):
    """A fact nobody in the shop subscribes to."""

    order_id: str


class Newsletter(Service):
    """Subscribes to the shop's events and remembers the ids they came with."""

    name = "newsletter"

    def __init__(self):
        self.heard: list[tuple[str, str, str, str]] = []

    @subscribes(PaymentCharged)
    def on_payment_charged(self, event):
        self.heard.append((event.type, event.message_id, event.correlation_id, event.causation_id))

    @subscribes(OrderPlaced)
    def on_order_placed(self, event):
        self.heard.append((event.type, event.message_id, event.correlation_id, event.causation_id))


class BrokenMailer(Service):
    """A subscriber whose mail server is always down."""

    name = "mailer"

    def __init__(self):
        self.tries = 0

    @subscribes(PaymentCharged)
    def on_payment_charged(self, event):
        self.tries += 1
        raise ConnectionError("mail server unreachable")


class PickyMailer(BrokenMailer):
    name = "picky-mailer"

    @subscribes(PaymentCharged)
    def on_payment_charged(self, event):
        self.tries += 1
        raise Rejected("ada unsubscribed")


def test_a_command_nobody_handles_fails_at_send_time_naming_the_services(shop):
    with pytest.raises(UnknownCommand) as error:
        shop.send(WldGiftWrap(order_id="order-1"))
    text = str(error.value)
    assert "'WldGiftWrap'" in text
    assert "order, inventory, payment, shipping" in text
    assert "@handles(WldGiftWrap)" in text
    assert len(shop.history) == 0 and shop.clock.pending == 0


def test_sending_an_event_or_publishing_a_command_is_a_type_error(shop):
    with pytest.raises(TypeError, match="world.publish"):
        shop.send(WldDressAdmired(order_id="order-1"))
    with pytest.raises(TypeError, match="world.send"):
        shop.publish(ChargePayment(order_id="order-1", customer="ada", amount_cents=1))


def test_a_command_from_an_unknown_sender_is_refused_naming_the_endpoints(shop, charge_ada):
    with pytest.raises(UnknownService, match="'bob'.*client"):
        shop.send(charge_ada, sender="bob")


def test_asking_for_a_service_the_world_lacks_names_the_ones_it_has(shop):
    with pytest.raises(UnknownService, match="'pricing'; services: client, inventory"):
        shop.service("pricing")
    assert [s.name for s in shop.services] == ["order", "inventory", "payment", "shipping"]


def test_send_returns_the_command_stamped_with_fresh_ids(shop, charge_ada):
    first = shop.send(charge_ada, correlation_id="order-1")
    second = shop.send(charge_ada, correlation_id="order-1", causation_id="m1")
    assert (first.message_id, first.correlation_id, first.causation_id) == ("m1", "order-1", "")
    assert (second.message_id, second.causation_id) == ("m2", "m1")
    assert first.customer == "ada" and charge_ada.message_id == ""


@pytest.mark.parametrize("transport", ["direct", "queued"])
def test_a_reply_names_the_command_it_answers_and_the_order_it_belongs_to(transport, charge_ada):
    world = build_world(transport)
    reply = world.call(charge_ada, correlation_id="order-1")
    charge = world.history.of_kind("sent")[0]
    assert reply.causation_id == charge.message_id
    assert reply.correlation_id == "order-1"
    assert reply.message_id not in ("", charge.message_id)
    assert reply.command == "ChargePayment"


@pytest.mark.parametrize("transport", ["direct", "queued"])
def test_events_a_handler_publishes_carry_the_orders_id_and_the_commands_id(transport):
    world = build_world(transport)
    newsletter = world.add(Newsletter())
    place = world.send(PlaceOrder(order_id="order-1", customer="ada", sku="red-dress"),
                       correlation_id="order-1")
    charge = world.send(ChargePayment(order_id="order-1", customer="ada",
                                      amount_cents=RED_DRESS), correlation_id="order-1")
    world.run()
    heard = {kind: (message_id, correlation_id, causation_id)
             for kind, message_id, correlation_id, causation_id in newsletter.heard}
    published = {r.message_type: r for r in world.history.of_kind("published")}
    assert heard == {
        "OrderPlaced": (published["OrderPlaced"].message_id, "order-1", place.message_id),
        "PaymentCharged": (published["PaymentCharged"].message_id, "order-1", charge.message_id),
    }
    assert published["OrderPlaced"].sender == "order"
    assert published["PaymentCharged"].correlation_id == "order-1"
    assert len({message_id for message_id, _, _ in heard.values()}) == 2


def test_an_event_with_no_subscribers_is_fine(shop):
    admired = shop.publish(WldDressAdmired(order_id="order-1"), correlation_id="order-1")
    shop.run()
    published = shop.history.of_kind("published")
    assert len(published) == 1
    assert published[0].detail["subscribers"] == []
    assert published[0].message_id == admired.message_id != ""
    assert shop.history.of_kind("delivered") == []


def test_a_handlers_event_with_no_subscribers_does_not_stop_the_reply(shop):
    reply = shop.call(PlaceOrder(order_id="order-1", customer="ada", sku="red-dress"))
    assert reply.ok and reply.result == {"total_cents": RED_DRESS}
    assert shop.history.of_kind("published")[0].detail["subscribers"] == []


@pytest.mark.parametrize("transport", ["direct", "queued"])
@pytest.mark.parametrize("failing", [BrokenMailer, PickyMailer])
def test_a_failing_subscriber_does_not_stop_the_other_subscribers(transport, failing, charge_ada):
    world = build_world(transport)
    mailer = world.add(failing())  # subscribed first, so it is delivered to first
    newsletter = world.add(Newsletter())
    reply = world.call(charge_ada)
    world.run()
    assert reply.ok
    assert [heard[0] for heard in newsletter.heard] == ["PaymentCharged"]
    assert mailer.tries == (1 if failing is PickyMailer else mailer.retry.attempts)
    assert world.service("payment").balance_cents() == RED_DRESS
    assert world.history.where(kind="failed", receiver=mailer.name)


def test_a_duplicated_event_is_handled_once_by_each_subscriber(charge_ada):
    world = build_world("queued", seed=2, duplicate_probability=1.0)
    newsletter = world.add(Newsletter())
    world.call(charge_ada)
    world.run()
    assert [heard[0] for heard in newsletter.heard] == ["PaymentCharged"]
    assert len(world.history.where(kind="duplicate", receiver="newsletter")) == 1


def test_an_event_published_by_the_client_reaches_every_subscriber(shop):
    shop.add(Newsletter())
    shop.publish(StockReserved(order_id="order-1", sku="red-dress", quantity=1))
    shop.publish(OrderPlaced(order_id="order-1", customer="ada", sku="red-dress", quantity=1,
                             address="here", total_cents=RED_DRESS), correlation_id="order-1")
    shop.run()
    assert [heard[0] for heard in shop.service("newsletter").heard] == ["OrderPlaced"]


def test_calling_again_with_a_timed_out_command_waits_for_the_fresh_answer(charge_ada):
    world = build_world("queued", faults=[Down("payment", at=0, until=30)])
    first = world.call(charge_ada, timeout=2)
    assert first.timed_out
    world.run(until=31)
    again = world.call(charge_ada.stamped(message_id=first.causation_id), timeout=2)
    assert not again.timed_out and again.ok
    assert again.result == {"charged_cents": RED_DRESS}
    assert world.service("payment").balance_cents() == RED_DRESS


def test_run_until_stops_the_world_at_that_moment(queued_shop, charge_ada):
    queued_shop.faults.add(Down("payment", at=0, until=30))
    charge = queued_shop.send(charge_ada)
    queued_shop.run(until=10)
    assert queued_shop.clock.now == 10
    assert charge.message_id not in queued_shop.client.replies
    queued_shop.run()
    assert queued_shop.client.replies[charge.message_id].ok


def test_the_same_seed_gives_the_same_history_byte_for_byte():
    def story(seed):
        from orchestra import FailRandomly
        world = build_world("queued", seed=seed, duplicate_probability=0.3,
                            faults=[FailRandomly("payment", p=0.4)])
        for n in range(6):
            world.send(ChargePayment(order_id=f"order-{n}", customer="ada",
                                     amount_cents=RED_DRESS), correlation_id=f"order-{n}")
        world.run()
        return world.history.to_json()

    assert story(seed=9) == story(seed=9)
    assert story(seed=9) != story(seed=10)


def test_a_world_can_be_empty_and_still_keep_time():
    world = World()
    assert world.run(until=5) == 0 and world.clock.now == 5
