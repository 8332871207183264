"""History: an append-only record of everything that happened, in virtual time.

Every message sent, queued, delivered, handled, failed, retried and answered, every
fault switched on or off and every state change is appended as a :class:`Record`. Views,
monitoring and time travel read it; nothing ever edits it.
"""
from __future__ import annotations

import json
import marshal
import struct
from itertools import chain
from typing import Iterator, NamedTuple

# What a record can say happened. The strings are the JSON form too.
SENT = "sent"                  # a message left its sender
ENQUEUED = "enqueued"          # it waits in the receiver's inbox (queued transport)
DELIVERED = "delivered"        # it reached the receiver
DUPLICATE = "duplicate"        # the receiver had seen this message id already: no effect
HANDLED = "handled"            # an attempt succeeded
FAILED = "failed"              # an attempt failed (a fault, an exception or a rejection)
RETRIED = "retried"            # the receiver will try again after a backoff
REPLIED = "replied"            # the receiver answered a command
PUBLISHED = "published"        # an event was published to its subscribers
UNAVAILABLE = "unavailable"    # a direct call found the receiver down: refused at once
TIMED_OUT = "timed_out"        # the caller stopped waiting for a reply
LATE_REPLY = "late_reply"      # a reply came after the caller stopped waiting: ignored
LOST = "lost"                  # a direct reply found its caller down: it is gone
FAULT_ON = "fault_on"          # a fault was switched on
FAULT_OFF = "fault_off"        # a fault was switched off
STATE = "state"                # a workflow instance changed state

KINDS = (SENT, ENQUEUED, DELIVERED, DUPLICATE, HANDLED, FAILED, RETRIED, REPLIED, PUBLISHED,
         UNAVAILABLE, TIMED_OUT, LATE_REPLY, LOST, FAULT_ON, FAULT_OFF, STATE)


class Record(NamedTuple):
    """One thing that happened: when, what kind, to which instance, between whom.

    A named tuple: it cannot be edited. The history keeps each as a plain tuple (see
    :class:`History`) and hands out a Record, with its own copy of ``detail``, when read.
    """

    seq: int
    time: float
    kind: str
    correlation_id: str = ""
    sender: str = ""
    receiver: str = ""
    message_type: str = ""
    message_id: str = ""
    detail: dict = {}  # noqa: RUF012 (never edited: each read gives the record its own copy)

    def to_dict(self) -> dict:
        """The record as JSON data."""
        return {"seq": self.seq, "time": self.time, "kind": self.kind,
                "correlation_id": self.correlation_id, "sender": self.sender,
                "receiver": self.receiver, "message_type": self.message_type,
                "message_id": self.message_id, "detail": self.detail}


# -- how a record is kept -------------------------------------------------------------------
# Python's garbage collector visits every container that may hold another, again and again
# as the heap grows, and runs more often the more containers outlive their first moments; a
# run of 100,000 orders keeps millions of records. A tuple of numbers, strings and bytes is
# one it stops visiting. So a record is kept as a tuple of its eight fields and its detail
# in marshal's bytes (C-fast both ways, and exact for JSON data: tuples stay tuples). Only
# this process reads them back, so marshal's format changing between Pythons does not matter.
_new = tuple.__new__


def pack(value):
    """``value`` (JSON data) as bytes the garbage collector never visits; anything marshal
    cannot write is kept as it is."""
    try:
        return marshal.dumps(value)
    except ValueError:  # not JSON data (some object): kept, and visited like any object
        return value


def unpack(value):
    """What :func:`pack` was given (a fresh copy)."""
    return marshal.loads(value) if type(value) is bytes else value


def record_of(row: tuple) -> Record:
    """The :class:`Record` a kept row stands for."""
    return _new(Record, (*row[:8], unpack(row[8])))


_KINDS = frozenset(KINDS)
_SHIFT = 10
_CHUNK = 1 << _SHIFT  # rows per chunk
_SEQ = struct.Struct("<I")  # a record's seq in an instance's index (up to 4 billion records)


class History:
    """The append-only list of records, indexed by instance for quick look-ups.

    Records are kept as packed rows (:func:`pack`) and read as :class:`Record` s. With
    ``limit``, it keeps at least the latest ``limit`` records and forgets older ones, about a
    thousand at a time (their ``seq`` numbers are not reused), so a long run's memory does
    not grow with finished work; the default keeps everything.
    """

    def __init__(self, clock=None, limit: int | None = None):
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise ValueError(f"limit={limit!r}: how many records to keep at least, an int >= 1 "
                             "(None keeps every record)")
        self._clock = clock
        self.limit = limit
        self.dropped = 0  # records forgotten under the limit (always a whole number of chunks)
        # Full chunks of rows are tuples: a collection visits the list of chunks, not each row.
        self._chunks: list[tuple] = []
        self._tail: list[tuple] = []
        self._count = 0
        # Correlation id -> the seqs of its records, as 4-byte ints in a bytearray: neither
        # is a container the collector visits, so this dict is never visited either. Built
        # when first asked for (a long run nobody reads never pays for it), then kept up.
        self._by_instance: dict[str, bytearray] = {}
        self._indexed = 0  # records before this seq are in the index

    def append(self, kind: str, *, correlation_id: str = "", sender: str = "", receiver: str = "",
               message_type: str = "", message_id: str = "", detail: dict | None = None) -> Record:
        """Record that ``kind`` happened now; returns the record."""
        if kind not in _KINDS:
            raise ValueError(f"unknown history kind {kind!r}; use one of {', '.join(KINDS)}")
        return record_of(self.add(kind, correlation_id, sender, receiver, message_type,
                                  message_id, {} if detail is None else detail))

    def add(self, kind: str, correlation_id: str, sender: str, receiver: str, message_type: str,
            message_id: str, detail: dict) -> tuple:
        """:meth:`append` for the runtime's own records (every field given, the kind trusted);
        returns the row kept (see :func:`record_of`)."""
        row = (self._count, self._clock.now if self._clock is not None else 0.0, kind,
               correlation_id, sender, receiver, message_type, message_id, pack(detail))
        self._keep(row)
        return row

    def _keep(self, row: tuple) -> None:
        """Keep a row, numbered next (made by :meth:`add`, or read back from JSON)."""
        self._count = row[0] + 1
        self._tail.append(row)
        if len(self._tail) == _CHUNK:
            self._seal()

    def _seal(self) -> None:
        """The tail is a full chunk: keep it as a tuple (and forget old ones, under a limit)."""
        self._chunks.append(tuple(self._tail))
        self._tail.clear()
        if self.limit is not None:
            while self._chunks and self._count - self.dropped - _CHUNK >= self.limit:
                self._drop_oldest_chunk()

    def _index(self) -> dict[str, bytearray]:
        """The index by instance, brought up to date."""
        index, pack = self._by_instance, _SEQ.pack
        for seq in range(max(self._indexed, self.dropped), self._count):
            correlation_id = self._row(seq)[3]
            if correlation_id:
                seqs = index.get(correlation_id)
                if seqs is None:
                    index[correlation_id] = bytearray(pack(seq))
                else:
                    seqs += pack(seq)
        self._indexed = self._count
        return index

    def _drop_oldest_chunk(self) -> None:
        chunk = self._chunks.pop(0)
        self.dropped += _CHUNK
        first = self.dropped  # the seq of the oldest record kept
        index = self._by_instance
        indexed = self._indexed - (first - _CHUNK)  # how many of the chunk's rows the index has
        for correlation_id in {row[3] for row in chunk[:max(indexed, 0)] if row[3]}:
            seqs = index[correlation_id]
            gone = 0
            for (seq,) in _SEQ.iter_unpack(seqs):
                if seq >= first:
                    break
                gone += 1
            if gone * _SEQ.size == len(seqs):
                del index[correlation_id]
            else:
                del seqs[:gone * _SEQ.size]

    def _row(self, seq: int) -> tuple:
        offset = seq - self.dropped
        chunk = offset >> _SHIFT
        if chunk < len(self._chunks):
            return self._chunks[chunk][offset & (_CHUNK - 1)]
        return self._tail[offset - len(self._chunks) * _CHUNK]

    @property
    def _rows(self):
        """Every row, in order."""
        return chain(chain.from_iterable(self._chunks), self._tail)

    def __len__(self) -> int:
        """How many records it keeps (all of them, unless a ``limit`` made it forget some)."""
        return self._count - self.dropped

    def __iter__(self) -> Iterator[Record]:
        return map(record_of, self._rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [record_of(self._row(self.dropped + i)) for i in range(len(self))[index]]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"the history keeps {len(self)} records; there is no record {index}")
        return record_of(self._row(self.dropped + index))

    @property
    def instances(self) -> list[str]:
        """Correlation ids that appear in the history, in order of first appearance."""
        return list(self._index())

    def for_instance(self, correlation_id: str) -> list[Record]:
        """Everything that happened to one workflow instance, in order."""
        seqs = self._index().get(correlation_id, b"")
        return [record_of(self._row(seq)) for (seq,) in _SEQ.iter_unpack(seqs)]

    def for_service(self, name: str) -> list[Record]:
        """Everything a service sent or received, in order."""
        return [record_of(r) for r in self._rows if r[4] == name or r[5] == name]

    def of_kind(self, *kinds: str) -> list[Record]:
        """Records of the given kinds, in order."""
        return [record_of(r) for r in self._rows if r[2] in kinds]

    def where(self, **criteria) -> list[Record]:
        """Records whose fields equal every criterion: ``where(kind="failed", receiver="payment")``."""
        unknown = set(criteria) - set(Record._fields)
        if unknown:
            raise ValueError(
                f"records have no field(s) {', '.join(sorted(unknown))}; "
                f"filter on {', '.join(Record._fields)}"
            )
        at = [(Record._fields.index(key), value) for key, value in criteria.items()]
        return [record_of(r) for r in self._rows
                if all((unpack(r[i]) if i == 8 else r[i]) == value for i, value in at)]

    def _repr_html_(self) -> str:
        from .views.table import history_table
        return history_table(list(self))

    def to_json(self) -> str:
        """The whole history as JSON text; equal histories give byte-equal text."""
        return json.dumps([r.to_dict() for r in self], sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "History":
        """A history read back from :meth:`to_json` (detached from any clock)."""
        try:
            rows = json.loads(text)
            history = cls()
            for row in rows:
                if row.get("kind") not in KINDS:
                    raise ValueError(f"unknown kind {row.get('kind')!r}")
                record = Record(**row)
                if record.seq != len(history):
                    raise ValueError(f"record {len(history)} is numbered {record.seq}")
                if not isinstance(record.detail, dict):
                    raise ValueError(f"record {record.seq}'s detail is not a dict")
                history._keep((*record[:8], pack(record.detail)))
        except (ValueError, TypeError, AttributeError) as error:
            raise ValueError(
                f"this is not a history written by History.to_json ({error}); "
                "pass the text that to_json returned"
            ) from None
        return history
