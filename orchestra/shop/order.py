"""Order: the customer-facing bounded context, and the one that orchestrates the others.

Here a *product* is a line on the customer's order, and a *price* is what the catalogue
showed them at checkout. An order is ``pending`` until every other context has done its
part, then ``approved``; or ``rejected``, with the reason, when one of them could not.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Rejected
from ..messages import Command, Event
from ..service import Service, handles

# What the shop's web page shows, in cents.
CATALOGUE = {"red-dress": 8_900, "blue-scarf": 1_500, "green-hat": 2_400}


@dataclass(frozen=True, kw_only=True)
class PlaceOrder(Command):
    """A customer buys ``quantity`` of ``sku``, to be sent to ``address``."""

    order_id: str
    customer: str
    sku: str
    quantity: int = 1
    address: str = "1 Main Street, Springfield"


@dataclass(frozen=True, kw_only=True)
class ApproveOrder(Command):
    """Mark an order approved: stock reserved, paid, shipment booked."""

    order_id: str


@dataclass(frozen=True, kw_only=True)
class RejectOrder(Command):
    """Mark an order rejected, saying why."""

    order_id: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(Event):
    order_id: str
    customer: str
    sku: str
    quantity: int
    address: str
    total_cents: int


@dataclass(frozen=True, kw_only=True)
class OrderApproved(Event):
    order_id: str


@dataclass(frozen=True, kw_only=True)
class OrderRejected(Event):
    order_id: str
    reason: str = ""


@dataclass
class OrderLine:
    """One customer's order as the Order context sees it."""

    customer: str
    sku: str
    quantity: int
    address: str
    total_cents: int
    status: str = "pending"
    reason: str = ""
    history: list[str] = field(default_factory=list)


class Orders(Service):
    """Takes orders, prices them from the catalogue, and records how each one ended."""

    name = "order"

    def __init__(self, catalogue: dict[str, int] | None = None):
        self.catalogue = dict(catalogue if catalogue is not None else CATALOGUE)
        self.orders: dict[str, OrderLine] = {}

    @handles(PlaceOrder)
    def place_order(self, command: PlaceOrder) -> dict:
        if command.order_id in self.orders:
            return {"total_cents": self.orders[command.order_id].total_cents}
        if command.sku not in self.catalogue:
            raise Rejected(f"we do not sell {command.sku!r}; the catalogue has "
                           f"{', '.join(sorted(self.catalogue))}")
        if command.quantity < 1:
            raise Rejected(f"cannot order {command.quantity} x {command.sku}; order at least 1")
        total = self.catalogue[command.sku] * command.quantity
        self.orders[command.order_id] = OrderLine(command.customer, command.sku,
                                                  command.quantity, command.address, total)
        self.publish(OrderPlaced(order_id=command.order_id, customer=command.customer,
                                 sku=command.sku, quantity=command.quantity,
                                 address=command.address, total_cents=total))
        return {"total_cents": total}

    @handles(ApproveOrder)
    def approve_order(self, command: ApproveOrder) -> dict:
        order = self._order(command.order_id)
        if order.status == "pending":
            order.status = "approved"
            self.publish(OrderApproved(order_id=command.order_id))
        return {"status": order.status}

    @handles(RejectOrder)
    def reject_order(self, command: RejectOrder) -> dict:
        order = self._order(command.order_id)
        if order.status == "pending":
            order.status, order.reason = "rejected", command.reason
            self.publish(OrderRejected(order_id=command.order_id, reason=command.reason))
        return {"status": order.status}

    def _order(self, order_id: str) -> OrderLine:
        try:
            return self.orders[order_id]
        except KeyError:
            raise Rejected(f"there is no order {order_id!r}; place it first") from None


# The Order context's business process, as the orchestrator runs it. Pricing happens
# before the saga starts (see place_order below), so the saga itself only orchestrates.
def place_order_saga(compensation_policy=None):
    """The shop's saga: reserve the dress, charge the card, book the courier; undo in reverse."""
    from ..retry import RetryPolicy
    from ..saga import CompensationPolicy, Saga, Step
    from .inventory import ReleaseStock, ReserveStock
    from .payment import ChargePayment, RefundPayment
    from .shipping import CancelShipment, ScheduleShipment
    return Saga("place_order", [
        Step("reserving_stock", ReserveStock, compensation=ReleaseStock, timeout=2.0),
        Step("charging_payment", ChargePayment, compensation=RefundPayment,
             retry=RetryPolicy(attempts=2, backoff=0.5), timeout=2.0),
        Step("scheduling_shipment", ScheduleShipment, compensation=CancelShipment, timeout=2.0),
    ], on_compensation_failure=compensation_policy or CompensationPolicy(),
        completed_event=OrderApproved, compensated_event=OrderRejected)


def order_data(order_id: str, customer: str = "ada", sku: str = "red-dress", quantity: int = 1,
               address: str = "1 Main Street, Springfield",
               catalogue: dict[str, int] = CATALOGUE) -> dict:
    """What a saga instance for one order is started with, priced from the catalogue."""
    if sku not in catalogue:
        raise Rejected(f"we do not sell {sku!r}; the catalogue has {', '.join(sorted(catalogue))}")
    return dict(order_id=order_id, customer=customer, sku=sku, quantity=quantity,
                address=address, amount_cents=catalogue[sku] * quantity)
