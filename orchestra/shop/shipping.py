"""Shipping: the carrier's bounded context. Here a *product* is a parcel with an address and a weight.

Shipping knows nothing of stock or money. A shipment is scheduled for an order and can
be cancelled before it leaves; cancelling is safe to do twice or for an order that
never got a shipment, and bars a late booking for that order.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import Rejected
from ..messages import Command, Event
from ..service import Service, handles


@dataclass(frozen=True, kw_only=True)
class ScheduleShipment(Command):
    """Book a courier to take an order's parcel to ``address``."""

    order_id: str
    address: str


@dataclass(frozen=True, kw_only=True)
class CancelShipment(Command):
    """Call the courier off for an order (undoes ScheduleShipment)."""

    order_id: str


@dataclass(frozen=True, kw_only=True)
class ShipmentScheduled(Event):
    order_id: str
    tracking_code: str


@dataclass(frozen=True, kw_only=True)
class ShipmentCancelled(Event):
    order_id: str


class Shipping(Service):
    """Keeps the shipments booked, by order, with their tracking codes."""

    name = "shipping"

    def __init__(self, delivers_to: tuple[str, ...] = ()):
        self.delivers_to = delivers_to  # empty: delivers anywhere
        self.shipments: dict[str, str] = {}
        self.cancelled: set[str] = set()  # orders undone: a late booking must not ship them
        self._next_parcel = 1

    @handles(ScheduleShipment)
    def schedule_shipment(self, command: ScheduleShipment) -> dict:
        if command.order_id in self.shipments:
            return {"tracking_code": self.shipments[command.order_id]}
        if command.order_id in self.cancelled:
            raise Rejected(f"order {command.order_id} was cancelled already; not shipping it")
        if self.delivers_to and not any(place in command.address for place in self.delivers_to):
            raise Rejected(f"no courier delivers to {command.address!r}")
        code = f"PARCEL-{self._next_parcel:05d}"
        self._next_parcel += 1
        self.shipments[command.order_id] = code
        self.publish(ShipmentScheduled(order_id=command.order_id, tracking_code=code))
        return {"tracking_code": code}

    @handles(CancelShipment)
    def cancel_shipment(self, command: CancelShipment) -> dict:
        self.cancelled.add(command.order_id)
        if self.shipments.pop(command.order_id, None) is None:
            return {"cancelled": False}  # nothing booked, or cancelled already
        self.publish(ShipmentCancelled(order_id=command.order_id))
        return {"cancelled": True}
