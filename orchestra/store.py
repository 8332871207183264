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
from contextlib import contextmanager

from .errors import OrchestraError

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
    """Keeps instances in this Python process: fast, and lost with it."""

    def __init__(self, crash_after_writes: int | None = None):
        super().__init__(crash_after_writes)
        self._snapshots: dict[str, dict] = {}
        self._outbox: dict[str, dict] = {}
        self._history: dict[str, list[dict]] = {}

    def _write(self, snapshot, records, outbox) -> None:
        instance = snapshot["id"]
        self._snapshots[instance] = snapshot
        if records:
            self._history.setdefault(instance, []).extend(records)
        if outbox is None:
            self._outbox.pop(instance, None)
        else:
            self._outbox[instance] = outbox

    def unfinished(self):
        return [(s, self._outbox.get(i)) for i, s in self._snapshots.items() if not s["finished"]]

    def snapshot(self, instance_id):
        return self._snapshots.get(instance_id)

    def history(self, instance_id):
        return list(self._history.get(instance_id, ()))

    def counts(self):
        counts: dict[str, int] = {}
        for s in self._snapshots.values():
            counts[s["state"]] = counts.get(s["state"], 0) + 1
        return counts

    def lose_everything(self) -> None:
        self._snapshots.clear()
        self._outbox.clear()
        self._history.clear()


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
