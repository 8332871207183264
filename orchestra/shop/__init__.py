"""The worked example: an online shop where a customer buys a red dress.

One module per bounded context: :mod:`.order` (orchestrates), :mod:`.inventory`,
:mod:`.payment`, :mod:`.shipping`. :func:`build_world` wires them into a world.
"""
from __future__ import annotations

from ..world import World
from .inventory import Inventory, ReleaseStock, ReserveStock, StockReleased, StockReserved
from .order import (CATALOGUE, ApproveOrder, OrderApproved, OrderPlaced, OrderRejected, Orders,
                    PlaceOrder, RejectOrder)
from .payment import ChargePayment, Payment, PaymentCharged, PaymentRefunded, RefundPayment
from .shipping import CancelShipment, ScheduleShipment, ShipmentCancelled, ShipmentScheduled, Shipping


def build_services(stock: dict[str, int] | None = None, card_limit_cents: int = 100_000):
    """A fresh Order, Inventory, Payment and Shipping, each with its own state."""
    return [Orders(), Inventory(stock), Payment(card_limit_cents), Shipping()]


def build_world(transport: str = "direct", seed: int = 0, **options) -> World:
    """The shop's four services in a new world (``options`` go to :class:`World`)."""
    stock = options.pop("stock", None)
    return World(build_services(stock), transport=transport, seed=seed, **options)


__all__ = [
    "CATALOGUE", "ApproveOrder", "CancelShipment", "ChargePayment", "Inventory", "OrderApproved",
    "OrderPlaced", "OrderRejected", "Orders", "Payment", "PaymentCharged", "PaymentRefunded",
    "PlaceOrder", "RefundPayment", "RejectOrder", "ReleaseStock", "ReserveStock",
    "ScheduleShipment", "ShipmentCancelled", "ShipmentScheduled", "Shipping", "StockReleased",
    "StockReserved", "build_services", "build_world",
]
