"""Saga view: the saga's state machine with one instance's path through it.

The states and legal moves come from the definition; what happened to the instance (the
path, retries, time-outs, failures, undo) comes only from the history, so the same
function draws the present or, with ``until``, any earlier moment.
"""
from __future__ import annotations

from collections import Counter

from .. import history as h
from ..render import Diagram
from ..saga import (COMPENSATED, COMPENSATION_FAILED, COMPLETED, ENDINGS, PARTIALLY_COMPENSATED,
                    PENDING, Saga)
from .style import GRAPH_HEADER, GREY, INK, STATUS, attributes, quote

_ENDING_STATUS = {COMPLETED: "completed", COMPENSATED: "ended_undone",
                  PARTIALLY_COMPENSATED: "ended_undone", COMPENSATION_FAILED: "ended_failed"}


def saga_status(saga: Saga, records, until: int | None = None) -> dict:
    """What the history says of one instance: current state, each state's status, notes, path."""
    records = [r for r in records if until is None or r.seq <= until]
    status = {state: "not_started" for state in saga.states}
    notes: dict[str, Counter] = {state: Counter() for state in saga.states}
    path: list[tuple[str, str]] = []
    current = PENDING
    pending_state = {}  # message id -> the state that sent it
    failed_undo = set()
    for r in records:
        if r.kind == h.STATE:
            source, current, trigger = r.detail["from"], r.detail["to"], r.detail["trigger"]
            path.append((source, current))
            if source in saga.by_name:
                status[source] = "done" if trigger == "step_succeeded" else "failed"
            elif source.startswith("compensating_"):
                status[source] = "failed" if source in failed_undo else "undone"
                step = source[len("compensating_"):]
                if source not in failed_undo:
                    status[step] = "undone"
        elif r.kind == h.SENT:
            pending_state[r.message_id] = current
            if notes[current]["sent"]:
                notes[current]["resent"] += 1
            notes[current]["sent"] += 1
        elif r.kind == h.TIMED_OUT:
            notes[pending_state.get(r.message_id, current)]["timed out"] += 1
        elif r.kind == h.FAILED and "compensation" in r.detail:
            failed_undo.add(current)
            notes[current][f"gave up: {r.detail['then']}"] += 1
    if current in ENDINGS:
        status[current] = _ENDING_STATUS[current]
    elif current != PENDING or path:
        status[current] = "running"
    return {"current": current, "status": status, "path": path, "notes": notes}


def saga_view(saga: Saga, records, instance_id: str = "", until: int | None = None) -> Diagram:
    """The saga's state machine with the instance's path, as a diagram with a legend."""
    seen = saga_status(saga, records, until)
    return Diagram(_dot(saga, seen, instance_id), title=f"{saga.name} {instance_id}: "
                                                       f"{seen['current']}")


def _label(state: str, status: str, notes: Counter, current: bool) -> str:
    symbol = STATUS[status][2]
    lines = [f"{'▶ ' if current and symbol != '▶' else ''}{symbol + ' ' if symbol else ''}{state}"]
    extra = []
    if notes.get("resent"):
        extra.append(f"↻ retried {notes['resent']}×")
    if notes.get("timed out"):
        extra.append(f"⏱ timed out {notes['timed out']}×")
    extra += [f"✗ {key}" for key in notes if key.startswith("gave up")]
    if extra:
        lines.append(" · ".join(extra))
    return "\n".join(lines)


def _dot(saga: Saga, seen: dict, instance_id: str) -> str:
    status, current = seen["status"], seen["current"]
    taken = {}
    for number, move in enumerate(seen["path"], 1):
        taken.setdefault(move, []).append(str(number))
    title = f"saga {saga.name}  ·  {instance_id or 'instance'}: {current}"
    out = [f"digraph {quote(saga.name)} {{", GRAPH_HEADER,
           f'  graph [rankdir="LR", label={quote(title)}, labelloc="t"];']
    for state in saga.states:
        fill, border, _, _ = STATUS[status[state]]
        is_current = state == current
        shape = "box" if state in saga.by_name or state.startswith("compensating_") else (
            "circle" if state == PENDING else "octagon")
        style = "rounded,filled" + ("" if border == "solid" else f",{border}")
        out.append(f"  {quote(state)} " + attributes(
            label=_label(state, status[state], seen["notes"][state], is_current),
            shape=shape, style=style, fillcolor=fill,
            color=INK if is_current or status[state] != "not_started" else GREY,
            penwidth="3" if is_current else "1", peripheries="2" if is_current else "1"))
    drawn = set()
    usual = _usual_moves(saga)
    for move in saga.transitions:
        sources = move["source"] if isinstance(move["source"], list) else [move["source"]]
        for source in sources:
            edge = (source, move["dest"])
            if edge in drawn or (edge not in taken and edge not in usual):
                continue
            drawn.add(edge)
            undoing = move["dest"].startswith("compensating_") or move["dest"] in (
                COMPENSATED, PARTIALLY_COMPENSATED, COMPENSATION_FAILED)
            if edge in taken:
                out.append(f"  {quote(source)} -> {quote(move['dest'])} " + attributes(
                    color=INK, penwidth="2.5", style="dashed" if undoing else "solid",
                    label=" ".join(taken[edge])))
            else:
                out.append(f"  {quote(source)} -> {quote(move['dest'])} " + attributes(
                    color=GREY, style="dashed" if undoing else "solid", arrowsize="0.6"))
    out.append(_legend())
    out.append("}")
    return "\n".join(out)


def _usual_moves(saga: Saga) -> set[tuple[str, str]]:
    """The moves worth drawing before they happen: forward, and each undo to the one before.

    The machine also allows shortcuts (a step with nothing to undo skips ahead); those
    are drawn only once an instance takes them, to keep the picture readable.
    """
    names = [s.name for s in saga.steps]
    moves = {(PENDING, names[0])} | set(zip(names, names[1:] + [COMPLETED]))
    undo_chain = [s.compensating for s in saga.steps if s.compensation]
    for step in saga.steps:
        earlier = [s.compensating for s in saga.steps[:names.index(step.name) + 1]
                   if s.compensation]
        moves.add((step.name, earlier[-1] if earlier else COMPENSATED))
    for later, earlier in zip(undo_chain[1:], undo_chain):
        moves.add((later, earlier))
    if undo_chain:
        moves |= {(undo_chain[0], COMPENSATED), (undo_chain[0], PARTIALLY_COMPENSATED)}
        moves |= {(state, COMPENSATION_FAILED) for state in undo_chain}
    return moves


def _legend() -> str:
    rows = "".join(
        f'<TR><TD BGCOLOR="{fill}" BORDER="1" STYLE="{"dashed" if border == "dashed" else "rounded"}">'
        f'{symbol or "&nbsp;"}</TD><TD ALIGN="LEFT">{name}</TD></TR>'
        for fill, border, symbol, name in STATUS.values())
    return ('  subgraph cluster_legend { label="legend"; fontsize="10"; color="#999999";\n'
            f'    legend [shape="plaintext", label=<<TABLE BORDER="0" CELLSPACING="2">{rows}'
            '<TR><TD>▶</TD><TD ALIGN="LEFT">thick double border: where it is now</TD></TR>'
            '<TR><TD>—</TD><TD ALIGN="LEFT">bold numbered arrows: the path taken</TD></TR>'
            '<TR><TD>- -</TD><TD ALIGN="LEFT">dashed arrows: undoing</TD></TR>'
            '</TABLE>>]; }')
