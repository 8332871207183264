"""Capacity: one worker that handles one message at a time, first come, first served.

Each message occupies the worker for ``handling_time`` virtual seconds. A message that
arrives while it is busy waits in line, so under load the wait grows, and the number of
messages handled per virtual second can never pass ``1 / handling_time``. With a handling
time of 0 (the default everywhere) a message is handled the moment it arrives: capacity
is unlimited, as if nothing had changed.

An :class:`~orchestra.orchestrator.Orchestrator` takes ``handling_time=`` itself; give any
other endpoint (a choreographed service, say) the same worker with :func:`limit_capacity`,
so a comparison charges every participant the same price per message.
"""
from __future__ import annotations

from typing import Callable

from . import history as h


class Capacity:
    """One worker in virtual time: each message waits its turn, then takes ``handling_time``."""

    def __init__(self, world, name: str, handling_time: float = 0.0):
        if not (isinstance(handling_time, (int, float)) and handling_time >= 0):
            raise ValueError(f"handling_time={handling_time!r}: it is the virtual seconds one "
                             "message occupies its handler, so a number >= 0 (0: no limit)")
        self.world = world
        self.name = name
        self.handling_time = float(handling_time)
        self.free_at = 0.0    # when the worker is done with everything it has taken on
        self.in_line = 0      # messages waiting or being handled right now
        self.handled = 0      # messages handled so far

    def admit(self, correlation_id: str, message_type: str, callback: Callable, *args) -> float:
        """Run ``callback(*args)`` once the worker is free and has spent ``handling_time`` on it.

        Returns how long the message waits in line before its handling starts. With a
        handling time of 0 the callback runs now, and nothing is recorded.
        """
        if not self.handling_time:
            self.handled += 1
            callback(*args)
            return 0.0
        now = self.world.clock.now
        begins = max(now, self.free_at)
        self.free_at = begins + self.handling_time
        self.in_line += 1
        self.world.history.append(h.ENQUEUED, correlation_id=correlation_id,
                                  receiver=self.name, message_type=message_type, detail={
                                      "queue": "capacity", "wait": round(begins - now, 6),
                                      "in_line": self.in_line})
        self.world.clock.call_at(self.free_at, self._handle, callback, args)
        return begins - now

    def _handle(self, callback: Callable, args: tuple) -> None:
        self.in_line -= 1
        self.handled += 1
        callback(*args)

    @property
    def limit(self) -> float:
        """The most messages it can handle per virtual second (infinity for no limit)."""
        return 1 / self.handling_time if self.handling_time else float("inf")


def limit_capacity(endpoint, handling_time: float) -> Capacity:
    """Make ``endpoint`` (a service in a world) handle one message at a time, each taking
    ``handling_time`` virtual seconds, first come first served; returns its :class:`Capacity`.
    """
    capacity = Capacity(endpoint.world, endpoint.name, handling_time)
    receive = endpoint.receive

    def queued_receive(message, respond=None):
        capacity.admit(message.correlation_id, message.type, receive, message, respond)
    endpoint.receive = queued_receive  # the transport hands every delivery to this
    endpoint.capacity = capacity
    return capacity
