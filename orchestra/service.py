"""Service: a bounded context with its own state, its own handlers and its own retry policy.

Subclass :class:`Service`, keep the context's data in ``__init__`` and mark handlers::

    class Inventory(Service):
        name = "inventory"

        @handles(ReserveStock)
        def reserve_stock(self, command):
            ...                      # change this context's own state
            self.publish(StockReserved(...))
            return {"reservation": ...}

A handler returns a dict of JSON data (the reply's result) or None. ``raise Rejected(...)``
refuses the command for a business reason; any other exception counts as a transient
failure, and the service tries again under its own :class:`RetryPolicy` before it replies
with a failure. A command redelivered with the same message id gets the first answer
again and changes nothing, and an event redelivered is not handled again: handlers
are idempotent by message id.
"""
from __future__ import annotations

import logging
from typing import Callable, ClassVar

from . import history as h
from .errors import HandlerAlreadyRegistered, Rejected
from .idempotency import Remembered
from .messages import Command, Event, Message, Reply, _check_json, make_reply
from .retry import RetryPolicy

log = logging.getLogger(__name__)

Respond = Callable[[Reply], None]


def handles(command_type: type[Command]):
    """Mark a method as the handler of ``command_type`` (one handler per command)."""
    if not (isinstance(command_type, type) and issubclass(command_type, Command)):
        raise TypeError(f"@handles takes a Command class, not {command_type!r}; "
                        "events are subscribed to with @subscribes")

    def mark(method):
        method._orchestra_handles = command_type
        return method
    return mark


def subscribes(event_type: type[Event]):
    """Mark a method as a subscriber to ``event_type`` (any number of services may subscribe)."""
    if not (isinstance(event_type, type) and issubclass(event_type, Event)):
        raise TypeError(f"@subscribes takes an Event class, not {event_type!r}; "
                        "commands are handled with @handles")

    def mark(method):
        method._orchestra_subscribes = event_type
        return method
    return mark


class Service:
    """Base of every bounded context. Set ``name``; mark methods with @handles / @subscribes."""

    name: ClassVar[str] = ""
    retry: ClassVar[RetryPolicy] = RetryPolicy(attempts=3, backoff=0.1)
    processing_time: ClassVar[float] = 0.01
    # About how many commands it remembers answering (and events handling), to answer a copy
    # without acting twice: at least half this many, the latest (see orchestra.idempotency),
    # so memory does not grow with finished work. An older copy is handled as new. None: all.
    remembers: ClassVar[int | None] = 10_000

    command_handlers: ClassVar[dict[type, str]] = {}
    event_handlers: ClassVar[dict[type, str]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        commands: dict[type, str] = {}
        events: dict[type, str] = {}
        for klass in reversed(cls.__mro__):
            here: dict[type, str] = {}  # a subclass may override a base's handler, not double it
            for attr, value in vars(klass).items():
                command = getattr(value, "_orchestra_handles", None)
                event = getattr(value, "_orchestra_subscribes", None)
                if command is not None or event is not None:
                    # A method marked again replaces what the base marked it for (re-wiring a
                    # subscriber to another event must not leave it hearing the old one too).
                    for table in (commands, events):
                        for old in [key for key, name in table.items() if name == attr]:
                            del table[old]
                if command is not None:
                    if command in here:
                        raise HandlerAlreadyRegistered(
                            f"{klass.__name__} handles {command.__name__} twice ({here[command]} "
                            f"and {attr}); a command has exactly one handler: remove one"
                        )
                    here[command] = commands[command] = attr
                if event is not None:
                    events[event] = attr
        cls.command_handlers = commands
        cls.event_handlers = events

    # The world calls attach() when the service joins it; the domain code never needs to.
    def attach(self, world) -> None:
        """Join a world: its clock, history, faults and transport."""
        if not self.name:
            raise ValueError(f"{type(self).__name__} has no name; set name = \"...\" on the class")
        self.world = world
        # Command id -> its answer, as (command, ok, result, error, attempts, rejected): a plain
        # tuple the garbage collector stops visiting.
        self._replies = Remembered(self.remembers)
        self._events_seen = Remembered(self.remembers)  # events handled: a copy is ignored
        self._in_progress: set[str] = set()
        self._outbox: list[Event] = []

    def publish(self, event: Event) -> None:
        """Publish an event once the current handler succeeds (discarded if it fails)."""
        self._outbox.append(event)

    def receive(self, message: Message, respond: Respond | None = None) -> None:
        """Take a delivered command (answered through ``respond``) or event."""
        world = self.world
        message_id = message.message_id
        if message_id in self._replies or message_id in self._events_seen:
            world.history.add(h.DUPLICATE, message.correlation_id, "", self.name,
                              type(message).__name__, message_id,
                              {"note": "seen before: answered again, no effect"})
            if respond is not None:
                respond(make_reply(*self._replies.get(message_id)))
            return
        if message_id in self._in_progress:
            world.history.add(h.DUPLICATE, message.correlation_id, "", self.name,
                              type(message).__name__, message_id,
                              {"note": "already in progress: ignored"})
            return
        self._in_progress.add(message_id)
        self._attempt(message, 1, respond)

    def _handler(self, message: Message) -> Callable:
        table = self.command_handlers if isinstance(message, Command) else self.event_handlers
        return getattr(self, table[type(message)])

    def _attempt(self, message: Message, attempt: int, respond: Respond | None) -> None:
        world = self.world
        faults, history = world.faults, world.history
        record = (message.correlation_id, "", self.name, type(message).__name__, message.message_id)
        if faults.is_down(self.name):
            # The service crashed mid-work: no answer. The queue redelivers; a direct caller times out.
            self._in_progress.discard(message.message_id)
            history.add(h.FAILED, *record, {"attempt": attempt, "error": f"{self.name} went down"})
            world.transport.redeliver(self.name, message, respond)
            return
        reason = faults.failure(self.name, record[3])
        rejected = False
        if reason is None:
            self._outbox = []
            try:
                result = self._handler(message)(message)
                if result is not None and not isinstance(result, dict):
                    raise TypeError(
                        f"{self._handler(message).__name__} returned a {type(result).__name__}; "
                        "a handler returns a dict of JSON data (the reply's result) or None"
                    )
            except Rejected as error:
                reason, rejected = str(error), True
            except Exception as error:  # transient by definition: retried under our policy
                reason = f"{type(error).__name__}: {error}"
                log.warning("%s failed handling %s (attempt %d): %s",
                            self.name, record[3], attempt, reason)
        if reason is None:
            history.add(h.HANDLED, *record, {"attempt": attempt})
            if self._outbox:
                for event in self._outbox:
                    world.publish(event, sender=self.name, correlation_id=message.correlation_id,
                                  causation_id=message.message_id)
                self._outbox = []
            if result:
                _check_json(result, f"what {self.name}'s handler of {record[3]} returned")
            self._finish(message, respond, True, result or {}, "", attempt)
            return
        history.add(h.FAILED, *record, {"attempt": attempt, "error": reason, "rejected": rejected})
        if not rejected and attempt < self.retry.attempts:
            delay = self.retry.delay(attempt)
            history.add(h.RETRIED, *record, {"attempt": attempt + 1, "after": delay})
            world.clock.call_later(delay, self._attempt, message, attempt + 1, respond)
            return
        error = reason if rejected else f"gave up after {attempt} attempt(s): {reason}"
        self._finish(message, respond, False, {}, error, attempt, rejected=rejected)

    def resent(self, message_id: str) -> None:
        """A sender sent this command again: if we gave up on it, its next delivery tries afresh."""
        answer = self._replies.get(message_id)
        if answer is not None and not answer[1] and not answer[5]:  # not ok, not rejected
            self._replies.forget(message_id)

    def _finish(self, message, respond, ok, result, error, attempts, rejected=False) -> None:
        self._in_progress.discard(message.message_id)
        message_id = message.message_id
        if not isinstance(message, Command):
            self._events_seen.put(message_id, True)
            return
        answer = (type(message).__name__, ok, result, error, attempts, rejected)
        # Every outcome is remembered, so a copy the broker delivers again changes nothing,
        # even after we gave up (the caller was told "no"). Only the sender sending it again
        # (see resent) gives a command we gave up on a fresh chance.
        self._replies.put(message_id, answer)
        if respond is not None:
            self.world.clock.schedule(self.processing_time, respond, (make_reply(*answer),))
