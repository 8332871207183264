"""Payment: the money's bounded context. Here a *price* is an amount in cents charged to a customer.

Payment knows nothing of shelves or parcels. Every charge and refund is a line in its
ledger, so the books always balance; a refund is safe to do twice or for an order that
was never charged, and bars a late charge for that order.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import Rejected
from ..messages import Command, Event
from ..service import Service, handles


@dataclass(frozen=True, kw_only=True)
class ChargePayment(Command):
    """Charge the customer ``amount_cents`` for an order."""

    order_id: str
    customer: str
    amount_cents: int


@dataclass(frozen=True, kw_only=True)
class RefundPayment(Command):
    """Give an order's charge back to the customer (undoes ChargePayment)."""

    order_id: str


@dataclass(frozen=True, kw_only=True)
class PaymentCharged(Event):
    order_id: str
    customer: str
    amount_cents: int


@dataclass(frozen=True, kw_only=True)
class PaymentRefunded(Event):
    order_id: str
    amount_cents: int


class Payment(Service):
    """Keeps a ledger of charges (+) and refunds (-), per order."""

    name = "payment"

    def __init__(self, card_limit_cents: int = 100_000):
        self.card_limit_cents = card_limit_cents
        self.ledger: list[tuple[str, int]] = []
        self.charged: dict[str, int] = {}
        self.refunded: set[str] = set()  # orders undone: a late ChargePayment must not charge

    @handles(ChargePayment)
    def charge_payment(self, command: ChargePayment) -> dict:
        if command.order_id in self.charged:  # the same order charged twice? never
            return {"charged_cents": self.charged[command.order_id]}
        if command.order_id in self.refunded:
            raise Rejected(f"order {command.order_id} was refunded already; not charging again")
        if command.amount_cents <= 0:
            raise Rejected(f"cannot charge {command.amount_cents} cents; an amount is positive")
        if command.amount_cents > self.card_limit_cents:
            raise Rejected(f"card declined: {command.amount_cents} cents is over the "
                           f"{self.card_limit_cents} cent limit")
        self.charged[command.order_id] = command.amount_cents
        self.ledger.append((command.order_id, command.amount_cents))
        self.publish(PaymentCharged(order_id=command.order_id, customer=command.customer,
                                    amount_cents=command.amount_cents))
        return {"charged_cents": command.amount_cents}

    @handles(RefundPayment)
    def refund_payment(self, command: RefundPayment) -> dict:
        amount = self.charged.pop(command.order_id, None)
        self.refunded.add(command.order_id)
        if amount is None:  # never charged, or refunded already: nothing to give back
            return {"refunded_cents": 0}
        self.ledger.append((command.order_id, -amount))
        self.publish(PaymentRefunded(order_id=command.order_id, amount_cents=amount))
        return {"refunded_cents": amount}

    def balance_cents(self, order_id: str | None = None) -> int:
        """Money kept, in cents: for one order, or for the whole shop."""
        return sum(amount for order, amount in self.ledger
                   if order_id is None or order == order_id)
