"""One palette for every view: Okabe–Ito colours, each status with a second cue besides colour.

About one man in twelve cannot tell red from green, so no view relies on colour alone:
every status also has a symbol in its label and a line style. Diagrams sit on a white
card, so they read the same in JupyterLab's light and dark themes.
"""
ORANGE, SKY, GREEN, YELLOW = "#E69F00", "#56B4E9", "#009E73", "#F0E442"
BLUE, VERMILLION, PURPLE, GREY = "#0072B2", "#D55E00", "#CC79A7", "#999999"
INK, PAPER = "#000000", "#FFFFFF"

# status: (fill, border style, symbol, what the legend calls it)
STATUS = {
    "not_started": (PAPER, "dashed", "", "not started"),
    "running": (YELLOW, "solid", "▶", "running now"),
    "done": (SKY, "solid", "✓", "done"),
    "failed": (VERMILLION, "bold", "✗", "failed"),
    "undone": (PURPLE, "dashed", "↺", "undone (compensated)"),
    "completed": (GREEN, "solid", "✓", "completed"),
    "ended_undone": (PURPLE, "solid", "↺", "ended undone"),
    "ended_failed": (VERMILLION, "bold", "✗", "ended failed"),
}


def quote(text: str) -> str:
    """``text`` as a DOT double-quoted string."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def attributes(**attrs) -> str:
    """DOT attributes in brackets, e.g. ``[label="x", color="#000"]``."""
    return "[" + ", ".join(f"{k}={quote(v)}" for k, v in attrs.items()) + "]"


GRAPH_HEADER = (f'  graph [bgcolor="{PAPER}", pad="0.3", fontname="Helvetica", fontsize="11"];\n'
                f'  node [fontname="Helvetica", fontsize="11", fontcolor="{INK}"];\n'
                f'  edge [fontname="Helvetica", fontsize="9", fontcolor="{INK}"];\n')
