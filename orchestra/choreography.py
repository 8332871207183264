"""Choreography: no central brain, so someone has to piece each order's story together.

In a choreography every service reacts to the others' events; nobody holds the state of
an order. :class:`Tracker` is the extra monitoring work that takes: it subscribes to the
events that mark progress and rebuilds, per order, what has happened and whether it ended.
"""
from __future__ import annotations

from typing import Iterable

from .messages import Event
from .service import Service


class Tracker(Service):
    """Rebuilds each instance's progress from the events it sees (it changes nothing)."""

    name = "tracker"

    def __init__(self, milestones: dict[type[Event], str], endings: Iterable[str] = (),
                 name: str = "tracker"):
        self.name = name
        self.milestones = dict(milestones)
        self.endings = set(endings)
        # Subscribe to exactly the events we were given (an instance-level table).
        self.event_handlers = {event: "track" for event in self.milestones}
        self.progress: dict[str, list[tuple[float, str]]] = {}

    def track(self, event: Event) -> None:
        """Note the milestone this event marks for its order."""
        key = event.correlation_id or getattr(event, "order_id", "")
        self.progress.setdefault(key, []).append((self.world.clock.now,
                                                  self.milestones[type(event)]))

    def status(self, instance_id: str) -> str:
        """The latest milestone of an instance ('unknown' if no event was seen)."""
        seen = self.progress.get(instance_id)
        return seen[-1][1] if seen else "unknown"

    def milestones_of(self, instance_id: str) -> list[str]:
        """Every milestone an instance reached, in order."""
        return [milestone for _, milestone in self.progress.get(instance_id, ())]

    def finished(self, instance_id: str) -> bool:
        """Whether an instance reached one of the endings."""
        return any(m in self.endings for m in self.milestones_of(instance_id))

    def stuck(self, older_than: float) -> list[str]:
        """Instances with no ending whose last event is more than ``older_than`` seconds old."""
        now = self.world.clock.now
        return [key for key, seen in self.progress.items()
                if not self.finished(key) and now - seen[-1][0] > older_than]

    def counts(self) -> dict[str, int]:
        """How many instances are at each latest milestone."""
        counts: dict[str, int] = {}
        for key in self.progress:
            status = self.status(key)
            counts[status] = counts.get(status, 0) + 1
        return counts
