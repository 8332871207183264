"""Exercise 8, the God service: take the business decisions out of the orchestrator.

The shop's orchestrator has grown a brain. Its saga prices every order itself (the list
price, 10 % off for the loyalty club, 5 euros off an order of two or more) and applies a
stock rule of its own (at most 2 of one item per order). Payment charges whatever it is
told; Inventory reserves whatever it is asked. That is the God service: every change to
a price or a rule is a change to the orchestrator, and a rule only the orchestrator
knows holds only for the orders that pass through it.

Notebook 08 moves the stock rule into Inventory (``LimitedInventory``, below). You move
the pricing into Payment, and leave the orchestrator nothing to decide:

Part A: PricingPayment.price_cents: the pricing rule, in Payment, from its own price list.
Part B: PricingPayment.charge_order handles ChargeOrder: it charges what price_cents says.
Part C: lean_saga(): the same three steps with no prepare at all; charging_payment sends
        ChargeOrder. orchestra.analysis.decisions(lean_saga()) then finds 0 decisions,
        and every order ends exactly as it did under the God service.

Check your work: check("ex08") in a notebook, or `orchestra grade exercises/` in a terminal.
"""
from dataclasses import dataclass

from orchestra import Command, Rejected, handles
from orchestra.saga import Saga, Step
from orchestra.shop import (CancelShipment, ChargePayment, Inventory, Payment, RefundPayment,
                            ReleaseStock, ReserveStock, ScheduleShipment, Shipping)
from orchestra.shop.order import CATALOGUE, OrderApproved, OrderRejected

LOYALTY_CLUB = {"ada", "cy"}   # members get 10 % off
MAX_PER_ORDER = 2              # units of one item in one order
MULTI_BUY_OFF = 500            # cents off an order of two or more units


# -- before: the orchestrator decides ------------------------------------------------------
def price_in_the_orchestrator(data: dict) -> dict:
    """The orchestrator prices the order itself: Payment's business, decided in the wrong place."""
    amount = CATALOGUE[data["sku"]] * data["quantity"]
    if data["customer"] in LOYALTY_CLUB:
        amount = amount * 90 // 100
    if data["quantity"] >= 2:
        amount -= MULTI_BUY_OFF
    return {"amount_cents": amount}


def limit_in_the_orchestrator(data: dict) -> dict:
    """The orchestrator applies a stock rule itself: Inventory's business."""
    if data["quantity"] > MAX_PER_ORDER:
        raise Rejected(f"at most {MAX_PER_ORDER} x {data['sku']} per order")
    return {}


def god_saga() -> Saga:
    """The order's saga, with a pricing rule and a stock rule inside the orchestrator."""
    return Saga("place_order", [
        Step("reserving_stock", ReserveStock, compensation=ReleaseStock, timeout=2.0,
             prepare=limit_in_the_orchestrator),
        Step("charging_payment", ChargePayment, compensation=RefundPayment, timeout=2.0,
             prepare=price_in_the_orchestrator),
        Step("scheduling_shipment", ScheduleShipment, compensation=CancelShipment, timeout=2.0),
    ], completed_event=OrderApproved, compensated_event=OrderRejected)


def god_services(stock: dict | None = None) -> list:
    """The anaemic services the God saga needs: they do as they are told."""
    return [Inventory(stock), Payment(), Shipping()]


# -- after: each decision in the context that owns it -----------------------------------
@dataclass(frozen=True, kw_only=True)
class ChargeOrder(Command):
    """Charge the customer for an order; Payment works out how much."""

    order_id: str
    customer: str
    sku: str
    quantity: int = 1


class LimitedInventory(Inventory):
    """Inventory with its own rule (moved here in notebook 08): at most 2 of one item per order."""

    @handles(ReserveStock)
    def reserve_stock(self, command: ReserveStock) -> dict:
        if command.quantity > MAX_PER_ORDER:
            raise Rejected(f"at most {MAX_PER_ORDER} x {command.sku} per order")
        return super().reserve_stock(command)


class PricingPayment(Payment):
    """Payment, now Pricing too: it keeps the price list and decides what an order costs."""

    def __init__(self, card_limit_cents: int = 100_000, prices: dict | None = None):
        super().__init__(card_limit_cents)
        self.prices = dict(CATALOGUE if prices is None else prices)

    def price_cents(self, customer: str, sku: str, quantity: int) -> int:
        """What the order costs, in cents."""
        # TODO (part A): the rule price_in_the_orchestrator applies, here in Payment: the
        # list price from this context's own self.prices times the quantity; 10 % off
        # (rounded down) for LOYALTY_CLUB members; then MULTI_BUY_OFF off 2 or more units.
        raise NotImplementedError("TODO (part A): price the order in Payment")

    @handles(ChargeOrder)
    def charge_order(self, command: ChargeOrder) -> dict:
        """Charge what the order costs, the way Payment charges any amount."""
        # TODO (part B): price the order with self.price_cents(...) and charge it with
        # Payment's own handler: return self.charge_payment(ChargePayment(order_id=...,
        # customer=..., amount_cents=...)). It charges an order once, however often asked.
        raise NotImplementedError("TODO (part B): charge what price_cents says")


def lean_saga() -> Saga:
    """The order's saga with nothing left to decide: it only orchestrates."""
    # TODO (part C): god_saga() without any prepare: the same step names, time-outs and
    # events; charging_payment sends ChargeOrder (still undone by RefundPayment).
    raise NotImplementedError("TODO (part C): the saga with nothing to decide")


def lean_services(stock: dict | None = None) -> list:
    """The services the lean saga needs: each owns its decisions."""
    return [LimitedInventory(stock), PricingPayment(), Shipping()]
