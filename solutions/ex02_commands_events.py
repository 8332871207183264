"""Exercise 2, commands and events: gift wrapping for ada's red dress.

A *command* is an intent, named in the imperative: exactly one service handles it, and may
not ignore it (WrapGift). An *event* is a fact, named in the past tense: any number of
services may react to it, or none, and its publisher does not know who listens
(GiftWrapped). Both are frozen dataclasses: a message, once sent, never changes.

Part A: define the command WrapGift.
Part B: define the event GiftWrapped.
Part C: handle WrapGift in the GiftWrapping service, and publish GiftWrapped.
Part D: make Notifications subscribe to GiftWrapped, and to the shop's ShipmentScheduled.

Check your work: check("ex02") in a notebook, or `orchestra grade exercises/` in a terminal.
"""
from dataclasses import dataclass

from orchestra import Command, Event, Service, handles, subscribes
from orchestra.shop import ShipmentScheduled


# TODO (part A): make WrapGift a command: decorate it with @dataclass(frozen=True,
# kw_only=True), subclass Command, and give it two fields: order_id (a str) and
# note (a str, "" by default).
@dataclass(frozen=True, kw_only=True)
class WrapGift(Command):
    """Wrap an order's parcel as a gift, with a note for the card."""

    order_id: str
    note: str = ""


# TODO (part B): make GiftWrapped an event: decorate it with @dataclass(frozen=True,
# kw_only=True), subclass Event, and give it the fields order_id and note (both str).
@dataclass(frozen=True, kw_only=True)
class GiftWrapped(Event):
    """An order's parcel was wrapped as a gift."""

    order_id: str
    note: str


class GiftWrapping(Service):
    """Wraps parcels, and remembers each order's card note."""

    name = "gift_wrapping"

    def __init__(self):
        self.wrapped: dict[str, str] = {}

    # TODO (part C): mark wrap_gift as the one handler of WrapGift with @handles(WrapGift).
    # Record the note in self.wrapped[order_id], publish a GiftWrapped with self.publish(...),
    # and return {"wrapped": <the order id>}.
    @handles(WrapGift)
    def wrap_gift(self, command):
        """Wrap the parcel and tell whoever listens that it is wrapped."""
        self.wrapped[command.order_id] = command.note
        self.publish(GiftWrapped(order_id=command.order_id, note=command.note))
        return {"wrapped": command.order_id}


class Notifications(Service):
    """Emails customers about their orders. It only listens: it never sends a command."""

    name = "notifications"

    def __init__(self):
        self.emails: list[str] = []

    # TODO (part D): make gift_wrapped a subscriber with @subscribes(GiftWrapped); it appends
    # an email (a line of text) that names the order id to self.emails.
    @subscribes(GiftWrapped)
    def gift_wrapped(self, event):
        """Tell the customer their parcel is wrapped."""
        self.emails.append(f"Order {event.order_id} is wrapped as a gift: {event.note!r}")

    # TODO (part D): make shipment_scheduled a subscriber to the shop's ShipmentScheduled;
    # it appends an email that names the order id and its tracking code.
    @subscribes(ShipmentScheduled)
    def shipment_scheduled(self, event):
        """Tell the customer their parcel is on its way, with the tracking code."""
        self.emails.append(f"Order {event.order_id} is on its way: {event.tracking_code}")
