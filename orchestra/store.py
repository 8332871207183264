"""Where saga instances live: in memory (the default, gone when the orchestrator dies) or SQLite.

An orchestrator writes once per step: the instance's snapshot, its new history records and
the command it is about to send (its outbox), in one transaction. After a crash,
:meth:`SqliteStore.unfinished` gives back every instance that had not ended, with the
command to send again; services recognise the message id and do not act twice.
Everything stored is JSON: data, never code.
"""
from __future__ import annotations

import json
import os
import sqlite3
from collections import OrderedDict
from contextlib import contextmanager

from .errors import OrchestraError
from .history import pack, record_of, unpack
from .messages import to_dict

# "ORCH" in ASCII: marks a SQLite file as an orchestra store.
APPLICATION_ID = 0x4F524348
SCHEMA_VERSION = 1


class StoreError(OrchestraError):
    """The store cannot be used: the file is not an orchestra store, or it is damaged."""


class OrchestratorCrashed(OrchestraError):
    """The simulated orchestrator process died here (raised on purpose to test recovery)."""


class Store:
    """What an orchestrator needs from a store. Crash on purpose with ``crash_after_writes``."""

    durable = False

    def __init__(self, crash_after_writes: int | None = None):
        self.writes = 0
        self.crash_after_writes = crash_after_writes

    def write(self, snapshot: dict, records: list[dict], outbox: dict | None) -> None:
        """Save one step: the snapshot, its new history records, and the pending command."""
        self._write(snapshot, records, outbox)
        self._written()

    def save(self, instance, records: list, outbox) -> None:
        """Save one step of a live instance (what an orchestrator calls): :meth:`write` of its
        snapshot, its new history rows (see :func:`~orchestra.history.record_of`) and its
        pending command."""
        self._save(instance, records, outbox)
        self._written()

    def _save(self, instance, records, outbox) -> None:
        self._write(instance.snapshot(), [record_of(r).to_dict() for r in records],
                    None if outbox is None else to_dict(outbox))

    def _written(self) -> None:
        self.writes += 1
        if self.crash_after_writes is not None and self.writes >= self.crash_after_writes:
            self.crash_after_writes = None
            raise OrchestratorCrashed(
                f"the orchestrator crashed on purpose after durable write {self.writes}"
            )

    def _write(self, snapshot, records, outbox) -> None:
        raise NotImplementedError

    def unfinished(self) -> list[tuple[dict, dict | None]]:
        """Every instance that had not ended, with its pending command, oldest first."""
        raise NotImplementedError

    def snapshot(self, instance_id: str) -> dict | None:
        """The last saved snapshot of an instance, or None."""
        raise NotImplementedError

    def history(self, instance_id: str) -> list[dict]:
        """The records saved for an instance, in order."""
        raise NotImplementedError

    def counts(self) -> dict[str, int]:
        """How many stored instances are in each state."""
        raise NotImplementedError

    def lose_everything(self) -> None:
        """What a crash does to this store (nothing, for a durable one)."""

    def close(self) -> None:
        """Release the store's resources."""


class MemoryStore(Store):
    """Keeps instances in this Python process: fast, and lost with it.

    A running instance is kept as itself (its snapshot is taken when someone asks), so a
    step costs no copy. Of the finished ones it keeps the last ``keep_finished`` (None:
    all), so memory does not grow with finished work; :meth:`counts` still counts them all.
    """

    def __init__(self, crash_after_writes: int | None = None, *, keep_finished: int | None = 10_000):
        super().__init__(crash_after_writes)
        if keep_finished is not None and (not isinstance(keep_finished, int) or keep_finished < 0):
            raise ValueError(f"keep_finished={keep_finished!r}: how many finished instances to "
                             "keep, an int >= 0 (None keeps every one)")
        self.keep_finished = keep_finished
        self._running: dict[str, object] = {}     # id -> the live instance, or its snapshot
        # id -> final snapshot, packed; oldest first (an OrderedDict: dropping the oldest
        # of a dict that keeps losing its first entries would scan past them every time)
        self._finished: OrderedDict[str, bytes] = OrderedDict()
        self._ended: dict[str, int] = {}          # ending -> how many finished so (all of them)
        self._outbox: dict[str, object] = {}      # id -> pending command (a Message or its dict)
        self._history: dict[str, tuple] = {}      # id -> its records (history rows, or dicts)

    def _save(self, instance, records, outbox) -> None:
        if instance.finished:
            self._end(instance.snapshot(), records)
        else:
            self._keep(instance.id, instance, records, outbox)

    def _write(self, snapshot, records, outbox) -> None:
        if snapshot["finished"]:
            self._end(snapshot, records)
        else:
            self._keep(snapshot["id"], snapshot, records, outbox)

    def _keep(self, instance_id, instance, records, outbox) -> None:
        self._running[instance_id] = instance
        if records:
            self._add_history(instance_id, records)
        if outbox is None:
            self._outbox.pop(instance_id, None)
        else:
            self._outbox[instance_id] = outbox

    def _end(self, snapshot: dict, records) -> None:
        instance_id = snapshot["id"]
        if records:
            self._add_history(instance_id, records)
        self._running.pop(instance_id, None)
        self._outbox.pop(instance_id, None)
        if instance_id in self._finished:  # written again: count it once, as it is now
            self._ended[unpack(self._finished.pop(instance_id))["state"]] -= 1
        # Packed: thousands of finished snapshots as plain tuples the garbage collector skips.
        self._finished[instance_id] = pack(snapshot)
        self._ended[snapshot["state"]] = self._ended.get(snapshot["state"], 0) + 1
        if self.keep_finished is not None:
            while len(self._finished) > self.keep_finished:
                oldest, _ = self._finished.popitem(last=False)
                self._history.pop(oldest, None)

    def _add_history(self, instance_id: str, records: list) -> None:
        # A tuple per instance (not a list): the garbage collector stops visiting it.
        kept = self._history.get(instance_id, ())
        self._history[instance_id] = kept + tuple(records)

    def unfinished(self):
        return [(_snapshot(kept), _data(self._outbox.get(i))) for i, kept in self._running.items()]

    def snapshot(self, instance_id):
        kept = self._running.get(instance_id)
        if kept is not None:
            return _snapshot(kept)
        found = self._finished.get(instance_id)
        return None if found is None else unpack(found)

    def history(self, instance_id):
        return [r if isinstance(r, dict) else record_of(r).to_dict()
                for r in self._history.get(instance_id, ())]

    def counts(self):
        counts = {state: n for state, n in self._ended.items() if n}
        for kept in self._running.values():
            state = kept["state"] if isinstance(kept, dict) else kept.state
            counts[state] = counts.get(state, 0) + 1
        return counts

    def lose_everything(self) -> None:
        self._running.clear()
        self._finished.clear()
        self._ended.clear()
        self._outbox.clear()
        self._history.clear()


def _snapshot(kept) -> dict:
    return kept if isinstance(kept, dict) else kept.snapshot()


def _data(outbox) -> dict | None:
    return outbox if outbox is None or isinstance(outbox, dict) else to_dict(outbox)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS instances (
    id TEXT PRIMARY KEY, saga TEXT NOT NULL, state TEXT NOT NULL,
    finished INTEGER NOT NULL, snapshot TEXT NOT NULL, started INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS instances_unfinished ON instances(finished, started);
CREATE TABLE IF NOT EXISTS history (
    instance TEXT NOT NULL, seq INTEGER NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (instance, seq));
CREATE TABLE IF NOT EXISTS outbox (instance TEXT PRIMARY KEY, message TEXT NOT NULL);
"""


class SqliteStore(Store):
    """Keeps instances in a SQLite file (write-ahead log), so they survive a crash."""

    durable = True

    def __init__(self, path: str | os.PathLike, *, synchronous: str = "FULL",
                 crash_after_writes: int | None = None):
        super().__init__(crash_after_writes)
        self.path = os.fspath(path)
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"synchronous={synchronous!r}: use OFF, NORMAL, FULL or EXTRA "
                             "(SQLite's PRAGMA synchronous levels)")
        self._db = self._open(synchronous.upper())
        with self._damage_reported():
            self._started = self._db.execute("SELECT COALESCE(MAX(started), 0) FROM instances"
                                             ).fetchone()[0]

    def _open(self, synchronous: str) -> sqlite3.Connection:
        exists = os.path.exists(self.path) and os.path.getsize(self.path) > 0
        db = None
        try:
            db = sqlite3.connect(self.path, isolation_level=None)
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            tables = {row[0] for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
            if exists and app_id != APPLICATION_ID:
                db.close()
                raise StoreError(
                    f"{self.path} is a SQLite database written by another program "
                    f"(tables: {', '.join(sorted(tables)) or 'none'}), not an orchestra "
                    "store; it was left untouched. Give the orchestrator a new file name"
                )
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if exists and version != SCHEMA_VERSION:
                db.close()
                raise StoreError(
                    f"{self.path} is an orchestra store of schema version {version}; this "
                    f"orchestra reads version {SCHEMA_VERSION}. Use the orchestra that wrote it"
                )
            if exists:  # find damage now, before the orchestrator relies on the file
                problem = db.execute("PRAGMA quick_check").fetchone()[0]
                if problem != "ok":
                    raise sqlite3.DatabaseError(problem)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={synchronous}")
            if not exists:
                db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.executescript(_SCHEMA)
            db.execute("SELECT COUNT(*) FROM instances").fetchone()
            return db
        except sqlite3.DatabaseError as error:
            if db is not None:
                db.close()
            raise StoreError(
                f"{self.path} cannot be read as an orchestra store ({error}); the file may "
                "be damaged or not a SQLite database at all. It was left untouched: move it "
                "aside to keep it, and start with a new file"
            ) from None

    @contextmanager
    def _damage_reported(self):
        """Report damage found while using the file as a StoreError, not SQLite's traceback."""
        try:
            yield
        except (sqlite3.DatabaseError, ValueError) as error:  # ValueError: garbled JSON
            raise StoreError(
                f"{self.path} is damaged ({str(error)[:100]}); stop the orchestrator, move "
                "the file aside to keep it, and start with a new file"
            ) from None

    def _write(self, snapshot, records, outbox) -> None:
        db = self._db
        instance = snapshot["id"]
        with self._damage_reported():
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT started FROM instances WHERE id=?",
                                 (instance,)).fetchone()
                if row is None:
                    self._started += 1
                    started = self._started
                else:
                    started = row[0]
                db.execute("INSERT OR REPLACE INTO instances VALUES (?,?,?,?,?,?)",
                           (instance, snapshot["saga"], snapshot["state"],
                            int(snapshot["finished"]), json.dumps(snapshot, sort_keys=True),
                            started))
                db.executemany("INSERT OR REPLACE INTO history VALUES (?,?,?)",
                               [(instance, r["seq"], json.dumps(r, sort_keys=True))
                                for r in records])
                if outbox is None:
                    db.execute("DELETE FROM outbox WHERE instance=?", (instance,))
                else:
                    db.execute("INSERT OR REPLACE INTO outbox VALUES (?,?)",
                               (instance, json.dumps(outbox, sort_keys=True)))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def unfinished(self):
        with self._damage_reported():
            rows = self._db.execute(
                "SELECT i.snapshot, o.message FROM instances i LEFT JOIN outbox o "
                "ON o.instance = i.id WHERE i.finished = 0 ORDER BY i.started").fetchall()
            return [(json.loads(s), json.loads(m) if m else None) for s, m in rows]

    def snapshot(self, instance_id):
        with self._damage_reported():
            row = self._db.execute("SELECT snapshot FROM instances WHERE id=?",
                                   (instance_id,)).fetchone()
            return json.loads(row[0]) if row else None

    def history(self, instance_id):
        with self._damage_reported():
            return [json.loads(r) for (r,) in self._db.execute(
                "SELECT record FROM history WHERE instance=? ORDER BY seq", (instance_id,))]

    def counts(self):
        with self._damage_reported():
            return dict(self._db.execute(
                "SELECT state, COUNT(*) FROM instances GROUP BY state"))

    def close(self) -> None:
        self._db.close()
