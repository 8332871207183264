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
