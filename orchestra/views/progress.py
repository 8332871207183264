"""Progress view: a choreographed order's milestones, pieced together from its events.

With no orchestrator there is no state machine to draw: only the events that happened.
This view lines them up, the way a tracker sees them, and marks where the order ended
(or that it has not: a stuck order is the thing choreography makes hard to notice).
"""
from __future__ import annotations

from .. import history as h
from ..render import Diagram
from .style import GRAPH_HEADER, INK, STATUS, attributes, quote


def progress_view(records, instance_id: str, milestones: dict, endings=(),
                  until: int | None = None) -> Diagram:
    """The milestones ``instance_id`` reached, in order, as a chain with its ending marked."""
    names = {event.__name__: label for event, label in milestones.items()}
    reached = [(r.time, names[r.message_type]) for r in records
               if r.kind == h.PUBLISHED and r.message_type in names
               and (until is None or r.seq <= until)]
    ended = [label for _, label in reached if label in endings]
    out = ["digraph progress {", GRAPH_HEADER,
           f'  graph [rankdir="LR", label={quote(f"{instance_id}: choreography, as the tracker sees it")}, labelloc="t"];']
    previous = None
    for i, (time, label) in enumerate(reached):
        failing = any(word in label for word in ("failed", "out of stock", "rejected"))
        undoing = label in ("refunded", "stock released")
        status = "failed" if failing else "undone" if undoing else "done"
        if label in endings:
            status = "completed" if label == "approved" else "ended_undone"
        fill, border, symbol, _ = STATUS[status]
        node = f"m{i}"
        style = "rounded,filled" + ("" if border == "solid" else f",{border}")
        out.append(f"  {node} " + attributes(label=f"{symbol} {label}\nt={time:g}s", shape="box",
                                             style=style, fillcolor=fill, color=INK))
        if previous:
            out.append(f"  {previous} -> {node} " + attributes(color=INK))
        previous = node
    if not ended:
        fill, _, symbol, _ = STATUS["running"]
        out.append("  waiting " + attributes(label=f"{symbol} no ending yet", shape="box",
                                             style="rounded,filled,dashed", fillcolor=fill))
        if previous:
            out.append(f"  {previous} -> waiting " + attributes(style="dashed"))
    out.append("}")
    title = f"{instance_id}: {reached[-1][1] if reached else 'nothing yet'}"
    return Diagram("\n".join(out), title=title)
