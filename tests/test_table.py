"""The small table notebooks show: HTML in Jupyter, aligned text elsewhere."""
from orchestra.views.table import table


def test_a_table_of_orders_shows_as_html_with_its_header_and_one_row_per_order():
    shown = table([("o-1", "completed", 0.06), ("o-2", "compensated", 1.5)],
                  ["order", "state", "seconds"])._repr_html_()
    assert shown.count("<tr>") == 3
    assert "<th>state</th>" in shown and "<td>compensated</td>" in shown and "<td>0.06</td>" in shown


def test_a_table_reads_as_aligned_text_outside_jupyter():
    text = repr(table([("o-1", ["reserving_stock", "charging_payment"]), ("o-22", [])],
                      ["order", "steps done"]))
    assert text.splitlines() == ["order  steps done",
                                 "o-1    reserving_stock, charging_payment",
                                 "o-22   –"]


def test_cells_are_escaped_in_html():
    assert "&lt;b&gt;" in table([("<b>",)])._repr_html_()
