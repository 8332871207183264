"""Durable throughput: the orchestrator on its SQLite store against DBOS Transact on SQLite.

Both write to a SQLite file in a write-ahead log with the same ``synchronous`` level,
in a temporary folder on the same disk, and run the orders one at a time (each waits for
the last to end). DBOS runs in a subprocess (see dbos_worker.py): it is a process-wide
singleton, and it must not be a dependency of orchestra or of its tests.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workload import expected, orders, shop

from orchestra.store import SqliteStore

WORKER = Path(__file__).with_name("dbos_worker.py")
INSTALL = 'pip install -e ".[bench]"'


def orchestrator_on_sqlite(n: int, synchronous: str) -> dict:
    """Orders per second through the orchestrator with a SqliteStore, and its settings."""
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "orders.sqlite", synchronous=synchronous)
        try:
            journal = store._db.execute("PRAGMA journal_mode").fetchone()[0]
            level = store._db.execute("PRAGMA synchronous").fetchone()[0]
            world, orchestrator = shop(n + 5, store=store)
            saga = orchestrator.sagas["place_order"]
            for order in orders(5, prefix="warm-up"):
                orchestrator.start(saga, order["order_id"], **order)
                world.run()
            data = orders(n)
            writes = store.writes
            started = time.perf_counter()
            for order in data:
                orchestrator.start(saga, order["order_id"], **order)
                world.run()
            seconds = time.perf_counter() - started
            writes = store.writes - writes
            ends = orchestrator.counts()
        finally:
            store.close()
    want = expected(n)
    want["completed"] += 5
    if ends != want:
        raise RuntimeError(f"the orders ended {ends}, not {want}")
    return {"per_second": n / seconds, "commits_per_saga": writes / n, "journal_mode": journal,
            "synchronous": {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[level]}


def dbos_version() -> str | None:
    """DBOS Transact's version, or None when it is not installed here."""
    if importlib.util.find_spec("dbos") is None:
        return None
    return importlib.metadata.version("dbos")


def dbos_on_sqlite(n: int, synchronous: str) -> dict:
    """Workflows per second through DBOS, or ``{"skipped": why}``."""
    if dbos_version() is None:
        return {"skipped": f"DBOS Transact is not installed; {INSTALL} to compare with it"}
    with tempfile.TemporaryDirectory() as folder:
        try:
            done = subprocess.run([sys.executable, str(WORKER), str(n), folder, synchronous],
                                  capture_output=True, text=True, timeout=900)
        except subprocess.TimeoutExpired:
            return {"skipped": "DBOS did not finish within 15 minutes"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"skipped": f"DBOS failed here: {last[:120]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def best_of(repeats: int, n: int, synchronous: str) -> tuple[dict, dict]:
    """The faster of ``repeats`` runs on each side, taking turns so both see the same machine."""
    ours, theirs = [], []
    for _ in range(repeats):
        ours.append(orchestrator_on_sqlite(n, synchronous))
        theirs.append(dbos_on_sqlite(n, synchronous))
    fastest = max(ours, key=lambda r: r["per_second"])
    ran = [r for r in theirs if "skipped" not in r]
    return fastest, max(ran, key=lambda r: r["per_second"]) if ran else theirs[-1]
