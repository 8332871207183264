"""Stores: where orders live. A file that is not an orchestra store is refused and left alone."""
from __future__ import annotations

import json
import os
import random
import sqlite3

import pytest

from orchestra import OrchestraError, World
from orchestra.orchestrator import Orchestrator
from orchestra.saga import Saga
from orchestra.shop import Inventory, Payment, Shipping
from orchestra.shop.order import order_data, place_order_saga
from orchestra.store import MemoryStore, OrchestratorCrashed, SqliteStore, StoreError


def sell_red_dresses(store, customers=("ada", "bob", "cy"), stock=2):
    """Each customer buys a red dress; only ``stock`` are on the shelf."""
    world = World([Inventory({"red-dress": stock}), Payment(), Shipping()], seed=5)
    saga = place_order_saga()
    orders = Orchestrator(world, saga, name="order", store=store)
    for customer in customers:
        orders.start(saga, f"{customer}-1", **order_data(f"{customer}-1", customer=customer))
    world.run()
    return orders


def files_in(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def snapshot_of(order_id: str, state: str = "charging_payment", finished=False) -> dict:
    return {"id": order_id, "saga": "place_order", "state": state, "finished": finished}


# -- files that are not an orchestra store ----------------------------------------------------
NOT_A_DATABASE = {
    "random bytes": random.Random(12).randbytes(4096),
    "a text file": b"ada bought the red dress\nbob wanted the blue scarf\n",
    "a SQLite header and then garbage": b"SQLite format 3\x00" + random.Random(3).randbytes(4080),
}


@pytest.mark.parametrize("content", NOT_A_DATABASE.values(), ids=NOT_A_DATABASE.keys())
def test_a_file_that_is_not_a_database_is_refused_and_left_byte_for_byte_unchanged(tmp_path,
                                                                                  content):
    path = tmp_path / "orders.sqlite"
    path.write_bytes(content)
    with pytest.raises(StoreError) as refused:
        SqliteStore(path)
    message = str(refused.value)
    assert str(path) in message and "not a SQLite database" in message
    assert "move it aside to keep it, and start with a new file" in message
    assert files_in(tmp_path) == {"orders.sqlite": content}  # no journal or WAL left either


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_another_programs_database_is_refused_naming_its_tables_and_left_unchanged(tmp_path,
                                                                                 journal_mode):
    path = tmp_path / "recipes.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA journal_mode={journal_mode}")
    db.execute("CREATE TABLE recipes (name TEXT)")
    db.execute("INSERT INTO recipes VALUES ('blue scarf soup')")
    db.commit()
    db.close()
    before = files_in(tmp_path)
    with pytest.raises(StoreError) as refused:
        SqliteStore(path)
    message = str(refused.value)
    assert "written by another program (tables: recipes)" in message
    assert "Give the orchestrator a new file name" in message
    assert files_in(tmp_path) == before


def test_a_store_of_another_schema_version_is_refused_naming_both_versions(tmp_path):
    path = tmp_path / "orders.sqlite"
    SqliteStore(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=7")
    db.close()
    with pytest.raises(StoreError, match="schema version 7; this orchestra reads version 1"):
        SqliteStore(path)


def test_a_damaged_store_is_refused_when_opened_not_halfway_through_the_day(tmp_path):
    path = tmp_path / "orders.sqlite"
    sell_red_dresses(SqliteStore(path)).store.close()
    with open(path, "r+b") as damage:
        damage.seek(7 * 4096)
        damage.write(b"\xff" * 4096)  # one page of the history, overwritten
    before = path.read_bytes()
    with pytest.raises(StoreError, match="may be damaged.*move it aside"):
        SqliteStore(path)
    assert path.read_bytes() == before


def test_garbled_json_in_a_store_is_reported_as_damage_not_a_json_traceback(tmp_path):
    path = tmp_path / "orders.sqlite"
    store = SqliteStore(path)
    store.write(snapshot_of("ada-1"), [], {"type": "ChargePayment"})
    store.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE instances SET snapshot = '{\"id\": \"ada-1\", ' WHERE id = 'ada-1'")
    db.commit()
    db.close()
    store = SqliteStore(path)
    with pytest.raises(StoreError, match="is damaged .*move the file aside"):
        store.snapshot("ada-1")
    world = World([Inventory(), Payment(), Shipping()], seed=5)
    with pytest.raises(StoreError):
        Orchestrator.recover(world, place_order_saga(), name="order", store=store)


def test_a_store_error_is_an_orchestra_error():
    assert issubclass(StoreError, OrchestraError)


# -- what a store keeps -----------------------------------------------------------------------
def test_an_empty_file_becomes_a_new_store(tmp_path):
    path = tmp_path / "orders.sqlite"
    path.touch()
    store = SqliteStore(path)
    assert store.counts() == {} and store.unfinished() == []
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == 0x4F524348  # "ORCH"


def test_a_closed_and_reopened_store_still_knows_every_order(tmp_path):
    path = tmp_path / "orders.sqlite"
    orders = sell_red_dresses(SqliteStore(path))
    counts = orders.counts()
    snapshots = {i: orders.store.snapshot(i) for i in ("ada-1", "bob-1", "cy-1")}
    histories = {i: orders.store.history(i) for i in snapshots}
    orders.store.close()
    reopened = SqliteStore(path)
    assert counts == {"completed": 2, "compensated": 1}
    assert reopened.counts() == counts
    assert {i: reopened.snapshot(i) for i in snapshots} == snapshots
    assert {i: reopened.history(i) for i in snapshots} == histories
    assert reopened.unfinished() == []
    assert reopened.snapshot("dan-1") is None and reopened.history("dan-1") == []


def test_everything_stored_is_json_data(tmp_path):
    path = tmp_path / "orders.sqlite"
    sell_red_dresses(SqliteStore(path)).store.close()
    db = sqlite3.connect(path)
    rows = (db.execute("SELECT snapshot FROM instances").fetchall()
            + db.execute("SELECT record FROM history").fetchall())
    assert rows and all(isinstance(json.loads(text), dict) for (text,) in rows)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_unfinished_orders_come_back_oldest_first_with_the_command_to_send_again(tmp_path, kind):
    store = MemoryStore() if kind == "memory" else SqliteStore(tmp_path / "orders.sqlite")
    store.write(snapshot_of("ada-1"), [], {"type": "ChargePayment", "order_id": "ada-1"})
    store.write(snapshot_of("bob-1"), [], {"type": "ReserveStock", "order_id": "bob-1"})
    store.write(snapshot_of("cy-1", "completed", finished=True), [], None)
    store.write(snapshot_of("ada-1", "scheduling_shipment"), [],
                {"type": "ScheduleShipment", "order_id": "ada-1"})
    assert [(s["id"], s["state"], m["type"]) for s, m in store.unfinished()] == [
        ("ada-1", "scheduling_shipment", "ScheduleShipment"),
        ("bob-1", "charging_payment", "ReserveStock")]
    assert store.counts() == {"scheduling_shipment": 1, "charging_payment": 1, "completed": 1}


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_history_records_are_appended_in_order_and_a_record_written_twice_is_kept_once(
        tmp_path, kind):
    store = MemoryStore() if kind == "memory" else SqliteStore(tmp_path / "orders.sqlite")
    first, second = {"seq": 1, "kind": "state"}, {"seq": 4, "kind": "retried"}
    store.write(snapshot_of("ada-1"), [first], None)
    store.write(snapshot_of("ada-1"), [second], None)
    assert store.history("ada-1") == [first, second]


def test_a_memory_store_and_a_sqlite_store_agree_on_a_days_orders(tmp_path):
    in_memory = sell_red_dresses(MemoryStore())
    on_disk = sell_red_dresses(SqliteStore(tmp_path / "orders.sqlite"))
    assert in_memory.counts() == on_disk.counts() == {"completed": 2, "compensated": 1}
    for order_id in ("ada-1", "bob-1", "cy-1"):
        assert in_memory.store.snapshot(order_id) == on_disk.store.snapshot(order_id)
        assert in_memory.store.history(order_id) == on_disk.store.history(order_id)


# -- crashing on purpose ----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_crash_after_writes_crashes_once_right_after_that_write_and_keeps_it(tmp_path, kind):
    store = (MemoryStore(crash_after_writes=2) if kind == "memory"
             else SqliteStore(tmp_path / "orders.sqlite", crash_after_writes=2))
    store.write(snapshot_of("ada-1", "reserving_stock"), [], {"type": "ReserveStock"})
    with pytest.raises(OrchestratorCrashed, match="after durable write 2"):
        store.write(snapshot_of("ada-1"), [], {"type": "ChargePayment"})
    assert store.snapshot("ada-1")["state"] == "charging_payment"
    store.write(snapshot_of("ada-1", "scheduling_shipment"), [], {"type": "ScheduleShipment"})
    assert store.writes == 3


def test_a_crash_wipes_a_memory_store_but_not_a_sqlite_store(tmp_path):
    memory, sqlite = MemoryStore(), SqliteStore(tmp_path / "orders.sqlite")
    for store in (memory, sqlite):
        store.write(snapshot_of("ada-1"), [{"seq": 1}], {"type": "ChargePayment"})
        store.lose_everything()
    assert (memory.durable, sqlite.durable) == (False, True)
    assert memory.snapshot("ada-1") is None and memory.unfinished() == []
    assert sqlite.snapshot("ada-1") is not None and len(sqlite.unfinished()) == 1


def test_recovering_a_store_that_holds_a_saga_not_given_says_to_pass_it(tmp_path):
    path = tmp_path / "orders.sqlite"
    store = SqliteStore(path)
    store.write(snapshot_of("ada-1"), [], {"type": "ChargePayment"})
    other = Saga("return_dress", place_order_saga().steps)
    world = World([Inventory(), Payment(), Shipping()], seed=5)
    with pytest.raises(OrchestraError, match="saga 'place_order', which this orchestrator was "
                                             "not given; pass it to recover"):
        Orchestrator.recover(world, other, name="order", store=SqliteStore(path))


def test_an_unknown_synchronous_level_is_refused_naming_the_levels(tmp_path):
    with pytest.raises(ValueError, match="use OFF, NORMAL, FULL or EXTRA"):
        SqliteStore(tmp_path / "orders.sqlite", synchronous="sometimes")
    assert not os.path.exists(tmp_path / "orders.sqlite")


# -- the memory store keeps the latest finished instances, and counts them all ----------------
def test_the_memory_store_keeps_the_last_finished_orders_and_still_counts_every_one():
    store = MemoryStore(keep_finished=2)
    orders = sell_red_dresses(store, customers=("ada", "bob", "cy", "dee"), stock=3)
    assert orders.counts() == {"completed": 3, "compensated": 1}
    endings = [r.correlation_id for r in orders.world.history.of_kind("state")
               if r.detail["to"] in ("completed", "compensated")]
    forgotten, kept = endings[:2], endings[2:]  # in the order they finished
    for order_id in kept:
        assert store.snapshot(order_id)["finished"] and store.history(order_id)
        assert orders.state(order_id) in ("completed", "compensated")
    for order_id in forgotten:
        assert store.snapshot(order_id) is None and store.history(order_id) == []
        with pytest.raises(OrchestraError, match="keeps only the last 2 finished.*keep_finished=None"):
            orders.state(order_id)


def test_a_memory_store_that_keeps_everything_answers_for_every_order():
    store = MemoryStore(keep_finished=None)
    orders = sell_red_dresses(store, customers=[f"c{i}" for i in range(30)], stock=30)
    assert all(orders.state(f"c{i}-1") == "completed" for i in range(30))


@pytest.mark.parametrize("keep", [-1, 1.5, "all"])
def test_keep_finished_must_be_a_count_or_none(keep):
    with pytest.raises(ValueError, match="keep_finished.*None keeps every one"):
        MemoryStore(keep_finished=keep)
