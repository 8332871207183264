"""Playground: one shop and one order, with every control the playground widget shows.

Each control is a method here, so the widget stays a thin layer and tests call exactly
what a click calls: take a service down, make its command or its compensation fail,
slow it down; run, step, reset; choose the seed; travel back through the history.
The same playground runs the order by orchestration (a saga) or by choreography.
"""
from __future__ import annotations

from . import history as h
from .faults import Down, FailNext, FailRandomly, Fault, Latency
from .orchestrator import Orchestrator
from .render import Diagram
from .views import saga_view, timeline_view, topology_view
from .views.progress import progress_view
from .world import World

STYLES = ("orchestration", "choreography")
ORDER = "o-1"


class Playground:
    """A shop in a world, one order placed in it, and the faults the learner switched on."""

    services = ("inventory", "payment", "shipping")

    def __init__(self, style: str = "orchestration", transport: str = "queued", seed: int = 0,
                 sku: str = "red-dress", compensation_policy=None):
        if style not in STYLES:
            raise ValueError(f"style={style!r}: use 'orchestration' or 'choreography'")
        self.style, self.transport, self.seed, self.sku = style, transport, seed, sku
        self.compensation_policy = compensation_policy  # the saga's; None: the shop's default
        self.switches = {name: {"down": False, "fail_command": False,
                                "fail_compensation": False, "latency": 0.0}
                         for name in self.services}
        self.position: int | None = None  # None: now; else a history seq to look back at
        self.reset()

    # -- run / step / reset ---------------------------------------------------------------
    def reset(self) -> None:
        """A fresh shop with the same switches and seed; the order is placed on run or step."""
        from .shop import Inventory, Payment, Shipping
        from .shop.choreography import build_choreographed_world
        from .shop.order import place_order_saga
        self.position = None
        self.placed = False
        self._faults: dict[tuple[str, str], Fault] = {}
        if self.style == "orchestration":
            self.saga = place_order_saga(self.compensation_policy)
            self.world = World([Inventory(), Payment(), Shipping()], transport=self.transport,
                               seed=self.seed)
            self.orchestrator = Orchestrator(self.world, self.saga, name="order")
        else:
            self.saga, self.orchestrator = None, None
            self.world = build_choreographed_world(self.transport, self.seed)
        for service, switches in self.switches.items():
            for switch, value in switches.items():
                self._apply(service, switch, value)

    def _place_order(self) -> None:
        # Placed at the first run or step, so switches set before that apply to every message.
        from .shop.order import PlaceOrder, order_data
        if self.placed:
            return
        self.placed = True
        if self.orchestrator is not None:
            self.orchestrator.start(self.saga, ORDER, **order_data(ORDER, sku=self.sku))
        else:
            data = order_data(ORDER, sku=self.sku)
            self.world.send(PlaceOrder(order_id=ORDER, customer=data["customer"], sku=self.sku),
                            correlation_id=ORDER)

    def run(self) -> str:
        """Run until nothing is left to do; returns the order's state."""
        self._place_order()
        self.world.run()
        self.position = None
        return self.state

    def step(self) -> str:
        """Run the next scheduled thing only (placing the order first); returns its state."""
        if self.placed:
            self.world.clock.step()
        self._place_order()
        self.position = None
        return self.state

    def set_seed(self, seed: int) -> None:
        """Choose the seed (it decides every random fault) and start over."""
        self.seed = int(seed)
        self.reset()

    def set_style(self, style: str) -> None:
        """Switch between orchestration and choreography, and start over."""
        if style not in STYLES:
            raise ValueError(f"style={style!r}: use 'orchestration' or 'choreography'")
        self.style = style
        self.reset()

    # -- the per-service switches ---------------------------------------------------------
    def set_down(self, service: str, down: bool) -> None:
        """Take a service down (True) or bring it back up (False), now."""
        self._switch(service, "down", bool(down))

    def set_fail_command(self, service: str, fail: bool) -> None:
        """Make every try of the service's own command fail (its part of the order)."""
        self._switch(service, "fail_command", bool(fail))

    def fail_next(self, service: str) -> None:
        """Make only the next try of the service's command fail (its own retry may hide it)."""
        if service not in self.switches:
            raise ValueError(f"no service {service!r} in the playground; "
                             f"use one of {', '.join(self.services)}")
        self.world.faults.add(FailNext(service, n=1, at=self.world.clock.now,
                                       command=self._command_of(service, "fail_command")))

    def set_fail_compensation(self, service: str, fail: bool) -> None:
        """Make every try of the service's compensation (its undo) fail."""
        self._switch(service, "fail_compensation", bool(fail))

    def set_latency(self, service: str, seconds: float) -> None:
        """Add ``seconds`` to every message to the service."""
        self._switch(service, "latency", float(seconds))

    def _switch(self, service: str, switch: str, value) -> None:
        if service not in self.switches:
            raise ValueError(f"no service {service!r} in the playground; "
                             f"use one of {', '.join(self.services)}")
        self.switches[service][switch] = value
        self._apply(service, switch, value)

    def _apply(self, service: str, switch: str, value) -> None:
        old = self._faults.pop((service, switch), None)
        if old is not None:
            self.world.faults.remove(old)
        fault = None
        if switch == "down" and value:
            fault = Down(service, at=self.world.clock.now)
        elif switch == "latency" and value > 0:
            fault = Latency(service, seconds=value, at=self.world.clock.now)
        elif switch in ("fail_command", "fail_compensation") and value:
            fault = FailRandomly(service, p=1.0, command=self._command_of(service, switch),
                                 at=self.world.clock.now)
        if fault is not None:
            self._faults[(service, switch)] = self.world.faults.add(fault)

    def _command_of(self, service: str, switch: str) -> str | None:
        """The message type whose tries the switch makes fail."""
        if self.style == "choreography":
            from .shop.choreography import TRIGGERS
            actions, undos = TRIGGERS[service]
            wanted = actions if switch == "fail_command" else undos
            return wanted[0] if wanted else "(none)"
        for step in self.saga.steps:
            command = step.action if switch == "fail_command" else step.compensation
            if command is not None and self.world.handlers[command].name == service:
                return command.__name__
        return "(none)"

    # -- what the views show --------------------------------------------------------------
    @property
    def state(self) -> str:
        """The order's state now (orchestration) or its latest milestone (choreography)."""
        if not self.placed:
            return "not placed yet"
        if self.orchestrator is not None:
            return self.orchestrator.state(ORDER)
        return self.world.endpoint("tracker").status(ORDER)

    @property
    def history_length(self) -> int:
        """How many records the history holds (the time-travel slider's range)."""
        return len(self.world.history)

    def travel(self, seq: int | None) -> None:
        """Look at the moment just after history record ``seq`` (None: now)."""
        if seq is not None and not 0 <= seq < max(1, self.history_length):
            raise ValueError(f"seq {seq} is outside the history (0..{self.history_length - 1})")
        self.position = seq

    def saga_view(self) -> Diagram:
        """The order on its saga (or, for choreography, its milestones) at the chosen moment."""
        records = self.world.history.for_instance(ORDER)
        if self.saga is not None:
            return saga_view(self.saga, records, ORDER, until=self.position)
        from .shop.choreography import ENDINGS, MILESTONES
        return progress_view(records, ORDER, MILESTONES, ENDINGS, until=self.position)

    def timeline_view(self):
        """The order's sequence diagram at the chosen moment."""
        return timeline_view(self.world.history, ORDER, until=self.position)

    def topology_view(self) -> Diagram:
        """Who talked to whom, up to the chosen moment."""
        return topology_view(self.world.history, until=self.position)

    def moment(self) -> str:
        """A one-line description of the chosen moment."""
        history = self.world.history
        if not len(history):
            return "nothing has happened yet"
        record = history[self.position if self.position is not None else len(history) - 1]
        where = "now" if self.position is None else f"record {record.seq}"
        return (f"{where}: t={record.time:g}s, {record.kind} "
                f"{record.message_type or record.detail.get('to', '')}".rstrip())


__all__ = ["Playground", "STYLES", "h"]
