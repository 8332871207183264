"""The work every benchmark does: shop orders for the red dress, one in ten undone at shipping.

Each order reserves stock, charges the card and books the courier. Every tenth order is
for an address no courier serves, so Shipping refuses it and the saga undoes the charge,
then the reservation. The orchestrator, the hand-written floor and DBOS all do exactly this.
"""
from __future__ import annotations

import time

from orchestra import World
from orchestra.errors import Rejected
from orchestra.orchestrator import Orchestrator
from orchestra.saga import COMPENSATED, COMPLETED
from orchestra.shop import (ChargePayment, Inventory, Payment, RefundPayment, ReleaseStock,
                            ReserveStock, ScheduleShipment, Shipping)
from orchestra.shop.order import order_data, place_order_saga

SERVED = "1 Main Street, Springfield"
NOT_SERVED = "2 Elm Street, Shelbyville"  # no courier goes there: Shipping refuses
WAVE = 1_000  # orders in flight at once: the orchestrator starts a wave, then runs it to the end

# In memory everything runs on one core, so its cost is this process's CPU time: what the
# goal "sagas per second on one core" asks, and steadier than wall time on a busy machine.
cpu_time = time.process_time


def orders(n: int, prefix: str = "o") -> list[dict]:
    """The data of ``n`` orders; every tenth is for an address Shipping does not serve."""
    return [order_data(f"{prefix}-{i}", customer=f"customer-{i}",
                       address=NOT_SERVED if i % 10 == 9 else SERVED) for i in range(n)]


def expected(n: int) -> dict[str, int]:
    """How ``n`` orders end: nine in ten completed, one in ten compensated."""
    undone = n // 10
    return {COMPLETED: n - undone, COMPENSATED: undone} if undone else {COMPLETED: n}


def services(stock: int) -> list:
    """Fresh Inventory, Payment and Shipping (which serves Springfield only)."""
    return [Inventory({"red-dress": stock}), Payment(), Shipping(delivers_to=("Springfield",))]


def shop(stock: int, transport: str = "direct", store=None,
         history_limit: int | None = None) -> tuple[World, Orchestrator]:
    """A world with the three services and an orchestrator running the order saga."""
    world = World(services(stock), transport=transport, seed=1, history_limit=history_limit)
    return world, Orchestrator(world, place_order_saga(), name="order", store=store)


def run_orchestrator(world: World, orchestrator: Orchestrator, data: list[dict],
                     wave: int = WAVE) -> float:
    """CPU seconds to run every order through the orchestrator, ``wave`` orders in flight at once."""
    saga = orchestrator.sagas["place_order"]
    start, run = orchestrator.start, world.run
    started = cpu_time()
    for first in range(0, len(data), wave):
        for order in data[first:first + wave]:
            start(saga, order["order_id"], **order)
        run()
    return cpu_time() - started


def hand_written_saga(inventory: Inventory, payment: Payment, shipping: Shipping,
                      order: dict) -> str:
    """The floor: the same service calls as the saga, as plain Python, undone in reverse."""
    order_id = order["order_id"]
    inventory.reserve_stock(ReserveStock(order_id=order_id, sku=order["sku"],
                                         quantity=order["quantity"]))
    try:
        payment.charge_payment(ChargePayment(order_id=order_id, customer=order["customer"],
                                             amount_cents=order["amount_cents"]))
    except Rejected:
        inventory.release_stock(ReleaseStock(order_id=order_id))
        return COMPENSATED
    try:
        shipping.schedule_shipment(ScheduleShipment(order_id=order_id, address=order["address"]))
    except Rejected:
        payment.refund_payment(RefundPayment(order_id=order_id))
        inventory.release_stock(ReleaseStock(order_id=order_id))
        return COMPENSATED
    return COMPLETED


def run_hand_written(data: list[dict]) -> tuple[float, dict[str, int]]:
    """CPU seconds to run every order through :func:`hand_written_saga`, and how they ended."""
    world = World(services(len(data)))  # joining a world gives each service its outbox
    inventory, payment, shipping = world.services
    outboxes = [s._outbox for s in world.services]  # events published go nowhere: drop them
    ends = {COMPLETED: 0, COMPENSATED: 0}
    started = cpu_time()
    for order in data:
        ends[hand_written_saga(inventory, payment, shipping, order)] += 1
        for outbox in outboxes:
            outbox.clear()
    return cpu_time() - started, {k: v for k, v in ends.items() if v}


def run_over_the_world(data: list[dict], transport: str = "direct") -> tuple[float, dict]:
    """CPU seconds for the hand-written saga sending each command through the world (transport,
    history, virtual time) instead of calling the services: what the simulation itself costs."""
    world = World(services(len(data)), transport=transport, seed=1)
    call = world.call
    ends = {COMPLETED: 0, COMPENSATED: 0}
    started = cpu_time()
    for order in data:
        order_id = order["order_id"]
        call(ReserveStock(order_id=order_id, sku=order["sku"], quantity=order["quantity"]),
             correlation_id=order_id)
        if not call(ChargePayment(order_id=order_id, customer=order["customer"],
                                  amount_cents=order["amount_cents"]),
                    correlation_id=order_id).ok:
            call(ReleaseStock(order_id=order_id), correlation_id=order_id)
            ends[COMPENSATED] += 1
            continue
        if not call(ScheduleShipment(order_id=order_id, address=order["address"]),
                    correlation_id=order_id).ok:
            call(RefundPayment(order_id=order_id), correlation_id=order_id)
            call(ReleaseStock(order_id=order_id), correlation_id=order_id)
            ends[COMPENSATED] += 1
            continue
        ends[COMPLETED] += 1
    world.run()  # the cancelled time-outs and the last events
    return cpu_time() - started, {k: v for k, v in ends.items() if v}
