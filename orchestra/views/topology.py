"""Topology view: the services and the messages between them, counted from the history.

Commands are solid arrows, events dashed ones. Around an orchestrator the picture is a
star; in a choreography it is a mesh, every context wired to several others.
"""
from __future__ import annotations

from collections import Counter

from .. import history as h
from ..render import Diagram
from .style import BLUE, GRAPH_HEADER, GREY, INK, ORANGE, PAPER, PURPLE, SKY, attributes, quote


def topology_edges(records, until: int | None = None) -> dict[tuple[str, str, str], Counter]:
    """``(sender, receiver, "command" | "event") -> Counter of message types``."""
    edges: dict[tuple[str, str, str], Counter] = {}
    for r in records:
        if until is not None and r.seq > until:
            break
        if r.kind == h.SENT:
            edges.setdefault((r.sender, r.receiver, "command"), Counter())[r.message_type] += 1
        elif r.kind == h.PUBLISHED:
            for receiver in r.detail.get("subscribers", ()):
                edges.setdefault((r.sender, receiver, "event"), Counter())[r.message_type] += 1
    return edges


def topology_view(records, until: int | None = None, title: str = "who talks to whom") -> Diagram:
    """Services as boxes, orchestrators as double octagons, commands solid, events dashed."""
    records = list(records)
    edges = topology_edges(records, until)
    orchestrators = {r.sender for r in records if r.kind == h.STATE}
    nodes = sorted({n for s, t, _ in edges for n in (s, t)} | orchestrators)
    out = ["digraph topology {", GRAPH_HEADER,
           f'  graph [layout="dot", rankdir="LR", label={quote(title)}, labelloc="t"];']
    for node in nodes:
        if node in orchestrators:
            look = dict(shape="doubleoctagon", style="filled", fillcolor=ORANGE,
                        label=f"{node}\n(orchestrator)")
        elif node == "client":
            look = dict(shape="ellipse", style="filled", fillcolor=PAPER, label="client")
        elif node == "tracker":
            look = dict(shape="note", style="filled,dashed", fillcolor=PAPER,
                        label="tracker\n(monitoring)")
        else:
            look = dict(shape="box", style="rounded,filled", fillcolor=SKY, label=node)
        out.append(f"  {quote(node)} " + attributes(color=INK, **look))
    for (sender, receiver, kind), counts in sorted(edges.items()):
        label = "\n".join(f"{name} ×{n}" for name, n in sorted(counts.items()))
        if kind == "command":
            look = dict(color=BLUE, style="solid", penwidth="1.6", arrowhead="normal")
        else:
            look = dict(color=PURPLE, style="dashed", penwidth="1.2", arrowhead="empty")
        out.append(f"  {quote(sender)} -> {quote(receiver)} " + attributes(label=label, **look))
    out.append('  subgraph cluster_legend { label="legend"; fontsize="10"; color="' + GREY + '";\n'
               '    l1 [shape="point", width="0.05"]; l2 [shape="point", width="0.05"];\n'
               '    l3 [shape="point", width="0.05"]; l4 [shape="point", width="0.05"];\n'
               f'    l1 -> l2 [label="command (one handler)", color="{BLUE}", style="solid"];\n'
               f'    l3 -> l4 [label="event (any subscribers)", color="{PURPLE}", style="dashed", '
               'arrowhead="empty"]; }')
    out.append("}")
    return Diagram("\n".join(out), title=title)
