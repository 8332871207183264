"""Widgets: the playground panel, a thin layer of ipywidgets over :class:`Playground`.

Every control calls one public Playground method (the same ones the tests call), then
redraws the views. Nothing here decides anything about the shop.
"""
from __future__ import annotations

import html

import ipywidgets as w

from .playground import STYLES, Playground
from .render import RenderUnavailable


def diagram_html(diagram) -> str:
    """A diagram as inline SVG for an HTML widget, or its DOT text with a hint."""
    try:
        svg = diagram.svg()
    except RenderUnavailable as why:
        return f"<p>{html.escape(str(why))}</p><pre>{html.escape(diagram.source)}</pre>"
    svg = svg[svg.find("<svg"):]  # drop the XML prologue: this goes inside a page
    # Fit the panel's width instead of making the learner scroll sideways.
    return svg.replace("<svg", '<svg style="max-width:100%;height:auto"', 1)


class PlaygroundPanel:
    """Per-service switches, run / step / reset, a seed, a time-travel slider, and live views.

    Each service's row: down, fail next (one try), fail its command (every try), fail its
    compensation, and added latency.
    """

    def __init__(self, playground: Playground | None = None, **options):
        self.playground = playground or Playground(**options)
        self.controls: dict[str, dict[str, w.Widget]] = {}
        rows = []
        for service in self.playground.services:
            switches = self.playground.switches[service]
            controls = {
                "down": w.ToggleButton(value=switches["down"], description="down",
                                       icon="power-off", tooltip=f"take {service} down",
                                       layout=w.Layout(width="90px")),
                "fail_next": w.Button(description="fail next", icon="bolt",
                                      tooltip=f"fail only {service}'s next try",
                                      layout=w.Layout(width="100px")),
                "fail_command": w.Checkbox(value=switches["fail_command"],
                                           description="fail its command", indent=False),
                "fail_compensation": w.Checkbox(value=switches["fail_compensation"],
                                                description="fail its compensation", indent=False),
                "latency": w.FloatSlider(value=switches["latency"], min=0, max=5, step=0.25,
                                         description="latency s", readout_format=".2f"),
            }
            controls["down"].observe(self._on(self.playground.set_down, service), "value")
            controls["fail_next"].on_click(
                lambda _, service=service: self._act(self.playground.fail_next, service))
            controls["fail_command"].observe(
                self._on(self.playground.set_fail_command, service), "value")
            controls["fail_compensation"].observe(
                self._on(self.playground.set_fail_compensation, service), "value")
            controls["latency"].observe(self._on(self.playground.set_latency, service), "value")
            self.controls[service] = controls
            rows.append(w.HBox([w.Label(service, layout=w.Layout(width="80px")),
                                *controls.values()]))
        self.style = w.ToggleButtons(options=STYLES, value=self.playground.style)
        self.seed = w.BoundedIntText(value=self.playground.seed, min=0, max=10**9,
                                     description="seed", layout=w.Layout(width="160px"))
        self.run_button = w.Button(description="run", icon="play", button_style="primary")
        self.step_button = w.Button(description="step", icon="step-forward")
        self.reset_button = w.Button(description="reset", icon="undo")
        self.slider = w.IntSlider(value=0, min=0, max=0, description="time travel",
                                  continuous_update=False, layout=w.Layout(width="60%"))
        self.now_button = w.Button(description="now", icon="fast-forward")
        self.status = w.HTML()
        self.saga_html = w.HTML()
        self.timeline_html = w.HTML()
        self.style.observe(lambda change: self._act(self.playground.set_style, change["new"]),
                           "value")
        self.seed.observe(lambda change: self._act(self.playground.set_seed, change["new"]),
                          "value")
        self.run_button.on_click(lambda _: self._act(self.playground.run))
        self.step_button.on_click(lambda _: self._act(self.playground.step))
        self.reset_button.on_click(lambda _: self._act(self.playground.reset))
        self.now_button.on_click(lambda _: self._act(self.playground.travel, None))
        self.slider.observe(self._on_slider, "value")
        self.widget = w.VBox([
            w.HBox([self.style, self.seed]), *rows,
            w.HBox([self.run_button, self.step_button, self.reset_button]),
            w.HBox([self.slider, self.now_button]), self.status,
            self.saga_html, self.timeline_html])
        self.widget.add_class("orchestra-playground")
        # Hooks for the browser test (and anyone styling the page); they change nothing else.
        self.saga_html.add_class("orchestra-saga-view")
        self.timeline_html.add_class("orchestra-timeline-view")
        self._travelling = False
        self.refresh()

    def _on(self, method, service):
        return lambda change: self._act(method, service, change["new"])

    def _act(self, method, *args) -> None:
        method(*args)
        self.refresh()

    def _on_slider(self, change) -> None:
        if self._travelling:
            return
        self._act(self.playground.travel, change["new"])

    def refresh(self) -> None:
        """Redraw the status line, the saga view and the timeline; move the slider to match."""
        playground = self.playground
        last = max(0, playground.history_length - 1)
        self._travelling = True  # moving the slider here is not the learner travelling
        try:
            self.slider.max = last
            self.slider.value = last if playground.position is None else playground.position
        finally:
            self._travelling = False
        self.status.value = (f"<b>order o-1: {html.escape(playground.state)}</b> · "
                             f"{html.escape(playground.moment())}")
        self.saga_html.value = diagram_html(playground.saga_view())
        self.timeline_html.value = playground.timeline_view().svg()

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)


def playground(style: str = "orchestration", transport: str = "queued", seed: int = 0):
    """The playground panel, ready to show in a notebook cell."""
    return PlaygroundPanel(Playground(style=style, transport=transport, seed=seed))
