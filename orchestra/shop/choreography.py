"""The same shop with no orchestrator: each context reacts to the others' events.

Follow an order: Order publishes OrderPlaced; Inventory reserves and publishes
StockReserved; Payment charges and publishes PaymentCharged; Shipping books the courier
and publishes ShipmentScheduled; Order approves. When something fails, the failure event
sets off the undo: ShipmentFailed makes Payment refund, PaymentFailed or PaymentRefunded
makes Inventory release, and StockReservationFailed or StockReleased makes Order reject.
Notice what each context now has to know about the others' events (and that Payment and
Shipping keep their own copy of the order's details): that is choreography's coupling.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..choreography import Tracker
from ..errors import Rejected
from ..messages import Event
from ..service import subscribes
from ..world import World
from .inventory import Inventory, ReleaseStock, ReserveStock, StockReleased, StockReserved
from .order import ApproveOrder, OrderApproved, OrderPlaced, OrderRejected, Orders, RejectOrder
from .payment import ChargePayment, Payment, PaymentCharged, PaymentRefunded, RefundPayment
from .shipping import ScheduleShipment, ShipmentScheduled, Shipping


@dataclass(frozen=True, kw_only=True)
class StockReservationFailed(Event):
    order_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class PaymentFailed(Event):
    order_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ShipmentFailed(Event):
    order_id: str
    reason: str


class ChoreographedOrders(Orders):
    """Order: takes the order, then only listens for how it ended."""

    @subscribes(ShipmentScheduled)
    def approve_when_shipped(self, event: ShipmentScheduled) -> None:
        self.approve_order(ApproveOrder(order_id=event.order_id))

    @subscribes(StockReservationFailed)
    def reject_when_out_of_stock(self, event: StockReservationFailed) -> None:
        self.reject_order(RejectOrder(order_id=event.order_id, reason=event.reason))

    @subscribes(StockReleased)
    def reject_when_stock_released(self, event: StockReleased) -> None:
        self.reject_order(RejectOrder(order_id=event.order_id, reason="undone"))


class ChoreographedInventory(Inventory):
    """Inventory: reserves when an order is placed, releases when payment fails or is refunded."""

    @subscribes(OrderPlaced)
    def reserve_for_new_order(self, event: OrderPlaced) -> None:
        try:
            self.reserve_stock(ReserveStock(order_id=event.order_id, sku=event.sku,
                                            quantity=event.quantity))
        except Rejected as refusal:
            self.publish(StockReservationFailed(order_id=event.order_id, reason=str(refusal)))

    @subscribes(PaymentFailed)
    def release_when_payment_failed(self, event: PaymentFailed) -> None:
        self.release_stock(ReleaseStock(order_id=event.order_id))

    @subscribes(PaymentRefunded)
    def release_when_refunded(self, event: PaymentRefunded) -> None:
        self.release_stock(ReleaseStock(order_id=event.order_id))


class ChoreographedPayment(Payment):
    """Payment: keeps its own copy of who pays what, charges once stock is reserved."""

    def __init__(self, card_limit_cents: int = 100_000):
        super().__init__(card_limit_cents)
        self.to_charge: dict[str, tuple[str, int]] = {}

    @subscribes(OrderPlaced)
    def note_amount_due(self, event: OrderPlaced) -> None:
        self.to_charge[event.order_id] = (event.customer, event.total_cents)

    @subscribes(StockReserved)
    def charge_when_reserved(self, event: StockReserved) -> None:
        customer, amount = self.to_charge[event.order_id]  # KeyError: OrderPlaced not seen yet
        try:
            self.charge_payment(ChargePayment(order_id=event.order_id, customer=customer,
                                              amount_cents=amount))
        except Rejected as refusal:
            self.publish(PaymentFailed(order_id=event.order_id, reason=str(refusal)))

    @subscribes(ShipmentFailed)
    def refund_when_shipment_failed(self, event: ShipmentFailed) -> None:
        self.refund_payment(RefundPayment(order_id=event.order_id))


class ChoreographedShipping(Shipping):
    """Shipping: keeps its own copy of the address, books the courier once paid."""

    def __init__(self, delivers_to: tuple[str, ...] = ()):
        super().__init__(delivers_to)
        self.addresses: dict[str, str] = {}

    @subscribes(OrderPlaced)
    def note_address(self, event: OrderPlaced) -> None:
        self.addresses[event.order_id] = event.address

    @subscribes(PaymentCharged)
    def ship_when_paid(self, event: PaymentCharged) -> None:
        try:
            self.schedule_shipment(ScheduleShipment(order_id=event.order_id,
                                                    address=self.addresses[event.order_id]))
        except Rejected as refusal:
            self.publish(ShipmentFailed(order_id=event.order_id, reason=str(refusal)))


MILESTONES = {
    OrderPlaced: "placed", StockReserved: "stock reserved", PaymentCharged: "paid",
    ShipmentScheduled: "shipment booked", OrderApproved: "approved",
    StockReservationFailed: "out of stock", PaymentFailed: "payment failed",
    ShipmentFailed: "shipment failed", PaymentRefunded: "refunded",
    StockReleased: "stock released", OrderRejected: "rejected",
}
ENDINGS = ("approved", "rejected")


def build_choreographed_world(transport: str = "direct", seed: int = 0, *,
                              stock: dict[str, int] | None = None,
                              delivers_to: tuple[str, ...] = (), **options) -> World:
    """The four choreographed contexts and a tracker, in a new world."""
    return World([ChoreographedOrders(), ChoreographedInventory(stock), ChoreographedPayment(),
                  ChoreographedShipping(delivers_to), Tracker(MILESTONES, ENDINGS)],
                 transport=transport, seed=seed, **options)

# Which events set off each context's own work, and its undo (what a fault should break).
TRIGGERS = {
    "inventory": (("OrderPlaced",), ("PaymentFailed", "PaymentRefunded")),
    "payment": (("StockReserved",), ("ShipmentFailed",)),
    "shipping": (("PaymentCharged",), ()),
}
