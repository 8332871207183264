"""World: the services, the transport between them, virtual time, faults and the history.

A world is where everything runs. It routes each command to its one handler (and fails
loudly when there is none), each event to its subscribers, stamps message ids, and
records everything in its history::

    world = World([Inventory(stock={"red-dress": 3})], transport="queued", seed=7)
    reply = world.call(ReserveStock(order_id="o-1", sku="red-dress", quantity=1))
"""
from __future__ import annotations

import itertools
from typing import Iterable

from .clock import Clock
from .errors import HandlerAlreadyRegistered, NoReply, UnknownCommand, UnknownService
from .faults import Fault, Faults
from .history import History
from .messages import Command, Event, Message, Reply, with_ids
from .service import Service
from .transport import TRANSPORTS, Transport


class Client:
    """An endpoint outside every bounded context (a customer, a notebook) that sends commands."""

    def __init__(self, name: str = "client"):
        self.name = name
        self.replies: dict[str, Reply] = {}

    def receive(self, reply: Message, respond=None) -> None:
        """Keep the reply, filed under the id of the command it answers."""
        self.replies[reply.causation_id] = reply


class World:
    """Services, a transport, a clock, faults and a history: one self-contained simulation."""

    def __init__(self, services: Iterable[Service] = (), *, transport: str = "direct",
                 seed: int = 0, latency: float = 0.005, duplicate_probability: float = 0.0,
                 faults: Iterable[Fault] = (), history_limit: int | None = None):
        if transport not in TRANSPORTS:
            raise ValueError(f"unknown transport {transport!r}; use one of "
                             f"{', '.join(repr(t) for t in TRANSPORTS)}")
        self.clock = Clock(seed)
        # history_limit: keep about that many records (the latest), not all; see History.
        self.history = History(self.clock, limit=history_limit)
        self.faults = Faults(self.clock, self.history, lambda: self.endpoints)
        self.transport: Transport = TRANSPORTS[transport](
            self, latency=latency, duplicate_probability=duplicate_probability)
        self.faults.on_up.append(self.transport.on_up)
        self.endpoints: dict[str, object] = {}
        self.handlers: dict[type, Service] = {}
        self.subscribers: dict[type, list[Service]] = {}
        self._ids = itertools.count(1)
        self.client = self.add(Client())
        for service in services:
            self.add(service)
        for fault in faults:
            self.faults.add(fault)

    def add(self, endpoint):
        """Add a service (or any endpoint with ``name`` and ``receive``); returns it."""
        name = getattr(endpoint, "name", "")
        if not name:
            raise ValueError(f"{endpoint!r} has no name; every endpoint needs one")
        if name in self.endpoints:
            raise HandlerAlreadyRegistered(
                f"this world already has an endpoint named {name!r}; give each service its "
                "own name"
            )
        if isinstance(endpoint, Service):
            for command in endpoint.command_handlers:
                owner = self.handlers.get(command)
                if owner is not None:
                    raise HandlerAlreadyRegistered(
                        f"{command.__name__} is handled by {owner.name} already, and "
                        f"{name} handles it too; a command has exactly one handler, so "
                        "remove the handler from one of them (or make it an event)"
                    )
            endpoint.attach(self)
            for command in endpoint.command_handlers:
                self.handlers[command] = endpoint
            for event in endpoint.event_handlers:
                self.subscribers.setdefault(event, []).append(endpoint)
        self.endpoints[name] = endpoint
        return endpoint

    def endpoint(self, name: str):
        """The endpoint (service, client, orchestrator) with this name."""
        try:
            return self.endpoints[name]
        except KeyError:
            raise UnknownService(
                f"no service named {name!r}; services: {', '.join(sorted(self.endpoints))}"
            ) from None

    service = endpoint

    @property
    def services(self) -> list[Service]:
        """The bounded contexts in this world, in the order they were added."""
        return [e for e in self.endpoints.values() if isinstance(e, Service)]

    def route(self, command: Command) -> Service:
        """The one service that handles ``command``, or :class:`UnknownCommand`."""
        if not isinstance(command, Command):
            raise TypeError(f"{command!r} is not a Command; publish events with world.publish")
        try:
            return self.handlers[type(command)]
        except KeyError:
            names = ", ".join(s.name for s in self.services) or "none"
            raise UnknownCommand(
                f"no service handles {command.type!r}; services: {names}. Add a service "
                f"with @handles({command.type}), or send a command one of them handles"
            ) from None

    def next_id(self) -> str:
        """A fresh message id: ``m1``, ``m2``, ... (deterministic, so runs can be compared)."""
        return f"m{next(self._ids)}"

    def _stamp(self, message: Message, correlation_id: str | None,
               causation_id: str | None) -> Message:
        return with_ids(message, message.message_id or self.next_id(),
                        correlation_id or message.correlation_id,
                        causation_id or message.causation_id)

    def send(self, command: Command, *, sender: str = "client", correlation_id: str | None = None,
             causation_id: str | None = None, timeout: float | None = None) -> Command:
        """Send a command to its handler; returns it stamped with its ids.

        The reply goes to ``sender``. Sending a command with the ``message_id`` it was
        stamped with before is a redelivery: the service answers it without acting twice,
        unless it gave up on it last time; then it tries again.
        """
        receiver = self.route(command)
        self.endpoint(sender)
        if command.message_id:
            receiver.resent(command.message_id)
        command = self._stamp(command, correlation_id, causation_id)
        self.transport.request(command, sender, receiver.name, timeout)
        return command

    def publish(self, event: Event, *, sender: str = "client", correlation_id: str | None = None,
                causation_id: str | None = None) -> Event:
        """Publish an event to every subscriber (there may be none); returns it stamped."""
        if not isinstance(event, Event):
            raise TypeError(f"{event!r} is not an Event; send commands with world.send")
        event = self._stamp(event, correlation_id, causation_id)
        receivers = [s.name for s in self.subscribers.get(type(event), ())]
        self.transport.publish(event, sender, receivers)
        return event

    def run(self, until: float | None = None) -> int:
        """Run virtual time until nothing is left to do (or until ``until``); returns steps run."""
        return self.clock.run(until)

    def call(self, command: Command, *, timeout: float | None = None, **ids) -> Reply:
        """Send a command from the client, run until it is answered, and return the reply."""
        command = self.send(command, timeout=timeout, **ids)
        # A resent command (same id) waits for its new answer, not an earlier time-out.
        self.client.replies.pop(command.message_id, None)
        while command.message_id not in self.client.replies and self.clock.step():
            pass
        reply = self.client.replies.get(command.message_id)
        if reply is None:
            raise NoReply(
                f"{command.type} got no reply and nothing is left to run (is its service "
                "down on a direct call with no timeout?); pass a timeout"
            )
        return reply
