"""Memory: what one saga instance costs while it runs, and what finished sagas leave behind.

In flight: tracemalloc counts the bytes allocated and still held after starting N orders
(each then waits for its first reply), divided by N. Its history is measured apart by
starting the same N orders a second time in a world whose history keeps no record and a
store that keeps no copy of them: that run is the cost beyond the history, and the
difference between the two runs is the history's share.

After finishing: each thing the world, the orchestrator and the store hold is measured
object by object (sys.getsizeof over everything it reaches; each object counted once,
under the first holder that reaches it, history last). Measured after 10x fewer and after
all the sagas, a holder whose size follows the number of finished sagas grows with
finished work; one that does not is flat.
"""
from __future__ import annotations

import gc
import sys
import tracemalloc
import types

from workload import orders, run_orchestrator, shop

from orchestra.history import History
from orchestra.store import MemoryStore


class ForgetfulHistory(History):
    """A history that keeps no record (to measure what an instance costs beyond its history)."""

    def add(self, kind, correlation_id, sender, receiver, message_type, message_id, detail):
        return (0, 0.0, kind, correlation_id, sender, receiver, message_type, message_id, {})


class ForgetfulStore(MemoryStore):
    """A memory store that keeps no copy of the history records it is given."""

    def _save(self, instance, records, outbox) -> None:
        super()._save(instance, [], outbox)


def _held_after_starting(n: int, forgetful: bool) -> tuple[float, list]:
    world, orchestrator = shop(n, store=ForgetfulStore() if forgetful else None)
    if forgetful:
        world.history = ForgetfulHistory(world.clock)
    saga = orchestrator.sagas["place_order"]
    data = orders(n)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for order in data:
        orchestrator.start(saga, order["order_id"], **order)
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    # In flight: every order has sent its first command and waits for the reply.
    assert len(orchestrator.active) == n and all(i.pending for i in orchestrator.active.values())
    by_file = after.compare_to(before, "filename")
    return sum(stat.size_diff for stat in by_file) / n, by_file


def in_flight(n: int) -> dict:
    """Bytes per started-but-unfinished instance: beyond its history, and its history."""
    total, _ = _held_after_starting(n, forgetful=False)
    beyond, by_file = _held_after_starting(n, forgetful=True)
    where = [(_short(stat.traceback[0].filename), stat.size_diff / n) for stat in by_file
             if stat.size_diff / n >= 50]
    return {"beyond_history": beyond, "history": total - beyond, "where": where}


def _short(filename: str) -> str:
    for marker in ("/orchestra/", "/site-packages/", "/benchmarks/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# -- what finished sagas leave behind ------------------------------------------------------
_NOT_DATA = (type, types.ModuleType, types.FunctionType, types.MethodType,
             types.BuiltinFunctionType, types.CodeType)


def deep_size(root, seen: set[int]) -> int:
    """Bytes of ``root`` and of everything it reaches that ``seen`` does not hold yet."""
    total, batch = 0, [root]
    while batch:
        fresh = []
        for obj in batch:
            if id(obj) in seen or isinstance(obj, _NOT_DATA):
                continue
            seen.add(id(obj))
            total += sys.getsizeof(obj)
            fresh.append(obj)
        batch = gc.get_referents(*fresh)
    return total


FRAMEWORK = {"world", "_replies", "_events_seen", "_in_progress", "_outbox"}
HISTORY = "history"
BUSINESS = "business data"


def holders(world, orchestrator) -> list[dict]:
    """Everything that could outlive a saga: what it is, its kind, the object, its items."""
    store, transport = orchestrator.store, world.transport
    machine = orchestrator.machines["place_order"]
    services = world.services
    own = [{k: v for k, v in vars(s).items() if k not in FRAMEWORK} for s in services]
    bookkeeping = {"waiting": transport._waiting, "answers": transport._answers,
                   "timed_out": transport._timed_out,
                   "inboxes": getattr(transport, "inboxes", {})}
    idempotency = [(s._replies, s._events_seen, s._in_progress) for s in services]

    def holder(what, short, kind, obj, items):
        return {"what": what, "short": short, "kind": kind, "obj": obj, "items": items}

    return [
        holder("state machine: models", "machine models", "must be 0", machine.models,
               len(machine.models)),
        holder("orchestrator: running instances", "running instances", "must be 0",
               orchestrator.active, len(orchestrator.active)),
        holder("clock: scheduled calls", "scheduled calls", "must be 0", world.clock._queue,
               len(world.clock._queue)),
        holder("store: outbox", "outbox", "must be 0", store._outbox, len(store._outbox)),
        holder("store: running instances", "the store's running instances", "must be 0",
               store._running, len(store._running)),
        holder("transport: waiting, answers, time-outs", "transport bookkeeping",
               "bookkeeping", bookkeeping, sum(len(v) for v in bookkeeping.values())),
        holder(f"store: finished snapshots (the last {store.keep_finished:,})",
               "the store's finished snapshots", "the store's record", store._finished,
               len(store._finished)),
        holder("services: idempotency tables (their latest answers)",
               "the services' idempotency tables", "idempotency", idempotency,
               sum(len(t) for tables in idempotency for t in tables)),
        holder("services: their own data (stock, ledger, shipments, undo marks)",
               "the services' own data", BUSINESS, own,
               sum(len(v) for d in own for v in d.values() if hasattr(v, "__len__"))),
        holder("store: its copy of the history records", "the store's history", HISTORY,
               store._history, sum(len(v) for v in store._history.values())),
        holder("world: history records", "the history", HISTORY,
               (world.history._chunks, world.history._tail, world.history._by_instance), len(world.history)),
    ]


def held(world, orchestrator) -> list[dict]:
    """The size of each holder, objects shared between holders counted once."""
    gc.collect()
    seen = {id(world), id(orchestrator), id(world.transport), id(world.clock),
            id(orchestrator.store), id(world.history)} | {id(s) for s in world.services}
    return [{**h, "obj": None, "bytes": deep_size(h["obj"], seen)}
            for h in holders(world, orchestrator)]


def growth(small: list[dict], n_small: int, large: list[dict], n_large: int) -> list[dict]:
    """Each holder at both sizes, with whether it grows with the number of finished sagas."""
    rows = []
    for a, b in zip(small, large):
        if b["kind"] == "must be 0":  # an emptied dict keeps its table: count items instead
            grows = b["items"] > 0
        else:  # 5-10x the sagas: what follows them grows 5-10x, what is flat stays near 1x
            grows = b["bytes"] > 2 * a["bytes"] + 65536
        rows.append({**b, "per_saga": b["bytes"] / n_large, "small_per_saga": a["bytes"] / n_small,
                     "grows": grows})
    return rows


def history_under_a_limit(sizes: tuple[int, int], limit: int) -> list[dict]:
    """The history's bytes after each number of finished sagas, in a world that keeps
    about ``limit`` records (``World(history_limit=limit)``)."""
    found = []
    for n in sizes:
        world, orchestrator = shop(n, history_limit=limit)
        run_orchestrator(world, orchestrator, orders(n))
        gc.collect()
        history = world.history
        found.append({"n": n, "records": len(history),
                      "bytes": deep_size((history._chunks, history._tail, history._by_instance),
                                         set())})
        del world, orchestrator
        gc.collect()
    return found
