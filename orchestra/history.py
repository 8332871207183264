"""History: an append-only record of everything that happened, in virtual time.

Every message sent, queued, delivered, handled, failed, retried and answered, every
fault switched on or off and every state change is appended as a :class:`Record`. Views,
monitoring and time travel read it; nothing ever edits it.
"""
from __future__ import annotations

import json
from array import array
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
# as the heap grows; a run of 100,000 orders keeps millions of records, and visiting them
# cost more than everything else together. A plain tuple of numbers and strings is one it
# stops visiting. So a record is kept as such a tuple, its detail packed into nested tuples
# whose first item says what they were (the markers are compared by identity, so no value
# can be mistaken for one).
_new = tuple.__new__
_PLAIN = frozenset((str, int, float, bool, type(None)))
_DICT = "".join(["<", "dict", ">"])   # built at run time: a str object no literal shares
_LIST = "".join(["<", "list", ">"])
_TUPLE = "".join(["<", "tuple", ">"])


def pack(value):
    """``value`` as nested plain tuples the garbage collector stops visiting (see above)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        values = tuple(value.values())
        for item in values:
            if type(item) not in _PLAIN:
                values = tuple(map(pack, values))
                break
        return (_DICT, tuple(value), values)
    if kind is list:
        return (_LIST, tuple(map(pack, value)))
    if kind is tuple:
        return (_TUPLE, tuple(map(pack, value)))
    return value  # not JSON data: kept as it is (and visited, like any object)


def unpack(value):
    """What :func:`pack` was given (fresh dicts and lists)."""
    if type(value) is not tuple:
        return value
    tag = value[0]
    if tag is _DICT:
        return dict(zip(value[1], map(unpack, value[2])))
    if tag is _LIST:
        return list(map(unpack, value[1]))
    if tag is _TUPLE:
        return tuple(map(unpack, value[1]))
    return value


def record_of(row: tuple) -> Record:
    """The :class:`Record` a kept row stands for."""
    return _new(Record, (*row[:8], unpack(row[8])))


_KINDS = frozenset(KINDS)


class History:
    """The append-only list of records, indexed by instance for quick look-ups.

    Records are kept as packed rows (:func:`pack`) and read as :class:`Record` s.
    """

    def __init__(self, clock=None):
        self._clock = clock
        self._rows: list[tuple] = []
        self._by_instance: dict[str, array] = {}  # correlation id -> the seqs of its records

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
        rows = self._rows
        seq = len(rows)
        row = (seq, self._clock.now if self._clock is not None else 0.0, kind, correlation_id,
               sender, receiver, message_type, message_id, pack(detail))
        rows.append(row)
        if correlation_id:
            seqs = self._by_instance.get(correlation_id)
            if seqs is None:
                self._by_instance[correlation_id] = array("q", (seq,))
            else:
                seqs.append(seq)
        return row

    def _add(self, row: tuple) -> None:
        """Keep a row read back from JSON, numbered as it was."""
        self._rows.append(row)
        if row[3]:
            self._by_instance.setdefault(row[3], array("q")).append(row[0])

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Record]:
        return map(record_of, self._rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [record_of(row) for row in self._rows[index]]
        return record_of(self._rows[index])

    @property
    def instances(self) -> list[str]:
        """Correlation ids that appear in the history, in order of first appearance."""
        return list(self._by_instance)

    def for_instance(self, correlation_id: str) -> list[Record]:
        """Everything that happened to one workflow instance, in order."""
        rows = self._rows
        return [record_of(rows[seq]) for seq in self._by_instance.get(correlation_id, ())]

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
                history._add((*record[:8], pack(record.detail)))
        except (ValueError, TypeError, AttributeError) as error:
            raise ValueError(
                f"this is not a history written by History.to_json ({error}); "
                "pass the text that to_json returned"
            ) from None
        return history
