"""The playground panel: tests set values and click buttons, then read state and the DOT source."""
import re

import ipywidgets

from orchestra.widgets import PlaygroundPanel, diagram_html


def current_state(panel) -> str:
    """The state drawn with the thick double border in the saga view's DOT source."""
    match = re.search(r'^\s*"(\w+)" \[label="[^"]*", shape="\w+", style="[^"]*", '
                      r'fillcolor="[^"]*", color="[^"]*", penwidth="3"', 
                      panel.playground.saga_view().source, re.M)
    return match.group(1)


def test_the_panel_has_a_row_of_controls_for_every_service():
    panel = PlaygroundPanel()
    assert set(panel.controls) == {"inventory", "payment", "shipping"}
    for controls in panel.controls.values():
        assert set(controls) == {"down", "fail_next", "fail_command", "fail_compensation",
                                 "latency"}
    assert isinstance(panel.widget, ipywidgets.VBox)


def test_ticking_fail_payment_then_clicking_run_turns_the_saga_view_to_compensated():
    panel = PlaygroundPanel()
    panel.controls["payment"]["fail_command"].value = True
    panel.run_button.click()
    assert panel.playground.state == "compensated"
    assert current_state(panel) == "compensated"
    assert "<svg" in panel.saga_html.value and "compensated" in panel.saga_html.value
    assert "compensated" in panel.status.value


def test_moving_the_time_travel_slider_changes_the_views_and_now_comes_back():
    panel = PlaygroundPanel()
    panel.run_button.click()
    end_saga, end_timeline = panel.saga_html.value, panel.timeline_html.value
    assert panel.slider.max == panel.playground.history_length - 1
    panel.slider.value = 4
    assert panel.playground.position == 4
    assert current_state(panel) == "reserving_stock"
    assert panel.saga_html.value != end_saga and panel.timeline_html.value != end_timeline
    panel.now_button.click()
    assert panel.playground.position is None and panel.saga_html.value == end_saga


def test_step_reset_and_seed_call_the_playground():
    panel = PlaygroundPanel()
    before = panel.playground.history_length
    panel.step_button.click()
    assert panel.playground.history_length > before
    panel.run_button.click()
    panel.reset_button.click()
    assert panel.playground.state == "not placed yet"
    panel.seed.value = 42
    assert panel.playground.seed == 42


def test_taking_shipping_down_and_back_up_from_the_panel():
    panel = PlaygroundPanel(transport="direct")
    panel.controls["shipping"]["down"].value = True
    panel.run_button.click()
    assert panel.playground.state == "compensated"  # a direct call to a down service is refused
    panel.controls["shipping"]["down"].value = False
    panel.reset_button.click()
    panel.run_button.click()
    assert panel.playground.state == "completed"


def test_the_latency_slider_slows_the_order_in_virtual_time():
    panel = PlaygroundPanel()
    panel.controls["inventory"]["latency"].value = 1.5  # under the step's 2 s time-out
    panel.run_button.click()
    assert panel.playground.state == "completed"
    assert panel.playground.world.clock.now > 1.5


def test_the_same_panel_switches_to_choreography():
    panel = PlaygroundPanel()
    panel.style.value = "choreography"
    panel.run_button.click()
    assert panel.playground.state == "approved"
    assert "approved" in panel.saga_html.value


def test_a_view_that_cannot_be_drawn_shows_its_dot_text_in_the_panel(monkeypatch):
    from orchestra import render
    monkeypatch.setattr(render, "dot_program", lambda: None)
    panel = PlaygroundPanel()
    assert "<pre>" in panel.saga_html.value and "digraph" in panel.saga_html.value
    assert diagram_html(panel.playground.saga_view()).startswith("<p>No Graphviz renderer")


def test_fail_next_is_absorbed_by_the_services_own_retry_and_shows_on_the_timeline():
    panel = PlaygroundPanel()
    panel.controls["payment"]["fail_next"].click()
    panel.run_button.click()
    assert panel.playground.state == "completed"  # payment retried by itself, then charged
    rows = panel.playground.timeline_view().rows
    assert [row.kind for row in rows if row.at == "payment"][:1] == ["failure"]
    assert "injected failure" in panel.timeline_html.value
