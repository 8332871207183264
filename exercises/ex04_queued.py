"""Exercise 4, event-driven orchestration: ada's order rides out a 20-second Payment outage.

On the queued transport every service has an inbox (think a message broker). A command
sent to a service that is down is not refused: it waits in the inbox and is delivered
when the service comes back, and its reply travels back through the orchestrator's own
inbox. The command is still a command (one handler, which may not ignore it, and a reply):
commands do not need synchronous calls. But a queue only helps if the orchestrator is
patient enough to wait, and it must not wait forever either.

Part A: build the shop on the transport that lets a message wait for a service that is down.
Part B: write a saga patient enough to outlast a 20-second Payment outage, but not forever.
Part C: watch a service's inbox: how many messages wait in it at given moments.

Check your work: check("ex04") in a notebook, or `orchestra grade exercises/` in a terminal.
"""
from orchestra import RetryPolicy, World
from orchestra.saga import Saga, Step
from orchestra.shop import (CancelShipment, ChargePayment, Inventory, Payment, RefundPayment,
                            ReleaseStock, ReserveStock, ScheduleShipment, Shipping)


def shop_world(seed: int = 0) -> World:
    """The shop's Inventory, Payment and Shipping, on a transport with inboxes."""
    # TODO (part A): return World([Inventory(), Payment(), Shipping()], transport=..., seed=seed)
    # with the transport whose messages wait for a service that is down ("direct" or "queued"?).
    raise NotImplementedError("TODO (part A): build the shop on queues")


def patient_saga() -> Saga:
    """The order's saga, patient enough for a 20-second Payment outage, but not forever."""
    # TODO (part B): return Saga("place_order", [...]) with the shop's three steps, in order,
    # each with its compensation, as in the shop's own place_order_saga():
    #   "reserving_stock" ReserveStock / ReleaseStock,
    #   "charging_payment" ChargePayment / RefundPayment,
    #   "scheduling_shipment" ScheduleShipment / CancelShipment.
    # Give charging_payment a timeout (seconds to wait for a reply) and, if you like, a
    # retry=RetryPolicy(...) so that, together, the saga waits out 20 seconds of silence from
    # Payment. But keep it bounded: a Payment that never comes back must still let the order
    # end within 10 virtual minutes, its undo included. A step is Step(name, action,
    # compensation=..., retry=..., timeout=...).
    raise NotImplementedError("TODO (part B): write the patient saga")


def inbox_depths(world: World, service: str, times: list[float]) -> list[int]:
    """How many messages wait in ``service``'s inbox at each of ``times`` (ascending)."""
    # TODO (part C): for each time t, run the world until t (world.run(until=t)), then read
    # world.transport.depth(service). Return the depths in the order of ``times``.
    raise NotImplementedError("TODO (part C): count the messages waiting in the inbox")
