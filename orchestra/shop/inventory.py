"""Inventory: the warehouse's bounded context. Here a *product* is a SKU on a shelf, counted in units.

Inventory knows nothing of prices or customers. Stock is reserved for an order, and a
reservation can be released (the compensation), which is safe to do twice or for an
order that never reserved anything. A release also bars that order from reserving later,
so a ReserveStock that arrives late (after its saga gave up waiting) cannot leak stock.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import Rejected
from ..messages import Command, Event
from ..service import Service, handles


@dataclass(frozen=True, kw_only=True)
class ReserveStock(Command):
    """Put ``quantity`` units of ``sku`` aside for an order."""

    order_id: str
    sku: str
    quantity: int = 1


@dataclass(frozen=True, kw_only=True)
class ReleaseStock(Command):
    """Put an order's reserved units back on the shelf (undoes ReserveStock)."""

    order_id: str


@dataclass(frozen=True, kw_only=True)
class StockReserved(Event):
    order_id: str
    sku: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class StockReleased(Event):
    order_id: str
    sku: str
    quantity: int


class Inventory(Service):
    """Counts units on shelves and reservations per order."""

    name = "inventory"

    def __init__(self, stock: dict[str, int] | None = None):
        self.on_shelf: dict[str, int] = dict(stock if stock is not None else {"red-dress": 10})
        self.reservations: dict[str, tuple[str, int]] = {}
        self.released: set[str] = set()  # orders undone: a late ReserveStock must not revive them

    @handles(ReserveStock)
    def reserve_stock(self, command: ReserveStock) -> dict:
        if command.order_id in self.reservations:  # the same order asked twice: already done
            sku, quantity = self.reservations[command.order_id]
            return {"sku": sku, "reserved": quantity}
        if command.order_id in self.released:
            raise Rejected(f"order {command.order_id} was released already; not reserving again")
        left = self.on_shelf.get(command.sku, 0)
        if command.quantity > left:
            raise Rejected(f"only {left} x {command.sku} left, {command.quantity} wanted")
        self.on_shelf[command.sku] = left - command.quantity
        self.reservations[command.order_id] = (command.sku, command.quantity)
        self.publish(StockReserved(order_id=command.order_id, sku=command.sku,
                                   quantity=command.quantity))
        return {"sku": command.sku, "reserved": command.quantity}

    @handles(ReleaseStock)
    def release_stock(self, command: ReleaseStock) -> dict:
        reservation = self.reservations.pop(command.order_id, None)
        self.released.add(command.order_id)
        if reservation is None:  # never reserved, or released already: nothing to undo
            return {"released": 0}
        sku, quantity = reservation
        self.on_shelf[sku] = self.on_shelf.get(sku, 0) + quantity
        self.publish(StockReleased(order_id=command.order_id, sku=sku, quantity=quantity))
        return {"sku": sku, "released": quantity}

    def units(self, sku: str) -> int:
        """Units of ``sku`` on the shelf and not reserved."""
        return self.on_shelf.get(sku, 0)
