"""Timeline view: a sequence diagram of one instance, in virtual time.

One lifeline per participant; one row per thing that happened, with its virtual time on
the left. Commands are solid arrows, replies dashed, events dotted; retries (↻),
time-outs (⏱), failures (✗) and the undo (↺) are marked with a symbol as well as a colour.
Drawn as SVG directly: no renderer needed.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .. import history as h
from .style import BLUE, GREY, INK, ORANGE, PAPER, PURPLE, VERMILLION

ROW, COLUMN, LEFT, TOP = 24, 170, 80, 50


@dataclass(frozen=True)
class Row:
    """One line of the diagram: an arrow (``to`` set) or a mark on one lifeline."""

    seq: int
    time: float
    kind: str   # command, reply, event, state, undo, retry, timeout, failure, duplicate, handled
    at: str             # where the arrow starts, or where the mark sits
    to: str = ""
    text: str = ""


class Timeline:
    """The rows of one instance's sequence diagram; shows itself as SVG in Jupyter."""

    def __init__(self, rows: list[Row], participants: list[str], title: str = ""):
        self.rows = rows
        self.participants = participants
        self.title = title

    def svg(self) -> str:
        """The sequence diagram as an SVG document."""
        return _svg(self)

    def _repr_svg_(self) -> str:
        return self.svg()

    def __repr__(self) -> str:
        return f"<Timeline {self.title!r}: {len(self.rows)} rows>"


def timeline_view(records, instance_id: str, until: int | None = None) -> Timeline:
    """The sequence diagram of ``instance_id`` up to history record ``until``."""
    rows: list[Row] = []
    sent_before: set[str] = set()
    for r in records:
        if r.correlation_id != instance_id:
            continue
        if until is not None and r.seq > until:
            break
        row = _row(r, sent_before)
        if row is not None:
            rows.append(row)
    participants: list[str] = []
    for row in rows:
        for name in (row.at, row.to):
            if name and name not in participants:
                participants.append(name)
    return Timeline(rows, participants, title=f"timeline of {instance_id}")


def _row(r, sent_before: set[str]) -> Row | None:
    base = dict(seq=r.seq, time=r.time)
    if r.kind == h.SENT:
        again = r.message_id in sent_before
        sent_before.add(r.message_id)
        return Row(**base, kind="command", at=r.sender, to=r.receiver,
                   text=("↻ " if again else "") + r.message_type)
    if r.kind == h.REPLIED:
        ok = r.detail.get("ok")
        text = "✓ ok" if ok else f"✗ {r.detail.get('error', '')[:60]}"
        return Row(**base, kind="reply", at=r.sender, to=r.receiver, text=text)
    if r.kind == h.PUBLISHED:
        subscribers = r.detail.get("subscribers") or []
        if not subscribers:
            return Row(**base, kind="event", at=r.sender, text=f"⚑ {r.message_type} (no one listens)")
        return Row(**base, kind="event", at=r.sender, to=subscribers[0],
                   text=f"⚑ {r.message_type}" + (f" (+{len(subscribers) - 1} more)"
                                                  if len(subscribers) > 1 else ""))
    if r.kind == h.STATE:
        to = r.detail["to"]
        undoing = to.startswith("compensating_")
        return Row(**base, kind="undo" if undoing else "state", at=r.sender,
                   text=("↺ " if undoing else "● ") + to)
    if r.kind == h.RETRIED:
        return Row(**base, kind="retry", at=r.sender or r.receiver,
                   text=f"↻ retry {r.detail.get('attempt', '')} in {r.detail.get('after', '')}s")
    if r.kind == h.TIMED_OUT:
        return Row(**base, kind="timeout", at=r.receiver,
                   text=f"⏱ no reply to {r.message_type} in {r.detail.get('timeout')}s")
    if r.kind in (h.FAILED, h.UNAVAILABLE, h.LOST):
        where = r.receiver if r.kind == h.FAILED and r.receiver else (r.sender or r.receiver)
        if r.kind == h.FAILED and "compensation" in r.detail:
            text = f"✗ undo {r.detail['compensation']} gave up: {r.detail['then']}"
        elif r.kind == h.FAILED:
            text = f"✗ {r.message_type}: {str(r.detail.get('error', ''))[:72]}"
        else:
            where = r.receiver
            text = f"✗ {r.receiver} is down: {r.message_type} " + (
                "lost" if r.kind == h.LOST else "refused")
        return Row(**base, kind="failure", at=where, text=text)
    if r.kind == h.DUPLICATE:
        return Row(**base, kind="duplicate", at=r.receiver, text=f"≡ {r.message_type} again: ignored")
    if r.kind == h.HANDLED:
        return Row(**base, kind="handled", at=r.receiver, text=f"✓ {r.message_type} done")
    return None


_LOOK = {  # kind: (colour, dash pattern)
    "command": (BLUE, ""), "reply": (INK, "6 4"), "event": (PURPLE, "2 3"),
    "state": (ORANGE, ""), "undo": (PURPLE, ""), "retry": (ORANGE, ""), "timeout": (VERMILLION, ""),
    "failure": (VERMILLION, ""), "duplicate": (GREY, ""), "handled": (GREY, ""),
}


def _svg(timeline: Timeline) -> str:
    names = timeline.participants or ["(nothing yet)"]
    x = {name: LEFT + COLUMN // 2 + i * COLUMN for i, name in enumerate(names)}
    width = LEFT + COLUMN * len(names) + 420  # room for the notes beside the last lifeline
    height = TOP + ROW * (len(timeline.rows) + 1) + 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" '
           'font-size="11">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
           'fill="context-stroke"/></marker></defs>',
           f'<rect width="100%" height="100%" fill="{PAPER}"/>',
           f'<text x="8" y="16" font-weight="bold">{escape(timeline.title)}</text>']
    for name in names:
        out.append(f'<rect x="{x[name] - 60}" y="24" width="120" height="20" rx="4" '
                   f'fill="{PAPER}" stroke="{INK}"/>'
                   f'<text x="{x[name]}" y="38" text-anchor="middle">{escape(name)}</text>'
                   f'<line x1="{x[name]}" y1="44" x2="{x[name]}" y2="{height - 10}" '
                   f'stroke="{GREY}" stroke-dasharray="3 3"/>')
    for i, row in enumerate(timeline.rows):
        y = TOP + ROW * (i + 1)
        colour, dash = _LOOK[row.kind]
        out.append(f'<text x="6" y="{y + 4}" fill="{GREY}" class="t">t={row.time:g}s</text>')
        if row.to and row.to in x and row.to != row.at:
            x1, x2 = x[row.at], x[row.to]
            out.append(f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{colour}" '
                       f'stroke-width="1.6"{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""} '
                       f'marker-end="url(#arrow)" class="{row.kind}"/>')
            out.append(f'<text x="{(x1 + x2) / 2}" y="{y - 4}" text-anchor="middle" '
                       f'fill="{INK}">{escape(row.text)}</text>')
        else:
            cx = x.get(row.at, LEFT)
            out.append(f'<rect x="{cx - 6}" y="{y - 6}" width="12" height="12" rx="3" '
                       f'fill="{colour}" stroke="{INK}" class="{row.kind}"/>'
                       f'<text x="{cx + 10}" y="{y + 4}" fill="{INK}">{escape(row.text)}</text>')
    out.append("</svg>")
    return "\n".join(out)
