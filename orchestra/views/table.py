"""History table: the records as an HTML table, newest last, for Jupyter to show."""
from __future__ import annotations

from html import escape

COLUMNS = ("seq", "time", "kind", "correlation_id", "sender", "receiver", "message_type")


def history_table(records, limit: int = 200) -> str:
    """An HTML table of the first ``limit`` records, saying how many more there are."""
    records = list(records)
    head = "".join(f"<th>{escape(c)}</th>" for c in COLUMNS) + "<th>detail</th>"
    rows = []
    for r in records[:limit]:
        detail = {k: v for k, v in r.detail.items() if k != "message"}
        cells = "".join(f"<td>{escape(str(getattr(r, c)))}</td>" for c in COLUMNS)
        rows.append(f"<tr>{cells}<td>{escape(str(detail))[:160]}</td></tr>")
    more = (f"<p>… and {len(records) - limit} more records "
            "(query with for_instance, for_service, of_kind or where)</p>"
            if len(records) > limit else "")
    return (f"<p>history: {len(records)} records</p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{more}")


class Table:
    """Rows under a header: an HTML table in Jupyter, aligned text anywhere else."""

    def __init__(self, rows, header=()):
        self.header = tuple(str(h) for h in header)
        self.rows = [tuple(row) for row in rows]

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{escape(h)}</th>" for h in self.header)
        body = "".join("<tr>" + "".join(f"<td>{escape(_cell(v))}</td>" for v in row) + "</tr>"
                       for row in self.rows)
        return (f"<table>{f'<thead><tr>{head}</tr></thead>' if head else ''}"
                f"<tbody>{body}</tbody></table>")

    def __repr__(self) -> str:
        lines = ([self.header] if self.header else []) + [tuple(_cell(v) for v in row)
                                                          for row in self.rows]
        widths = [max(len(line[i]) for line in lines if i < len(line))
                  for i in range(max((len(line) for line in lines), default=0))]
        return "\n".join("  ".join(text.ljust(width) for text, width in zip(line, widths)).rstrip()
                         for line in lines)


def table(rows, header=()) -> Table:
    """Show ``rows`` (tuples) under ``header`` as a table: ``table([("o-1", "completed")], ["order", "state"])``."""
    return Table(rows, header)


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value) or "–"
    return str(value)
