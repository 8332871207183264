"""Exercise 5, the order as a saga: when the courier fails, undo everything, in reverse.

Ada orders the red dress. The Order context orchestrates three steps: reserve the dress
(Inventory), charge her card (Payment), book the courier (Shipping). When a step fails for
good, the orchestrator undoes the steps that succeeded, newest first, with their
compensations, and the shop ends as it began: the dress back on the shelf, the money back
on the card, no parcel. That is what `compensated` means.

Part A: write the saga definition: three steps, each with the command that undoes it;
        the card network blips now and then, so charging_payment tries up to 3 times.
Part B: run one order through an orchestrator and return the state it ended in.
Part C: say what an order left behind in each context (a compensated order: nothing).

The world you are given holds the shop's Inventory, Payment and Shipping services.
Check your work: check("ex05") in a notebook, or `orchestra grade exercises/` in a terminal.
"""
from orchestra import RetryPolicy, World
from orchestra.orchestrator import Orchestrator
from orchestra.saga import Saga, Step
from orchestra.shop import (CancelShipment, ChargePayment, RefundPayment, ReleaseStock,
                            ReserveStock, ScheduleShipment)
from orchestra.shop.order import order_data


def order_saga() -> Saga:
    """The shop's saga: reserve the dress, charge the card, book the courier; undo in reverse."""
    # TODO (part A): return Saga("place_order", [...]) with three Steps, in this order:
    #   "reserving_stock"      sends ReserveStock,     undone by ReleaseStock
    #   "charging_payment"     sends ChargePayment,    undone by RefundPayment,
    #                          retry=RetryPolicy(attempts=3, backoff=0.5)
    #   "scheduling_shipment"  sends ScheduleShipment, undone by CancelShipment
    # A step is Step(name, action, compensation=..., retry=...).
    raise NotImplementedError("TODO (part A): define the order's saga")


def run_order(world: World, order_id: str = "o-1", customer: str = "ada",
              sku: str = "red-dress") -> str:
    """Run one order through order_saga() in ``world``; return the state it ended in."""
    # TODO (part B): make an Orchestrator(world, saga, name="order"); start the order with
    # orchestrator.start(saga, order_id, **order_data(order_id, customer=customer, sku=sku));
    # run the world until nothing is left to do; return orchestrator.state(order_id).
    raise NotImplementedError("TODO (part B): run the order and return its final state")


def left_behind(world: World, order_id: str) -> dict:
    """What an order left in each context: units reserved, cents kept, parcels booked."""
    # TODO (part C): ask each context about this order; each keeps its own books:
    #   world.service("inventory").reservations  order id -> (sku, quantity)
    #   world.service("payment").balance_cents(order_id)
    #   world.service("shipping").shipments      order id -> tracking code
    # Return {"units_reserved": <int>, "cents_kept": <int>, "parcels": <0 or 1>}.
    raise NotImplementedError("TODO (part C): say what the order left behind")
