"""Chart: a small SVG line chart, so a notebook can plot a measurement without matplotlib.

Each series gets an Okabe–Ito colour, and also a dash pattern and a marker shape of its
own, so the lines can be told apart without colour. Optional horizontal reference lines
mark a limit (a capacity, a service-level objective). Jupyter shows a :class:`Chart` as SVG.
"""
from __future__ import annotations

import math
from html import escape

from .style import BLUE, GREY, INK, ORANGE, PAPER, PURPLE, VERMILLION

_LOOKS = [(BLUE, "", "circle"), (ORANGE, "7 4", "square"), (PURPLE, "2 3", "diamond"),
          (VERMILLION, "10 3 2 3", "triangle")]
WIDTH, HEIGHT = 560, 330
LEFT, RIGHT, TOP, BOTTOM = 70, 170, 40, 50


class Chart:
    """Lines through points: ``{"name": [(x, y), ...]}``, shown as SVG."""

    def __init__(self, series: dict[str, list[tuple[float, float]]], *, title: str = "",
                 x_label: str = "", y_label: str = "", log_y: bool = False,
                 lines: dict[str, float] | None = None):
        if not series or not any(series.values()):
            raise ValueError("a chart needs at least one series with at least one point")
        if len(series) > len(_LOOKS):
            raise ValueError(f"a chart shows at most {len(_LOOKS)} series, not {len(series)}")
        if log_y and any(y <= 0 for points in series.values() for _, y in points):
            raise ValueError("log_y needs every y above 0")
        self.series = {name: sorted(points) for name, points in series.items()}
        self.title, self.x_label, self.y_label = title, x_label, y_label
        self.log_y = log_y
        self.lines = dict(lines or {})

    def svg(self) -> str:
        """The chart as an SVG document."""
        xs = [x for points in self.series.values() for x, _ in points]
        ys = [y for points in self.series.values() for _, y in points] + list(self.lines.values())
        x0, x1 = min(0.0, min(xs)), max(xs) or 1.0
        scale = (lambda v: math.log10(v)) if self.log_y else (lambda v: v)
        if self.log_y:  # from the round number (1, 2, 5 x 10^k) below to the one above
            steps = [m * 10 ** k for k in range(math.floor(math.log10(min(ys))),
                                                math.ceil(math.log10(max(ys))) + 1)
                     for m in (1, 2, 5)]
            y0 = scale(max([t for t in steps if t <= min(ys)], default=min(ys)))
            y1 = scale(min([t for t in steps if t >= max(ys)], default=max(ys)))
        else:  # from 0 to the first round tick at or above the highest value
            y0 = min(0.0, min(ys))
            top = max(ys) if max(ys) > y0 else y0 + 1.0
            y1 = min([t for t in _ticks(y0, top * 1.25) if t >= top], default=top)
        if y1 <= y0:
            y1 = y0 + 1.0
        plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

        def px(x):
            return LEFT + (x - x0) / (x1 - x0) * plot_w

        def py(y):
            return TOP + plot_h - (scale(y) - y0) / (y1 - y0) * plot_h

        out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
               f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="Helvetica, Arial, sans-serif" '
               'font-size="11">',
               f'<rect width="100%" height="100%" fill="{PAPER}"/>',
               f'<text x="{LEFT}" y="20" font-weight="bold" font-size="13">'
               f'{escape(self.title)}</text>',
               f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" '
               f'y2="{TOP + plot_h}" stroke="{INK}"/>',
               f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="{INK}"/>']
        for x in _ticks(x0, x1):
            out.append(f'<line x1="{px(x):.1f}" y1="{TOP + plot_h}" x2="{px(x):.1f}" '
                       f'y2="{TOP + plot_h + 4}" stroke="{INK}"/><text x="{px(x):.1f}" '
                       f'y="{TOP + plot_h + 16}" text-anchor="middle">{_number(x)}</text>')
        y_ticks = ([m * 10 ** k for k in range(math.floor(y0), math.ceil(y1) + 1)
                    for m in (1, 2, 5)] if self.log_y else _ticks(y0, y1))
        for y in y_ticks:
            if not y0 - 1e-9 <= scale(y) <= y1 + 1e-9:
                continue
            out.append(f'<line x1="{LEFT}" y1="{py(y):.1f}" x2="{LEFT + plot_w}" y2="{py(y):.1f}" '
                       f'stroke="{GREY}" stroke-width="0.4"/><text x="{LEFT - 6}" '
                       f'y="{py(y) + 4:.1f}" text-anchor="end">{_number(y)}</text>')
        out.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 10}" text-anchor="middle">'
                   f'{escape(self.x_label)}</text>')
        out.append(f'<text transform="translate(16 {TOP + plot_h / 2}) rotate(-90)" '
                   f'text-anchor="middle">{escape(self.y_label)}</text>')
        for label, y in self.lines.items():  # labelled inside the plot, just above the line
            out.append(f'<line x1="{LEFT}" y1="{py(y):.1f}" x2="{LEFT + plot_w}" y2="{py(y):.1f}" '
                       f'stroke="{INK}" stroke-dasharray="1 3"/><text x="{LEFT + 6}" '
                       f'y="{py(y) - 4:.1f}" fill="{INK}" font-size="10">'
                       f'┄ {escape(label)}</text>')
        for i, (name, points) in enumerate(self.series.items()):
            colour, dash, marker = _LOOKS[i]
            path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"'
                       + (f' stroke-dasharray="{dash}"' if dash else "") + f' class="series"/>')
            out += [_marker(marker, px(x), py(y), colour) for x, y in points]
            ly = TOP + 14 + 18 * i
            out.append(f'<line x1="{LEFT + plot_w + 10}" y1="{ly}" x2="{LEFT + plot_w + 34}" '
                       f'y2="{ly}" stroke="{colour}" stroke-width="2"'
                       + (f' stroke-dasharray="{dash}"' if dash else "") + "/>"
                       + _marker(marker, LEFT + plot_w + 22, ly, colour)
                       + f'<text x="{LEFT + plot_w + 40}" y="{ly + 4}">{escape(name)}</text>')
        out.append("</svg>")
        return "\n".join(out)

    def _repr_svg_(self) -> str:
        return self.svg()

    def __repr__(self) -> str:
        return f"<Chart {self.title!r}: {', '.join(self.series)}>"


def line_chart(series: dict[str, list[tuple[float, float]]], **options) -> Chart:
    """A :class:`Chart` of ``series`` (title, x_label, y_label, log_y, lines: see Chart)."""
    return Chart(series, **options)


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round numbers from ``low`` to ``high``, about ``count`` of them."""
    step = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(step))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10)), key=lambda s: abs(s - step))
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:g}"


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}" stroke="{INK}"/>'
    if shape == "square":
        return (f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" '
                f'fill="{colour}" stroke="{INK}"/>')
    if shape == "diamond":
        return (f'<path d="M {x:.1f} {y - 4.5:.1f} L {x + 4.5:.1f} {y:.1f} L {x:.1f} '
                f'{y + 4.5:.1f} L {x - 4.5:.1f} {y:.1f} z" fill="{colour}" stroke="{INK}"/>')
    return (f'<path d="M {x:.1f} {y - 4.5:.1f} L {x + 4.5:.1f} {y + 4:.1f} L {x - 4.5:.1f} '
            f'{y + 4:.1f} z" fill="{colour}" stroke="{INK}"/>')
