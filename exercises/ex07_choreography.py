"""Exercise 7, choreography: a new context joins the dance, and a stuck order is set free.

In the choreographed shop no one is in charge: Order publishes OrderPlaced, Inventory
reserves and publishes StockReserved, Payment charges and publishes PaymentCharged,
Shipping books the courier, Order approves. A new context joins by listening to the
events it needs; the tracker, which pieces each order's story together, must be told
about the new milestone. And when a context fails without saying so, no event sets off
the undo: the order is stuck, its dress reserved for ever, until someone publishes the
failure event that was never sent.

Part A: Invoicing, a context of its own: it hears PaymentCharged and issues an invoice
        (and publishes InvoiceIssued); it hears PaymentRefunded and issues a credit note.
Part B: the choreographed shop with Invoicing in it, and a tracker that also sees the
        milestone "invoiced".
Part C: an order stuck because Payment gave up on it silently: publish the failure event
        that sets off its undo, so the dress goes back on the shelf and Order rejects it.

Check your work: check("ex07") in a notebook, or `orchestra grade exercises/` in a terminal.
"""
from dataclasses import dataclass

from orchestra import Event, Service, World, subscribes
from orchestra.choreography import Tracker
from orchestra.shop import PaymentCharged, PaymentRefunded
from orchestra.shop.choreography import (ENDINGS, MILESTONES, ChoreographedInventory,
                                         ChoreographedOrders, ChoreographedPayment,
                                         ChoreographedShipping, PaymentFailed)


@dataclass(frozen=True, kw_only=True)
class InvoiceIssued(Event):
    """An order was invoiced: a fact, for whoever cares (the tracker, the accountants)."""

    order_id: str
    number: str
    amount_cents: int


class Invoicing(Service):
    """Invoices paid orders and credits refunded ones. It only listens: it sends no command."""

    name = "invoicing"

    def __init__(self):
        self.invoices: dict[str, list[int]] = {}  # order id -> amounts: + invoice, - credit note
        self.issued = 0                           # how many invoices, for their numbers

    # TODO (part A): make invoice_when_paid a subscriber to PaymentCharged (@subscribes).
    # Add event.amount_cents to self.invoices[event.order_id] (a list: start it if new),
    # count the invoice in self.issued, and publish (self.publish) an InvoiceIssued for the
    # order with that amount and the number f"INV-{self.issued:04d}" (INV-0001 first).
    def invoice_when_paid(self, event):
        """Issue the invoice of an order that was paid for."""
        raise NotImplementedError("TODO (part A): invoice the paid order")

    # TODO (part A): make credit_when_refunded a subscriber to PaymentRefunded; it adds
    # -event.amount_cents to the order's list (a credit note cancels the invoice).
    def credit_when_refunded(self, event):
        """Issue a credit note for an order whose payment was refunded."""
        raise NotImplementedError("TODO (part A): credit the refunded order")

    def balance_cents(self, order_id: str) -> int:
        """What an order was invoiced, net of its credit notes."""
        return sum(self.invoices.get(order_id, ()))


def milestones() -> dict:
    """The tracker's milestones: every one the shop's tracker knows, and "invoiced"."""
    # TODO (part B): return a new dict: everything in MILESTONES (event class -> label),
    # and InvoiceIssued -> "invoiced". Do not change MILESTONES itself.
    raise NotImplementedError("TODO (part B): add the milestone 'invoiced'")


def build_world(transport: str = "direct", seed: int = 0, **options) -> World:
    """The choreographed shop with Invoicing, and a tracker that sees the invoices."""
    # TODO (part B): return World([...], transport=transport, seed=seed, **options) with
    # ChoreographedOrders(), ChoreographedInventory(), ChoreographedPayment(),
    # ChoreographedShipping(), Invoicing() and Tracker(milestones(), ENDINGS).
    raise NotImplementedError("TODO (part B): build the shop with Invoicing in it")


def unstick(world: World, order_id: str) -> None:
    """Set free an order stuck at 'stock reserved' because Payment gave up on it silently."""
    # TODO (part C): nobody is in charge, so the undo starts only when a failure event is
    # published. Which event makes Inventory release the dress? (Read the subscribers of
    # ChoreographedInventory in orchestra/shop/choreography.py.) Publish it for this order,
    # as Payment would have: world.publish(<the event>(order_id=..., reason=...),
    # sender="payment", correlation_id=order_id); then run the world.
    raise NotImplementedError("TODO (part C): publish the failure event nobody sent")
