"""Rendering DOT to SVG with nothing but what pip installed.

The ``graphviz`` package only writes DOT; drawing it needs a ``dot`` program. A learner's
laptop has none, so orchestra depends on ``graphviz-pure`` (a self-contained port of
Graphviz that pip installs as the ``graphviz-pure`` command) and looks for, in order:

1. ``graphviz-pure`` next to this Python (kernels often run without the venv on PATH),
2. ``graphviz-pure`` on PATH,
3. a system ``dot``.

When none can be found or it fails, views show the DOT text with a one-line hint instead
of a traceback. :func:`use_for_graphviz_package` lets the ``graphviz`` package (and
``transitions``' diagrams) draw with the same program.
"""
from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

log = logging.getLogger(__name__)

PURE = "graphviz-pure"
HINT = ("No Graphviz renderer was found, so here is the diagram's DOT text. "
        "Reinstall the course (pip install -e .) to get graphviz-pure, which draws it.")


class RenderUnavailable(RuntimeError):
    """No program could turn DOT into SVG; the message says what to install."""


@functools.lru_cache(maxsize=None)
def dot_program() -> str | None:
    """The path of the program that renders DOT, or None if there is none."""
    suffix = ".exe" if sys.platform == "win32" else ""
    candidates = [os.path.join(sysconfig.get_path("scripts"), PURE + suffix),
                  os.path.join(os.path.dirname(sys.executable), PURE + suffix)]
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(PURE) or shutil.which("dot")


def render_svg(dot_source: str, timeout: float = 20.0) -> str:
    """The SVG drawing of ``dot_source``; raises :class:`RenderUnavailable` when it cannot."""
    program = dot_program()
    if program is None:
        raise RenderUnavailable(HINT)
    try:
        done = subprocess.run([program, "-Tsvg"], input=dot_source.encode("utf-8"),
                              capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RenderUnavailable(f"{program} could not draw the diagram ({error}).") from None
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip()[:300]
        raise RenderUnavailable(f"{program} could not draw the diagram: {message}")
    return done.stdout.decode("utf-8")


def use_for_graphviz_package() -> str | None:
    """Put a ``dot`` that runs graphviz-pure first on PATH, for the ``graphviz`` package.

    Returns the folder added to PATH, or None when a ``dot`` was already there or no
    renderer exists.
    """
    program = dot_program()
    if program is None or os.path.basename(program).startswith("dot") or shutil.which("dot"):
        return None
    folder = os.path.join(tempfile.gettempdir(), f"orchestra-dot-{os.getuid() if hasattr(os, 'getuid') else 'user'}")
    os.makedirs(folder, exist_ok=True)
    target = os.path.join(folder, "dot.exe" if sys.platform == "win32" else "dot")
    if not os.path.exists(target):
        try:
            os.symlink(program, target)
        except (OSError, NotImplementedError):
            shutil.copy2(program, target)  # Windows without symlink rights: a copy works too
    os.environ["PATH"] = folder + os.pathsep + os.environ.get("PATH", "")
    return folder


class Diagram:
    """A DOT diagram that Jupyter shows as SVG (or as DOT text with a hint when it cannot)."""

    def __init__(self, dot_source: str, title: str = ""):
        self.source = dot_source
        self.title = title
        self._svg: str | None = None

    def svg(self) -> str:
        """The SVG drawing; raises :class:`RenderUnavailable` when nothing can draw it."""
        if self._svg is None:
            self._svg = render_svg(self.source)
        return self._svg

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            return {"image/svg+xml": self.svg(), "text/plain": self.title or "diagram"}
        except RenderUnavailable as why:
            log.info("showing DOT text instead of a drawing: %s", why)
            return {"text/plain": f"{why}\n\n{self.source}"}

    def __repr__(self) -> str:
        return f"<Diagram {self.title!r}: {len(self.source)} characters of DOT>"
