"""Checks for exercise 2: a command, an event, a handler, subscribers (ex02_commands_events.py)."""
import dataclasses

import pytest

from orchestra import Command, Event, World, from_json, to_json
from orchestra.grading import points
from orchestra.history import PUBLISHED
from orchestra.shop import ScheduleShipment, Shipping

NOTE = "Happy birthday, Ada!"


def kind_of(cls) -> str:
    """How a learner's class reads: command, event, or what it subclasses."""
    if isinstance(cls, type) and issubclass(cls, Command):
        return "a Command"
    if isinstance(cls, type) and issubclass(cls, Event):
        return "an Event"
    return f"a class with bases {[b.__name__ for b in getattr(cls, '__bases__', ())]}"


def wrap_the_dress_for_ada(exercise):
    """A world with GiftWrapping and Notifications, after WrapGift for order o-1."""
    wrapping, notifications = exercise.GiftWrapping(), exercise.Notifications()
    world = World([wrapping, notifications])
    reply = world.call(exercise.WrapGift(order_id="o-1", note=NOTE))
    world.run()
    return world, wrapping, notifications, reply


@points(1, hint="WrapGift is an intent with exactly one handler, named in the imperative: "
                 "class WrapGift(Command).")
def test_wrap_gift_is_a_command(exercise):
    """WrapGift is a command"""
    assert isinstance(exercise.WrapGift, type) and issubclass(exercise.WrapGift, Command), (
        f"WrapGift is {kind_of(exercise.WrapGift)}; make it subclass Command")


@points(2, hint="@dataclass(frozen=True, kw_only=True) above class WrapGift(Command), with "
                 "order_id: str and note: str = \"\".")
def test_wrap_gift_is_frozen_and_carries_the_order_and_a_note(exercise):
    """WrapGift is frozen and carries the order and a note"""
    assert dataclasses.is_dataclass(exercise.WrapGift), "WrapGift is not a @dataclass"
    plain = exercise.WrapGift(order_id="o-1")
    assert plain.note == "", f"a WrapGift with no note has note={plain.note!r}, not ''"
    with pytest.raises(dataclasses.FrozenInstanceError):
        plain.note = "changed my mind"
    wrap = exercise.WrapGift(order_id="o-1", note=NOTE)
    assert isinstance(wrap, Command), f"WrapGift is {kind_of(exercise.WrapGift)}, not a Command"
    assert from_json(to_json(wrap)) == wrap, "WrapGift does not survive a trip through JSON"


@points(2, hint="GiftWrapped is a fact, named in the past tense: @dataclass(frozen=True, "
                 "kw_only=True) above class GiftWrapped(Event), with order_id and note.")
def test_gift_wrapped_is_a_frozen_event_with_the_order_and_the_note(exercise):
    """GiftWrapped is a frozen event with the order and the note"""
    assert isinstance(exercise.GiftWrapped, type) and issubclass(exercise.GiftWrapped, Event), (
        f"GiftWrapped is {kind_of(exercise.GiftWrapped)}; make it subclass Event")
    assert dataclasses.is_dataclass(exercise.GiftWrapped), "GiftWrapped is not a @dataclass"
    wrapped = exercise.GiftWrapped(order_id="o-1", note=NOTE)
    assert (wrapped.order_id, wrapped.note) == ("o-1", NOTE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        wrapped.note = "changed my mind"


@points(2, hint="@handles(WrapGift) above wrap_gift; store the note in "
                 "self.wrapped[command.order_id] and return {'wrapped': command.order_id}.")
def test_wrapping_the_red_dress_for_ada_is_answered_by_the_gift_wrapping_service(exercise):
    _, wrapping, _, reply = wrap_the_dress_for_ada(exercise)
    assert reply.ok, f"WrapGift failed: {reply.error}"
    assert reply.result == {"wrapped": "o-1"}, f"the reply's result is {reply.result}"
    assert wrapping.wrapped == {"o-1": NOTE}, f"GiftWrapping.wrapped is {wrapping.wrapped}"


@points(2, hint="In wrap_gift, self.publish(GiftWrapped(order_id=..., note=...)); then mark "
                 "Notifications.gift_wrapped with @subscribes(GiftWrapped).")
def test_wrapping_publishes_gift_wrapped_and_notifications_emails_about_it(exercise):
    """wrapping publishes GiftWrapped, and Notifications emails about it"""
    world, _, notifications, reply = wrap_the_dress_for_ada(exercise)
    assert reply.ok, f"WrapGift failed: {reply.error}"
    published = [r.message_type for r in world.history.of_kind(PUBLISHED)]
    assert "GiftWrapped" in published, f"nothing published GiftWrapped (published: {published})"
    assert any("o-1" in email for email in notifications.emails), (
        f"Notifications sent no email about order o-1 (emails: {notifications.emails}); "
        "is gift_wrapped marked @subscribes(GiftWrapped)?")


@points(1, hint="Mark shipment_scheduled with @subscribes(ShipmentScheduled) and put "
                 "event.order_id and event.tracking_code in the email.")
def test_notifications_emails_ada_when_her_dress_ships(exercise):
    notifications = exercise.Notifications()
    world = World([Shipping(), notifications])
    reply = world.call(ScheduleShipment(order_id="o-7", address="1 Main Street, Springfield"))
    world.run()
    code = reply.result["tracking_code"]
    assert any("o-7" in email and code in email for email in notifications.emails), (
        f"no email names order o-7 and its tracking code {code} (emails: "
        f"{notifications.emails}); is shipment_scheduled marked @subscribes(ShipmentScheduled)?")
