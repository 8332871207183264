"""Coupling: who sends what to whom, who depends on whom, and what adding a service touches.

Every figure here is read from a history or from the definitions, never typed in:

- :func:`coupling_report` counts, from a history, the commands and events each service
  sends and receives, its fan-in and fan-out, the messages between each pair, and who
  depends on whom. A command's sender depends on its one handler (it needs the command
  done); an event's subscriber depends on its publisher (it needs the fact). Around an
  orchestrator that draws a star with no cycles; a choreography draws a mesh, with cycles.
- :func:`contracts` says what each component of a world is wired to: the commands it
  handles and the events it hears (its ``@handles`` and ``@subscribes`` tables), the
  commands it sends and events it publishes (as its history shows), and for an
  orchestrator its sagas' steps.
- :func:`components_touched` compares two worlds, before and after a service is added,
  and names every component whose wiring had to change: the count the course compares.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html import escape
from typing import Iterable

from .. import history as h
from ..orchestrator import Orchestrator
from ..saga import Saga
from ..service import Service

COMMAND, EVENT = "command", "event"


@dataclass(frozen=True)
class ServiceFigures:
    """One service's coupling, counted from a history (a message sent again counts once)."""

    service: str
    commands_sent: int
    commands_received: int
    events_published: int
    events_heard: int        # event deliveries to it: one per event it subscribed to
    fan_in: int              # how many services send it commands or events
    fan_out: int             # how many services it sends commands or events to
    depends_on: tuple[str, ...]   # whose commands it sends, whose events it hears
    needed_by: tuple[str, ...]    # who sends it commands, who hears its events

    @property
    def partners(self) -> int:
        """How many services it exchanges messages with, either way."""
        return len(set(self.depends_on) | set(self.needed_by))


class CouplingReport:
    """Commands and events per service and per pair, and the dependencies they make."""

    def __init__(self, messages: dict[tuple[str, str, str], Counter], published: Counter,
                 services: list[str]):
        self.messages = messages    # (sender, receiver, "command" | "event") -> Counter of types
        self.published = published  # sender -> events published (subscribers or not)
        self.services = services    # every service seen, in order of first appearance

    # -- per pair -------------------------------------------------------------------------
    def count(self, sender: str, receiver: str, kind: str | None = None) -> int:
        """Messages ``sender`` sent ``receiver`` (only commands or events, with ``kind``)."""
        return sum(sum(types.values()) for (s, r, k), types in self.messages.items()
                   if s == sender and r == receiver and kind in (None, k))

    @property
    def pairs(self) -> dict[tuple[str, str], dict[str, int]]:
        """``(sender, receiver) -> {"command": n, "event": m}`` for every pair that talked."""
        found: dict[tuple[str, str], dict[str, int]] = {}
        for (sender, receiver, kind), types in self.messages.items():
            found.setdefault((sender, receiver), {COMMAND: 0, EVENT: 0})[kind] += sum(
                types.values())
        return found

    @property
    def connections(self) -> int:
        """How many pairs of services exchange messages at all (either way counts once)."""
        return len({frozenset(pair) for pair in self.pairs})

    # -- dependencies ---------------------------------------------------------------------
    @property
    def dependencies(self) -> dict[str, set[str]]:
        """``service -> the services it depends on`` (every service is a key)."""
        found: dict[str, set[str]] = {name: set() for name in self.services}
        for sender, receiver, kind in self.messages:
            if kind == COMMAND:
                found[sender].add(receiver)  # it needs its command handled
            else:
                found[receiver].add(sender)  # it needs the publisher's fact
        return found

    def cycles(self) -> list[list[str]]:
        """Groups of services that depend on each other, round in a circle (sorted)."""
        depends = self.dependencies

        def reach(start: str) -> set[str]:
            seen, todo = set(), [start]
            while todo:
                for other in depends[todo.pop()]:
                    if other not in seen:
                        seen.add(other)
                        todo.append(other)
            return seen

        reachable = {name: reach(name) for name in depends}
        groups = {frozenset({name} | {o for o in reachable[name] if name in reachable[o]})
                  for name in depends if name in reachable[name]}
        return sorted(sorted(group) for group in groups)

    @property
    def hub(self) -> str:
        """The service with the most partners (the orchestrator, around a star)."""
        return max(self.services, key=lambda name: self.figures(name).partners, default="")

    @property
    def is_star(self) -> bool:
        """Whether one service takes part in every connection."""
        hub = self.hub
        return bool(self.pairs) and all(hub in pair for pair in self.pairs)

    # -- per service ----------------------------------------------------------------------
    def figures(self, service: str) -> ServiceFigures:
        """The coupling figures of one service."""
        if service not in self.services:
            raise KeyError(f"no service {service!r} sent or received anything in this history; "
                           f"seen: {', '.join(self.services) or 'none'}")
        sent_to = {r for (s, r, _) in self.messages if s == service}
        heard_from = {s for (s, r, _) in self.messages if r == service}
        needed_by = {name for name, theirs in self.dependencies.items() if service in theirs}
        return ServiceFigures(
            service=service,
            commands_sent=sum(self.count(service, r, COMMAND) for r in sent_to),
            commands_received=sum(self.count(s, service, COMMAND) for s in heard_from),
            events_published=self.published[service],
            events_heard=sum(self.count(s, service, EVENT) for s in heard_from),
            fan_in=len(heard_from), fan_out=len(sent_to),
            depends_on=tuple(sorted(self.dependencies[service])),
            needed_by=tuple(sorted(needed_by)))

    def table(self) -> list[ServiceFigures]:
        """Every service's figures, in order of first appearance."""
        return [self.figures(name) for name in self.services]

    def __repr__(self) -> str:
        return (f"<CouplingReport: {len(self.services)} services, {self.connections} "
                f"connections, {len(self.cycles())} dependency cycle(s)>")

    def _repr_html_(self) -> str:
        head = ("service", "commands sent", "commands received", "events published",
                "events heard", "fan-in", "fan-out", "depends on")
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in (
                f.service, f.commands_sent, f.commands_received, f.events_published,
                f.events_heard, f.fan_in, f.fan_out, ", ".join(f.depends_on) or "—")) + "</tr>"
            for f in self.table())
        cycles = "; ".join("{" + ", ".join(group) + "}" for group in self.cycles()) or "none"
        return (f"<table><thead><tr>{''.join(f'<th>{c}</th>' for c in head)}</tr></thead>"
                f"<tbody>{rows}</tbody></table><p>{self.connections} connections · "
                f"{'a star around ' + escape(self.hub) if self.is_star else 'a mesh'} · "
                f"dependency cycles: {escape(cycles)}</p>")


def coupling_report(records: Iterable[h.Record], ignore: Iterable[str] = ("client",)
                    ) -> CouplingReport:
    """Count commands (sent) and events (delivered to each subscriber) between services.

    A command sent again with the same message id (a retry) counts once; an event counts
    once per subscriber. Endpoints named in ``ignore`` (the customer's client, by
    default) are left out.
    """
    ignore = set(ignore)
    seen: dict[tuple[str, str, str], set[str]] = {}
    types: dict[str, str] = {}
    published: Counter = Counter()
    services: dict[str, None] = {}
    for r in records:
        if r.kind == h.SENT:
            links = [(r.sender, r.receiver, COMMAND)]
        elif r.kind == h.PUBLISHED:
            links = [(r.sender, receiver, EVENT) for receiver in r.detail.get("subscribers", ())]
            if r.sender not in ignore and r.message_id not in types:
                published[r.sender] += 1
                services.setdefault(r.sender)
        else:
            continue
        types[r.message_id] = r.message_type
        for link in links:
            if link[0] in ignore or link[1] in ignore:
                continue
            services.setdefault(link[0])
            services.setdefault(link[1])
            seen.setdefault(link, set()).add(r.message_id)
    messages = {link: Counter(types[i] for i in ids) for link, ids in seen.items()}
    return CouplingReport(messages, published, list(services))


# -- what a change touches ----------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """How one component's wiring differs between two worlds."""

    component: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    new: bool = False        # it was not there before
    gone: bool = False       # it is not there after

    def describe(self) -> str:
        """One line: the component and what changed in its wiring."""
        if self.new:
            return f"{self.component}: new ({', '.join(self.added) or 'no wiring'})"
        if self.gone:
            return f"{self.component}: removed"
        return f"{self.component}: " + ", ".join(
            [f"+ {line}" for line in self.added] + [f"- {line}" for line in self.removed])


def saga_wiring(saga: Saga) -> set[str]:
    """What a saga definition wires together: its steps in order, their commands, its events."""
    lines = {f"saga {saga.name}: " + " -> ".join(step.name for step in saga.steps)}
    for step in saga.steps:
        undo = step.compensation.__name__ if step.compensation else "nothing"
        lines.add(f"saga {saga.name}, step {step.name}: sends {step.action.__name__}, "
                  f"undone by {undo}")
        prepare = getattr(step, "prepare", None)  # data mapping done inside the orchestrator
        if prepare is not None:
            lines.add(f"saga {saga.name}, step {step.name}: prepared by "
                      f"{getattr(prepare, '__qualname__', repr(prepare))}")
    for when, event in (("completed", saga.completed_event),
                        ("undone", saga.compensated_event)):
        if event is not None:
            lines.add(f"saga {saga.name}: publishes {event.__name__} when {when}")
    lines.add(f"saga {saga.name}: a failed undo -> {saga.on_compensation_failure.then}")
    return lines


def contracts(world) -> dict[str, frozenset[str]]:
    """Each component's wiring, by name: services and orchestrators (not the client).

    A service: the commands it handles and the events it hears (its ``@handles`` and
    ``@subscribes`` tables), and the commands it sent and the events someone hears that
    it published in this world's history (an event no one hears wires nothing). Run the
    same orders in the worlds you compare: a path that ran in only one of them (a refund,
    say) shows up as a change. An orchestrator: its sagas' definitions.
    """
    heard = {event.__name__ for event, listeners in world.subscribers.items() if listeners}
    sent: dict[str, set[str]] = {}
    published: dict[str, set[str]] = {}
    for r in world.history:
        if r.kind == h.SENT:
            sent.setdefault(r.sender, set()).add(r.message_type)
        elif r.kind == h.PUBLISHED:
            if r.message_type in heard:
                published.setdefault(r.sender, set()).add(r.message_type)
    found: dict[str, frozenset[str]] = {}
    for name, endpoint in world.endpoints.items():
        if isinstance(endpoint, Orchestrator):
            lines = set().union(*(saga_wiring(s) for s in endpoint.sagas.values()))
        elif isinstance(endpoint, Service):
            lines = ({f"handles {c.__name__}" for c in endpoint.command_handlers} |
                     {f"hears {e.__name__}" for e in endpoint.event_handlers} |
                     {f"sends {t}" for t in sent.get(name, ())} |
                     {f"publishes {t}" for t in published.get(name, ())})
        else:
            continue  # the client stands outside every bounded context
        found[name] = frozenset(lines)
    return found


def changes(before, after) -> dict[str, Change]:
    """What changed in each component's wiring from world ``before`` to world ``after``."""
    old, new = contracts(before), contracts(after)
    found: dict[str, Change] = {}
    for name, lines in new.items():
        if name not in old:
            found[name] = Change(name, added=tuple(sorted(lines)), new=True)
        elif lines != old[name]:
            found[name] = Change(name, added=tuple(sorted(lines - old[name])),
                                 removed=tuple(sorted(old[name] - lines)))
    for name in old:
        if name not in new:
            found[name] = Change(name, removed=tuple(sorted(old[name])), gone=True)
    return found


def components_touched(before, after) -> list[str]:
    """The components whose wiring differs between two worlds (new ones too), by name."""
    return list(changes(before, after))
