"""Exercise 1, bounded contexts: the shop's loyalty programme, a context of your own.

Ada buys the red dress and earns loyalty points; on a later order she spends them. The
Loyalty context owns its data (a balance of points per customer) and its rules, and knows
nothing of Payment's ledger or Inventory's shelves. Here a *customer* is just a name with
a balance: the same word means something else in Payment (a card to charge).

Part A: keep the context's own state, on the instance.
Part B: award one point per whole euro an order cost, once per order.
Part C: refuse, with Rejected, to redeem more points than a customer has.

Check your work: check("ex01") in a notebook, or `orchestra grade exercises/` in a terminal.
"""
from dataclasses import dataclass

from orchestra import Command, Rejected, Service, handles


@dataclass(frozen=True, kw_only=True)
class AwardPoints(Command):
    """Give a customer points for an order: one point per whole euro (100 cents) spent."""

    customer: str
    order_id: str
    amount_cents: int


@dataclass(frozen=True, kw_only=True)
class RedeemPoints(Command):
    """Spend some of a customer's points on an order."""

    customer: str
    order_id: str
    points: int


class Loyalty(Service):
    """The loyalty programme: points per customer, earned on orders and spent on later ones."""

    name = "loyalty"

    def __init__(self, balances: dict[str, int] | None = None):
        # TODO (part A): keep this context's state on the instance (never on the class, or
        # every Loyalty would share it): a balance of points per customer, starting from a
        # copy of `balances`, and the ids of the orders that have earned points already.
        self.balances = dict(balances or {})
        self.awarded_orders = set()

    def balance(self, customer: str) -> int:
        """The points ``customer`` has now (0 for a customer never seen)."""
        # TODO (part A): look the customer up in your balances.
        return self.balances.get(customer, 0)

    @handles(AwardPoints)
    def award_points(self, command: AwardPoints) -> dict:
        """Add a point per whole euro of the order, once per order; answer the new balance."""
        # TODO (part B): add command.amount_cents // 100 points to the customer's balance,
        # unless this order earned points already (then change nothing). Either way, return
        # the customer's balance as {"points": ...}.
        if command.order_id not in self.awarded_orders:
            self.awarded_orders.add(command.order_id)
            earned = command.amount_cents // 100
            self.balances[command.customer] = self.balance(command.customer) + earned
        return {"points": self.balance(command.customer)}

    @handles(RedeemPoints)
    def redeem_points(self, command: RedeemPoints) -> dict:
        """Take the points off the customer's balance, or refuse if they have too few."""
        # TODO (part C): when the customer has fewer points than command.points, refuse with
        # raise Rejected("...") and a message that says how many points they have (a business
        # "no" is not retried). Otherwise take the points off and return {"points": <balance>}.
        have = self.balance(command.customer)
        if command.points > have:
            raise Rejected(f"{command.customer} has {have} points, "
                           f"not the {command.points} asked for")
        self.balances[command.customer] = have - command.points
        return {"points": self.balance(command.customer)}
