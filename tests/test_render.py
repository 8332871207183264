"""Rendering works with only what pip installed, and never shows a traceback instead of a view."""
import pytest

from orchestra import render
from orchestra.render import Diagram, RenderUnavailable


@pytest.fixture
def no_system_path(monkeypatch):
    """A PATH with no dot and no graphviz-pure on it, like a kernel started outside the venv."""
    monkeypatch.setenv("PATH", "/nonexistent")
    render.dot_program.cache_clear()
    yield
    render.dot_program.cache_clear()


def test_real_svg_is_drawn_with_no_dot_on_path(no_system_path):
    svg = render.render_svg('digraph { "red dress" -> "shipped" }')
    assert "<svg" in svg and "red dress" in svg and "shipped" in svg
    assert "graphviz-pure" in render.dot_program()


def test_when_nothing_can_draw_the_view_shows_the_dot_text_and_a_hint(monkeypatch):
    monkeypatch.setattr(render, "dot_program", lambda: None)
    diagram = Diagram('digraph { "red dress" -> "shipped" }', title="the order")
    with pytest.raises(RenderUnavailable, match="pip install"):
        diagram.svg()
    bundle = diagram._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert "graphviz-pure" in bundle["text/plain"]
    assert '"red dress" -> "shipped"' in bundle["text/plain"]


def test_a_renderer_that_fails_gives_its_message_not_a_traceback(monkeypatch, tmp_path):
    broken = tmp_path / "dot"
    broken.write_text("#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setattr(render, "dot_program", lambda: str(broken))
    bundle = Diagram("digraph {")._repr_mimebundle_()
    assert "syntax error in line 1" in bundle["text/plain"]


def test_the_graphviz_package_can_draw_through_graphviz_pure(no_system_path):
    import graphviz
    folder = render.use_for_graphviz_package()
    assert folder is not None
    svg = graphviz.Source('digraph { a -> b }').pipe(format="svg").decode()
    assert "<svg" in svg
