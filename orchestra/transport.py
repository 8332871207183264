"""Transports: how messages travel between endpoints, over virtual time.

- :class:`DirectCall` is request/response (think HTTP): the receiver must be up when the
  call arrives, or the call is refused at once; a reply whose caller is down is lost.
  Caller and receiver are coupled in time.
- :class:`Queued` gives every endpoint an inbox (think a message broker): a message to a
  service that is down waits in its inbox and is delivered when the service comes back.
  With ``duplicate_probability`` it delivers at least once, so a message may arrive twice.

Both deliver a reply to the caller, or a timed-out reply when none came in time.
"""
from __future__ import annotations

import itertools
from collections import deque
from functools import partial

from . import history as h
from .clock import Timer
from .idempotency import Remembered
from .messages import Command, Event, Message, Reply, to_dict as _data, with_ids


class _Waiting:
    """A caller waiting for the reply to one command."""

    __slots__ = ("sender", "command", "timer", "timeout", "send")

    def __init__(self, sender: str, command: Command, timer: Timer | None,
                 timeout: float | None, send: int):
        self.sender = sender
        self.command = command
        self.timer = timer
        self.timeout = timeout
        self.send = send  # which send (numbered across all commands) the caller now waits on


class Transport:
    """What both transports share: requests, replies, timeouts, events."""

    name = "transport"

    def __init__(self, world, latency: float = 0.005, duplicate_probability: float = 0.0):
        if latency < 0:
            raise ValueError(f"latency is seconds per hop, so >= 0 (got {latency})")
        if not 0 <= duplicate_probability <= 1:
            raise ValueError(f"duplicate_probability is a probability, between 0 and 1 "
                             f"(got {duplicate_probability})")
        self.world = world
        self.latency = latency
        self.duplicate_probability = duplicate_probability
        self._waiting: dict[str, _Waiting] = {}
        # Commands whose caller stopped waiting, to tell a late reply from a duplicate: the
        # latest ones only (see orchestra.idempotency), so memory does not grow with them.
        self._timed_out = Remembered()
        # Sends are numbered across all commands (a waiting caller knows which it waits on),
        # so a command's number is forgotten once no one waits for it (memory must not grow
        # with finished work) and a later send of it still outnumbers every earlier reply.
        self._send_numbers = itertools.count(1)
        self._answers: dict[str, int] = {}  # reply id -> the send of its command it answers
        # Caller -> the time-outs that came due while it was down, as (command id, send):
        # a caller that is down is not running, so its time-outs go off when it is back.
        self._deferred: dict[str, list[tuple[str, int]]] = {}
        # Bound once, not per message: thousands of scheduled calls each hold one.
        self._on_time_out, self._on_arrival = self._time_out, self._arrive

    # -- what the world calls -------------------------------------------------------------
    def request(self, command: Command, sender: str, receiver: str,
                timeout: float | None = None) -> None:
        """Carry a command to its one handler; its reply (or a time-out) goes back to ``sender``."""
        world = self.world
        command_id = command.message_id
        world.history.add(h.SENT, command.correlation_id, sender, receiver,
                          type(command).__name__, command_id,
                          {"message": _data(command), "timeout": timeout})
        previous = self._waiting.get(command_id)
        if previous is not None and previous.timer is not None:
            previous.timer.cancel()  # a retry of the same command replaces the earlier wait
        timer = None
        if timeout is not None:
            timer = world.clock.call_later(timeout, self._on_time_out, command_id)
        send = next(self._send_numbers)
        self._waiting[command_id] = _Waiting(sender, command, timer, timeout, send)
        if self._timed_out:
            self._timed_out.forget(command_id)
        self._carry(command, sender, receiver, self._responder(command, receiver, sender))

    def publish(self, event: Event, sender: str, receivers: list[str]) -> None:
        """Carry an event to each subscriber; none is fine, and each gets its own copy."""
        self.world.history.add(h.PUBLISHED, event.correlation_id, sender, "",
                               type(event).__name__, event.message_id,
                               {"message": _data(event), "subscribers": receivers})
        for receiver in receivers:
            self._carry(event, sender, receiver, None)

    def on_up(self, service: str) -> None:
        """A service came back up: the time-outs that came due meanwhile go off now."""
        for command_id, send in self._deferred.pop(service, ()):
            waiting = self._waiting.get(command_id)
            if waiting is not None and waiting.send == send:  # not answered nor sent again
                self._time_out(command_id)

    def redeliver(self, service: str, message: Message, respond) -> None:
        """A service went down while working on ``message``."""

    @property
    def waiting(self) -> int:
        """How many requests still wait for a reply."""
        return len(self._waiting)

    # -- what subclasses provide ----------------------------------------------------------
    def _carry(self, message: Message, sender: str, receiver: str, respond) -> None:
        raise NotImplementedError

    def _arrive(self, message: Message, sender: str, receiver: str, respond, *more) -> None:
        """A carried message reaches the receiver's side."""
        raise NotImplementedError

    # -- shared machinery -----------------------------------------------------------------
    def _delay(self, receiver: str) -> float:
        return self.latency + self.world.faults.latency(receiver)

    def _responder(self, command: Command, receiver: str, sender: str):
        """The callback a receiver answers through: it sends the reply back over this transport."""
        return partial(self._respond, command, receiver, sender)

    def _respond(self, command: Command, receiver: str, sender: str, reply: Reply,
                 from_network: bool = False) -> None:
        world = self.world
        reply = with_ids(reply, world.next_id(), command.correlation_id, command.message_id)
        waiting = self._waiting.get(command.message_id)
        self._answers[reply.message_id] = waiting.send if waiting is not None else 0
        if not from_network:
            world.history.add(h.REPLIED, reply.correlation_id, receiver, sender, "Reply",
                              reply.message_id, {
                                  "command": reply.command, "ok": reply.ok,
                                  "error": reply.error, "attempts": reply.attempts,
                                  "result": reply.result})
        self._carry(reply, receiver, sender, None)

    def _hand_over(self, message: Message, sender: str, receiver: str, respond) -> None:
        """Give an arrived message to its receiving endpoint."""
        world = self.world
        world.history.add(h.DELIVERED, message.correlation_id, sender, receiver,
                          type(message).__name__, message.message_id, {})
        endpoint = world.endpoints.get(receiver) or world.endpoint(receiver)
        if type(message) is Reply:
            self._accept_reply(message, endpoint)
        else:
            endpoint.receive(message, respond)

    def _accept_reply(self, reply: Reply, endpoint) -> None:
        waiting = self._waiting.get(reply.causation_id)
        # A reply made before the command was sent again answers the earlier send: the
        # caller waits for news from after its latest send, so an old "gave up" cannot pass.
        answers = self._answers.pop(reply.message_id, 0)  # a copy of it arriving later: still stale
        stale = waiting is not None and answers < waiting.send
        if waiting is None or stale:
            kind = h.LATE_REPLY if reply.causation_id in self._timed_out else h.DUPLICATE
            note = ("it answers an earlier send of this command: ignored" if stale
                    else "no one waits for this reply: ignored")
            self.world.history.append(kind, correlation_id=reply.correlation_id,
                                      receiver=endpoint.name, message_type=reply.type,
                                      message_id=reply.message_id, detail={"note": note})
            return
        del self._waiting[reply.causation_id]
        if waiting.timer is not None:
            waiting.timer.cancel()
        endpoint.receive(reply, None)

    def _time_out(self, command_id: str) -> None:
        waiting = self._waiting.get(command_id)
        if waiting is None:
            return
        if self.world.faults.is_down(waiting.sender):
            self._deferred.setdefault(waiting.sender, []).append((command_id, waiting.send))
            return
        del self._waiting[command_id]
        self._timed_out.put(command_id, True)
        command = waiting.command
        world = self.world
        world.history.append(h.TIMED_OUT, correlation_id=command.correlation_id,
                             receiver=waiting.sender, message_type=command.type,
                             message_id=command_id, detail={"timeout": waiting.timeout})
        reply = Reply(command=command.type, ok=False, timed_out=True, attempts=0,
                      error=f"no reply to {command.type} within {waiting.timeout}s "
                            "(it may still have taken effect)",
                      message_id=world.next_id(), correlation_id=command.correlation_id,
                      causation_id=command_id)
        world.endpoint(waiting.sender).receive(reply, None)


class DirectCall(Transport):
    """Request/response: refused at once when the receiver is down; replies to a down caller are lost."""

    name = "direct"

    def _carry(self, message, sender, receiver, respond) -> None:
        self.world.clock.schedule(self._delay(receiver), self._on_arrival,
                                  (message, sender, receiver, respond))

    def _arrive(self, message, sender, receiver, respond) -> None:
        world = self.world
        if not world.faults.is_down(receiver):
            self._hand_over(message, sender, receiver, respond)
            return
        kind = h.LOST if isinstance(message, Reply) else h.UNAVAILABLE
        self._answers.pop(message.message_id, None)  # a lost reply is never accepted
        world.history.append(kind, correlation_id=message.correlation_id, sender=sender,
                             receiver=receiver, message_type=message.type,
                             message_id=message.message_id,
                             detail={"note": f"{receiver} is down: the message is gone"})
        if respond is not None:
            respond(Reply(command=message.type, ok=False, attempts=0,
                          error=f"{receiver} is down: connection refused"), from_network=True)


class Queued(Transport):
    """Per-endpoint inboxes: messages to a down service wait there until it is back up."""

    name = "queued"

    def __init__(self, world, latency: float = 0.005, duplicate_probability: float = 0.0):
        super().__init__(world, latency, duplicate_probability)
        self.inboxes: dict[str, deque] = {}

    def _carry(self, message, sender, receiver, respond, duplicate=False) -> None:
        self.world.clock.schedule(self._delay(receiver), self._on_arrival,
                                  (message, sender, receiver, respond, duplicate))

    def _enqueue(self, message, sender, receiver, respond, duplicate=False, front=False) -> None:
        self.world.history.add(h.ENQUEUED, message.correlation_id, sender, receiver,
                               type(message).__name__, message.message_id,
                               {"duplicate": True} if duplicate else {})
        inbox = self.inboxes.setdefault(receiver, deque())
        entry = (message, sender, respond, duplicate)
        inbox.appendleft(entry) if front else inbox.append(entry)
        self._drain(receiver)

    _arrive = _enqueue  # arriving at a broker is waiting in the receiver's inbox

    def _drain(self, receiver: str) -> None:
        world = self.world
        inbox = self.inboxes.get(receiver)
        while inbox and not world.faults.is_down(receiver):
            message, sender, respond, duplicate = inbox.popleft()
            # A copy is not copied again: at p=1 every message arrives twice, not forever.
            if (not duplicate and self.duplicate_probability
                    and world.clock.chance(self.duplicate_probability)):
                self._carry(message, sender, receiver, respond, duplicate=True)
            self._hand_over(message, sender, receiver, respond)

    def on_up(self, service: str) -> None:
        self._drain(service)      # replies that waited in its inbox come first ...
        super().on_up(service)    # ... then any time-out still due

    def redeliver(self, service: str, message: Message, respond) -> None:
        # Not acknowledged, so the broker keeps it: first in line when the service is back.
        waiting = self._waiting.get(message.message_id)
        self._enqueue(message, waiting.sender if waiting else "", service, respond, front=True)

    def depth(self, endpoint: str) -> int:
        """How many messages wait in an endpoint's inbox."""
        return len(self.inboxes.get(endpoint, ()))


TRANSPORTS = {DirectCall.name: DirectCall, Queued.name: Queued}
