"""Exercise 11, a service's own retries, and idempotency: Payment rides out its blips.

Before a downstream service reports a failure to the orchestrator, it applies its own
error handling: it tries again, under its own RetryPolicy. A blip that a retry absorbs
never reaches the saga; only a failure that outlasts every retry comes back as "no".

But a retried handler runs again from the top. CardPayment charges the card and then
prints a receipt; the receipt printer jams now and then. Written naively, a jam after
the charge makes the service retry, and ada is charged twice. A handler must be
idempotent: running it again, or receiving the same charge again, changes nothing more.

Part A: give CardPayment its own retry policy: up to 4 tries, waiting 0.2 s, 0.4 s, 0.8 s.
Part B: charge the card once per order, even when the handler is retried or the charge
        is delivered again.
Part C: compute how long a service keeps retrying before it reports failure (its retry
        budget), and so how long a saga step must wait for its answer.

Check your work: check("ex11") in a notebook, or `orchestra grade exercises/` in a terminal.
"""
from dataclasses import dataclass

from orchestra import Command, RetryPolicy, Service, handles


@dataclass(frozen=True, kw_only=True)
class ChargeCard(Command):
    """Charge a customer's card ``amount_cents`` for an order."""

    order_id: str
    customer: str
    amount_cents: int


class ReceiptPrinter:
    """Prints receipts, and jams on its first ``jams`` tries (a flaky thing a service depends on)."""

    def __init__(self, jams: int = 0):
        self.jams = jams
        self.receipts: list[str] = []

    def print_receipt(self, text: str) -> None:
        """Print one receipt, or raise OSError when the printer jams."""
        if self.jams > 0:
            self.jams -= 1
            raise OSError("the receipt printer jammed")
        self.receipts.append(text)


class CardPayment(Service):
    """Charges cards: one line per charge in its ledger, and a printed receipt for each."""

    name = "payment"

    # TODO (part A): give the service its own retry policy, a class attribute: up to 4 tries,
    # waiting 0.2 s after the first failure (then 0.4 s, then 0.8 s: RetryPolicy doubles it).
    retry = RetryPolicy(attempts=1)

    def __init__(self, printer: ReceiptPrinter | None = None):
        self.ledger: list[tuple[str, int]] = []   # (order id, cents charged)
        self.printer = printer or ReceiptPrinter()

    def charged_cents(self, order_id: str) -> int:
        """Cents charged for an order, from the ledger."""
        return sum(cents for order, cents in self.ledger if order == order_id)

    @handles(ChargeCard)
    def charge_card(self, command: ChargeCard) -> dict:
        """Charge the card once per order, print the receipt, answer the cents charged."""
        # TODO (part B): add a line (order id, amount) to self.ledger, but only if this order
        # has not been charged yet; then print a receipt with self.printer.print_receipt(...)
        # (it may raise: then the service retries this whole handler, from the top). Return
        # {"charged_cents": <cents charged for the order>}.
        raise NotImplementedError("TODO (part B): charge the card, once per order")


def retry_budget(policy: RetryPolicy) -> float:
    """Virtual seconds a service waits between its first try and its last (all tries failing)."""
    # TODO (part C): a service waits policy.delay(k) after its k-th failed try, for every try
    # but the last (k = 1 .. policy.attempts - 1). Return the sum (0 for attempts=1).
    raise NotImplementedError("TODO (part C): add up the waits between the tries")
