"""Exercise 10, the cost of orchestration: measure it, then size the orchestrator for an SLO.

Every order passes through the orchestrator four times (the order itself, and one reply
per step), and it handles one message at a time. ``run_shop`` below runs a busy shop
whose orchestrator spends ``handling_time`` virtual seconds on each message, and returns
its history. Read the figures from it, then choose how fast the orchestrator must be.

Part A: percentile(values, p): the nearest-rank percentile, written yourself.
Part B: latency_report(history): orders, median and 95th percentile latency (ms), the
        slowest order (ms) and throughput (orders per virtual second) of a run.
Part C: slowest_handling_time(rate, slo_ms, candidates): the largest handling time
        among the candidates that keeps the 95th percentile within ``slo_ms`` at
        ``rate`` orders per second (None if none does).

Check your work: check("ex10") in a notebook, or `orchestra grade exercises/` in a terminal.
"""
import math

from orchestra import World
from orchestra.analysis import latencies, throughput
from orchestra.orchestrator import Orchestrator
from orchestra.progress import run_orders
from orchestra.shop import Inventory, Payment, Shipping
from orchestra.shop.order import order_data, place_order_saga

ENDS = ("OrderApproved", "OrderRejected")  # an order has ended when one is published


def run_shop(handling_time: float, rate: float, orders: int = 200, seed: int = 1):
    """The history of ``orders`` orders arriving at ``rate`` per second (at random, seeded)
    at an orchestrator that spends ``handling_time`` on each message."""
    world = World([Inventory({"red-dress": orders}), Payment(card_limit_cents=10**9),
                   Shipping()], seed=seed)
    saga = place_order_saga()
    order = Orchestrator(world, saga, name="order", handling_time=handling_time)
    run_orders(world, lambda order_id: order.start(saga, order_id, **order_data(order_id)),
               orders, rate=rate, seed=seed)
    return world.history


def percentile(values, p: float) -> float:
    """The ``p``-th percentile (0 < p <= 100) of ``values``, by nearest rank."""
    # TODO (part A): sort the values (a copy: do not change the caller's list); the
    # nearest rank is ceil(p / 100 * n), counting from 1; return the value at that rank.
    # The median of 1..10 is 5, the 95th percentile 10.
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_report(history) -> dict:
    """The figures of one run: orders, p50_ms, p95_ms, max_ms, orders_per_s."""
    # TODO (part B): latencies(history, end_events=ENDS) gives each order's latency in
    # seconds; report how many orders ended, your percentile() of them at 50 and 95 and
    # the largest, in milliseconds, and throughput(history, end_events=ENDS):
    # {"orders": n, "p50_ms": ..., "p95_ms": ..., "max_ms": ..., "orders_per_s": ...}
    seconds = list(latencies(history, end_events=ENDS).values())
    return {"orders": len(seconds), "p50_ms": 1000 * percentile(seconds, 50),
            "p95_ms": 1000 * percentile(seconds, 95), "max_ms": 1000 * max(seconds),
            "orders_per_s": throughput(history, end_events=ENDS)}


def slowest_handling_time(rate: float, slo_ms: float, candidates) -> float | None:
    """The largest candidate handling time whose p95 latency at ``rate`` is within ``slo_ms``."""
    # TODO (part C): for each candidate, run_shop(candidate, rate) and take the p95_ms
    # of its latency_report; return the largest candidate with p95_ms <= slo_ms, or
    # None when none of them meets it.
    meeting = [h for h in candidates
               if latency_report(run_shop(h, rate))["p95_ms"] <= slo_ms]
    return max(meeting, default=None)
