"""Messages: commands (an intent, exactly one handler), events (a fact, any subscribers), replies.

Every message is a frozen dataclass carrying only JSON data, so it can be stored, sent
and read back without pickle. Three ids travel with it:

- ``message_id``: this message; stamped by the world when it is sent, reused on redelivery.
- ``correlation_id``: the workflow instance (the order) it belongs to.
- ``causation_id``: the message that caused this one (a reply's command, say).
"""
from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .errors import MessageNotSerialisable, UnknownMessageType

_TYPES: dict[str, type["Message"]] = {}
_HINTS: dict[type, dict[str, Any]] = {}
_FIELDS: dict[type, tuple[str, ...]] = {}
_ATOMIC = frozenset((str, int, bool, type(None)))  # JSON as they are: nothing to check
_STR = frozenset((str,))
_ID_NAMES = ("message_id", "correlation_id", "causation_id")


@dataclass(frozen=True, kw_only=True)
class Message:
    """Base of every message; subclass :class:`Command` or :class:`Event`, not this."""

    message_id: str = ""
    correlation_id: str = ""
    causation_id: str = ""

    kind: ClassVar[str] = "message"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        known = _TYPES.get(cls.__name__)
        # Re-running a notebook cell redefines a class: same module, so replace it.
        if known is not None and known.__module__ != cls.__module__:
            raise MessageNotSerialisable(
                f"two message types are named {cls.__name__!r} "
                f"({known.__module__} and {cls.__module__}); JSON names a message by its "
                "class name, so rename one of them"
            )
        _TYPES[cls.__name__] = cls
        _HINTS.pop(cls, None)
        _FIELDS.pop(cls, None)

    def __post_init__(self):
        for name, value in self.__dict__.items():  # the fields, in order
            if type(value) not in _ATOMIC:
                _check_json(value, f"{type(self).__name__}.{name}")

    @property
    def type(self) -> str:
        """The message's type name, as it appears in JSON and in the history."""
        return type(self).__name__

    def stamped(self, **ids: str) -> "Message":
        """A copy with the given ids set (message_id, correlation_id, causation_id); the
        message itself when they are set already (it is frozen: a copy would be equal)."""
        for key, value in ids.items():
            if key not in _ID_NAMES or type(value) is not str:
                raise TypeError(f"stamped() sets the string ids message_id, correlation_id, "
                                f"causation_id; not {key}={value!r}")
        fields = self.__dict__
        return with_ids(self, ids.get("message_id", fields["message_id"]),
                        ids.get("correlation_id", fields["correlation_id"]),
                        ids.get("causation_id", fields["causation_id"]))


@dataclass(frozen=True, kw_only=True)
class Command(Message):
    """An intent, named in the imperative (``ReserveStock``): exactly one service must handle it."""

    kind: ClassVar[str] = "command"


@dataclass(frozen=True, kw_only=True)
class Event(Message):
    """A fact, named in the past tense (``StockReserved``): zero or more services may react."""

    kind: ClassVar[str] = "event"


@dataclass(frozen=True, kw_only=True)
class Reply(Message):
    """What a service answers to a command: ``ok`` with a result, or not ok with an error.

    ``causation_id`` is the id of the command answered. ``timed_out`` marks the reply a
    caller gets when no answer came in time (the command may still have taken effect).
    ``rejected`` marks a refusal for a business reason: trying again will not help.
    """

    command: str
    ok: bool
    result: dict = field(default_factory=dict)
    error: str = ""
    attempts: int = 1
    timed_out: bool = False
    rejected: bool = False

    kind: ClassVar[str] = "reply"


def with_ids(message: Message, message_id: str, correlation_id: str,
             causation_id: str) -> Message:
    """:meth:`Message.stamped` for the runtime (the ids known to be strings): the message
    itself when its ids are these already, else a copy with them."""
    fields = message.__dict__
    if (fields["message_id"] == message_id and fields["correlation_id"] == correlation_id
            and fields["causation_id"] == causation_id):
        return message
    copy = object.__new__(type(message))  # the payload was checked already: copy, set ids
    fields = dict(fields)
    fields["message_id"], fields["correlation_id"], fields["causation_id"] = (
        message_id, correlation_id, causation_id)
    object.__setattr__(copy, "__dict__", fields)
    return copy


def make_reply(command: str, ok: bool, result: dict, error: str = "", attempts: int = 1,
               rejected: bool = False, timed_out: bool = False) -> Reply:
    """A :class:`Reply` from values the runtime made itself (``result`` already checked to be
    JSON): equal to ``Reply(...)`` with the same values, without checking them again."""
    reply = object.__new__(Reply)
    object.__setattr__(reply, "__dict__", {
        "message_id": "", "correlation_id": "", "causation_id": "", "command": command,
        "ok": ok, "result": result, "error": error, "attempts": attempts,
        "timed_out": timed_out, "rejected": rejected})
    return reply


def field_names(cls: type) -> tuple[str, ...]:
    """The dataclass field names of a message class (looked up once per class)."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def to_dict(message: Message) -> dict:
    """The message as plain JSON data: ``{"type": ..., field: value, ...}``."""
    return {"type": type(message).__name__, **message.__dict__}  # __dict__ holds the fields


def from_dict(data: dict) -> Message:
    """The message that :func:`to_dict` produced, with tuples restored from the type hints."""
    data = dict(data)
    name = data.pop("type", None)
    cls = _TYPES.get(name)
    if cls is None:
        raise UnknownMessageType(
            f"no message type named {name!r} is defined; import the module that defines it "
            f"before reading this JSON (known: {', '.join(sorted(_TYPES)) or 'none'})"
        )
    hints = _hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise UnknownMessageType(
            f"{name} has no field(s) {', '.join(sorted(unknown))}; the JSON was written by a "
            "different version of this message type"
        )
    return cls(**{key: _revive(value, hints.get(key)) for key, value in data.items()})


def to_json(message: Message) -> str:
    """The message as a JSON string (keys sorted, so equal messages give equal text)."""
    return json.dumps(to_dict(message), sort_keys=True, separators=(",", ":"))


def from_json(text: str) -> Message:
    """The message that :func:`to_json` wrote."""
    return from_dict(json.loads(text))


def message_type(name: str) -> type[Message]:
    """The message class with this name, or :class:`UnknownMessageType` saying which exist."""
    try:
        return _TYPES[name]
    except KeyError:
        raise UnknownMessageType(
            f"no message type named {name!r}; known: {', '.join(sorted(_TYPES))}"
        ) from None


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _check_json(value: Any, where: str) -> None:
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        if math.isfinite(value):
            return
        raise MessageNotSerialisable(f"{where} is {value!r}; JSON has no NaN or infinity")
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_json(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        if _ATOMIC.issuperset(map(type, value.values())) and _STR.issuperset(map(type, value)):
            return  # the usual case: str keys, plain values
        for key, item in value.items():
            if not isinstance(key, str):
                raise MessageNotSerialisable(
                    f"{where} has the key {key!r} ({type(key).__name__}); JSON keys are strings"
                )
            _check_json(item, f"{where}[{key!r}]")
        return
    raise MessageNotSerialisable(
        f"{where} holds a {type(value).__name__} ({value!r}); a message carries only JSON "
        "data (str, int, float, bool, None, lists, tuples, dicts with str keys): pass "
        "an id or a plain value instead of the object"
    )


def _revive(value: Any, hint: Any) -> Any:
    """Turn JSON lists back into the tuples a field's type hint asks for."""
    if hint is None or value is None:
        return value
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is type(None):
                continue
            return _revive(value, arg)
        return value
    if origin is tuple and isinstance(value, list):
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_revive(v, args[0]) for v in value)
        if args:
            return tuple(_revive(v, a) for v, a in zip(value, args))
        return tuple(value)
    if hint is tuple and isinstance(value, list):
        return tuple(value)
    if origin is list and isinstance(value, list) and args:
        return [_revive(v, args[0]) for v in value]
    if origin is dict and isinstance(value, dict) and len(args) == 2:
        return {k: _revive(v, args[1]) for k, v in value.items()}
    return value
