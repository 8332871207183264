"""The order saga as a DBOS Transact workflow, timed in a process of its own.

DBOS is a process-wide singleton, so benchmarks/durable.py runs this file as a
subprocess: ``python dbos_worker.py ORDERS FOLDER SYNCHRONOUS``. It prints one line of
JSON: orders per second, how they ended, its write transactions per order, and the
SQLite settings DBOS really ran with.

The workflow does what the orchestrator does: three steps calling the same shop services,
and when Shipping refuses (every tenth order) a refund, then a release, each a step.
"""
from __future__ import annotations

import json
import os
import sqlite3
import sys
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine

from dbos import DBOS, SetWorkflowID

# benchmarks/ itself, for workload (when run as a script it is sys.path[0] already).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workload import expected, orders, services  # noqa: E402

from orchestra import World  # noqa: E402
from orchestra.errors import Rejected  # noqa: E402  (module level, so DBOS can pickle it)
from orchestra.saga import COMPENSATED, COMPLETED  # noqa: E402
from orchestra.shop import (ChargePayment, RefundPayment, ReleaseStock,  # noqa: E402
                            ReserveStock, ScheduleShipment)

SYNCHRONOUS = sys.argv[3].upper() if len(sys.argv) > 3 else "FULL"


# DBOS takes no SQLite settings; synchronous is per connection, so set it on every
# connection SQLAlchemy opens (this process holds nothing but DBOS's engine).
@event.listens_for(Engine, "connect")
def _synchronous(dbapi_connection, record):
    dbapi_connection.execute(f"PRAGMA synchronous={SYNCHRONOUS}")


# Write transactions: commits that changed a row (orchestra's store.writes counts the same).
writes = 0
_changes: dict[int, int] = {}


@event.listens_for(Engine, "commit")
def _count_writes(connection):
    global writes
    raw = connection.connection.dbapi_connection
    changed = raw.total_changes
    if changed > _changes.get(id(raw), 0):
        writes += 1
    _changes[id(raw)] = changed


shop = World(services(10**7))  # joining a world gives each service its outbox
inventory, payment, shipping = shop.services


def _drop_events():
    for service in (inventory, payment, shipping):
        service._outbox.clear()


@DBOS.step()
def reserve_stock(order: dict) -> dict:
    result = inventory.reserve_stock(ReserveStock(order_id=order["order_id"], sku=order["sku"],
                                                  quantity=order["quantity"]))
    _drop_events()
    return result


@DBOS.step()
def charge_payment(order: dict) -> dict:
    result = payment.charge_payment(ChargePayment(order_id=order["order_id"],
                                                  customer=order["customer"],
                                                  amount_cents=order["amount_cents"]))
    _drop_events()
    return result


@DBOS.step()
def schedule_shipment(order: dict) -> dict:
    result = shipping.schedule_shipment(ScheduleShipment(order_id=order["order_id"],
                                                         address=order["address"]))
    _drop_events()
    return result


@DBOS.step()
def refund_payment(order: dict) -> dict:
    result = payment.refund_payment(RefundPayment(order_id=order["order_id"]))
    _drop_events()
    return result


@DBOS.step()
def release_stock(order: dict) -> dict:
    result = inventory.release_stock(ReleaseStock(order_id=order["order_id"]))
    _drop_events()
    return result


# The same control flow as workload.hand_written_saga: undo in reverse, one step at a time.
@DBOS.workflow()
def place_order(order: dict) -> str:
    reserve_stock(order)
    try:
        charge_payment(order)
    except Rejected:
        release_stock(order)
        return COMPENSATED
    try:
        schedule_shipment(order)
    except Rejected:
        refund_payment(order)
        release_stock(order)
        return COMPENSATED
    return COMPLETED


def main(n: int, folder: str) -> dict:
    path = os.path.join(folder, "dbos.sqlite")
    # DBOS would create the file with SQLite's default rollback journal; orchestra's store
    # uses a write-ahead log. journal_mode=WAL is kept in the file, so set it first.
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
    dbos = DBOS(config={"name": "bench", "system_database_url": f"sqlite:///{path}",
                        "log_level": "ERROR", "run_admin_server": False})
    DBOS.launch()
    try:
        with dbos._sys_db.engine.connect() as connection:
            journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
        for order in orders(5, prefix="warm-up"):
            with SetWorkflowID(order["order_id"]):
                place_order(order)
        data = orders(n)
        ends = {COMPLETED: 0, COMPENSATED: 0}
        writes_before = writes
        started = time.perf_counter()
        for order in data:
            with SetWorkflowID(order["order_id"]):
                ends[place_order(order)] += 1
        seconds = time.perf_counter() - started
    finally:
        DBOS.destroy()
    ends = {k: v for k, v in ends.items() if v}
    if ends != expected(n):
        raise SystemExit(f"DBOS ended the orders {ends}, not {expected(n)}")
    return {"per_second": n / seconds, "seconds": seconds, "ends": ends,
            "commits_per_saga": (writes - writes_before) / n,
            "journal_mode": journal, "synchronous": {0: "OFF", 1: "NORMAL", 2: "FULL",
                                                     3: "EXTRA"}.get(synchronous, synchronous)}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), sys.argv[2])))
