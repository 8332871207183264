"""Performance, read from the history: how long each order took, how many hops it made,
how much work it gave each participant, and how many orders ended per virtual second.

Every figure here is counted from the records, so it means the same for an orchestrated
shop and a choreographed one:

- an order's **latency** runs from its first record to its end: its last record, or,
  with ``end_events``, the moment one of those events (``OrderApproved``, say) was published;
- a **hop** is one message carried from one endpoint to another: a command, a reply, or
  an event to one of its subscribers;
- a participant's **load** is how many messages were delivered to it per order (for an
  orchestrator, the new order itself counts as one);
- **throughput** is orders ended per virtual second.
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Iterable

from .. import history as h


def _ends(history, end_events: Iterable[str] | None) -> dict[str, tuple[float, float]]:
    """``instance -> (first record's time, end time)`` for every instance that ended."""
    wanted = set(end_events) if end_events is not None else None
    found = {}
    for instance in history.instances:
        records = history.for_instance(instance)
        if wanted is None:
            found[instance] = (records[0].time, records[-1].time)
            continue
        for r in records:
            if r.kind == h.PUBLISHED and r.message_type in wanted:
                found[instance] = (records[0].time, r.time)
                break
    return found


def latencies(history, *, end_events: Iterable[str] | None = None) -> dict[str, float]:
    """Each order's latency in virtual seconds, ``{order id: seconds}``, in order of arrival.

    From the order's first record to its last; with ``end_events``, to the first
    publication of one of those events (orders that never published one are left out).
    """
    return {i: round(end - start, 6) for i, (start, end) in _ends(history, end_events).items()}


def percentile(values: Iterable[float], p: float) -> float:
    """The ``p``-th percentile (0-100) by nearest rank: the smallest value with at least
    ``p`` % of the values at or below it. ``percentile(v, 50)`` is the median."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values: a percentile needs at least one (did any order end?)")
    if not 0 <= p <= 100:
        raise ValueError(f"p={p!r}: a percentile is between 0 and 100")
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def throughput(history, *, end_events: Iterable[str] | None = None) -> float:
    """Orders ended per virtual second, from the first order's first record to the last end."""
    ends = _ends(history, end_events)
    if not ends:
        return 0.0
    span = max(e for _, e in ends.values()) - min(s for s, _ in ends.values())
    return len(ends) / span if span > 0 else float("inf")


def per_second(history, *, end_events: Iterable[str] | None = None) -> list[int]:
    """How many orders ended in each virtual second: ``[in 0-1 s, in 1-2 s, ...]``."""
    ends = [e for _, e in _ends(history, end_events).values()]
    counts = [0] * (math.floor(max(ends)) + 1 if ends else 0)
    for end in ends:
        counts[math.floor(end)] += 1
    return counts


def hops(records, through: str | None = None) -> int:
    """Messages carried in ``records`` (one order's, say): commands, replies, and events
    once per subscriber; with ``through``, only those that ``through`` sent or received."""
    count = 0
    for r in records:
        if r.kind in (h.SENT, h.REPLIED):
            count += through is None or through in (r.sender, r.receiver)
        elif r.kind == h.PUBLISHED:
            subscribers = r.detail.get("subscribers") or []
            if through is None or r.sender == through:
                count += len(subscribers)
            else:
                count += subscribers.count(through)
    return count


def hops_per_order(history, through: str | None = None) -> float:
    """The mean number of hops per order (only those ``through`` one endpoint, if given)."""
    instances = history.instances
    if not instances:
        return 0.0
    return sum(hops(history.for_instance(i), through) for i in instances) / len(instances)


def load_per_order(history) -> dict[str, float]:
    """Messages delivered to each endpoint per order, busiest first.

    An orchestrator is also handed each new order itself (one message per order).
    Only endpoints that take part in orders count (faults and the client's own
    bookkeeping are left out).
    """
    delivered: Counter = Counter()
    instances = set()
    for r in history:
        if not r.correlation_id:
            continue
        instances.add(r.correlation_id)
        if r.kind == h.DELIVERED:
            delivered[r.receiver] += 1
        elif r.kind == h.STATE and r.detail.get("trigger") == "start":
            delivered[r.sender] += 1  # the new order, handed to the orchestrator
    orders = len(instances) or 1
    return {name: round(n / orders, 3) for name, n in delivered.most_common()}


def summary(history, *, end_events: Iterable[str] | None = None,
            through: str | None = None) -> dict:
    """The figures for a run: orders ended, latency percentiles (ms), throughput, hops."""
    waits = list(latencies(history, end_events=end_events).values())
    row = {"orders": len(waits)}
    if waits:
        row.update({f"p{p}_ms": round(1000 * percentile(waits, p), 1) for p in (50, 95, 99)})
        row["max_ms"] = round(1000 * max(waits), 1)
    row["orders_per_s"] = round(throughput(history, end_events=end_events), 1)
    row["hops_per_order"] = round(hops_per_order(history), 2)
    if through is not None:
        row[f"hops_via_{through}"] = round(hops_per_order(history, through), 2)
    return row
