"""The course in a real browser: what a learner sees in JupyterLab, end to end.

Widgets that work in a headless kernel can still fail in the page (a version mismatch
between ipywidgets and JupyterLab's widget extension shows "Error displaying widget" to
every learner). So these tests start JupyterLab on a copy of the notebooks, open the
welcome notebook in headless Chromium (Debian's ``chromium``, driven by Playwright, which
downloads no browser here), run every cell, and click the playground as a learner would.

Without a browser they are skipped, saying what to install; where ORCHESTRA_REQUIRE_BROWSER=1
(``.ci/run`` sets it) or CI is set, they fail instead, so CI cannot pass by skipping them.
A screenshot of the playground lands in ``artifacts/playground.png``.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from lab_server import jupyterlab

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the course's own install has no test tools
    sync_playwright = None

REPO = Path(__file__).parent.parent
NOTEBOOK = "00_welcome.ipynb"
ARTIFACTS = REPO / "artifacts"
ENDINGS = ("completed", "compensated", "partially_compensated", "compensation_failed")
WAIT_MS = 90_000  # generous: a cold kernel on a busy 2-core CI machine
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run"]
INSTALL_HINT = ("install Debian's Chromium (sudo apt-get install chromium), or set "
                "ORCHESTRA_CHROMIUM to a Chromium or Chrome executable")

# The saga view's current state: the graphviz node drawn with the thick (penwidth 3) border.
CURRENT_STATE_JS = """root => {
    const svg = root.querySelector('.orchestra-saga-view svg');
    if (!svg) return null;
    for (const node of svg.querySelectorAll('g.node')) {
        if (node.querySelector('[stroke-width="3"]'))
            return node.querySelector('title').textContent.trim();
    }
    return null;
}"""


def browser_required() -> bool:
    """True where a missing browser is a failure, not a skip: ORCHESTRA_REQUIRE_BROWSER, else CI."""
    flag = os.environ.get("ORCHESTRA_REQUIRE_BROWSER")
    if flag is None:
        flag = os.environ.get("CI", "")
    return flag.strip().lower() not in ("", "0", "false", "no")


def find_chromium() -> str | None:
    """A Chromium to drive: Debian's, or another one on PATH."""
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome",
                 "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def skip_or_fail(reason: str) -> None:
    if browser_required():
        pytest.fail(f"{reason}; this run requires the browser test "
                    "(ORCHESTRA_REQUIRE_BROWSER=1 or CI is set)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> str:
    """The browser's path, or a skip that says what to install."""
    if sync_playwright is None:
        skip_or_fail("the browser test needs Playwright for Python: pip install -e '.[test]'")
    chosen = os.environ.get("ORCHESTRA_CHROMIUM")
    if chosen and not Path(chosen).is_file():
        skip_or_fail(f"ORCHESTRA_CHROMIUM={chosen} is not a file: {INSTALL_HINT}")
    path = chosen or find_chromium()
    if path is None:
        skip_or_fail(f"no Chromium found for the browser test: {INSTALL_HINT}")
    return path


@pytest.fixture(scope="module")
def lab(chromium, tmp_path_factory):
    """JupyterLab serving a temporary copy of notebooks/, stopped whatever happens."""
    with jupyterlab(REPO / "notebooks", tmp_path_factory.mktemp("jupyterlab")) as server:
        yield server


@pytest.fixture(scope="module")
def browser(chromium):
    """Headless Chromium, closed whatever happens."""
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="module")
def page_errors() -> list[str]:
    """Uncaught JavaScript errors in the page (the notebook fixture collects them)."""
    return []


@pytest.fixture(scope="module")
def notebook(lab, browser, page_errors):
    """The welcome notebook open in JupyterLab, every cell run; yields the page."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.set_default_timeout(WAIT_MS)
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        page.goto(lab.page(NOTEBOOK))
        kernel_idle(page)
        page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
        page.locator('[data-command="runmenu:run-all"]').click()
        every_cell_ran(page)
        yield page
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        try:  # what the page looked like at the end: the first thing to look at on a failure
            page.screenshot(path=ARTIFACTS / "jupyterlab.png")
        except PlaywrightError:
            pass
        page.close()


def kernel_idle(page) -> None:
    """Wait until the status bar says the notebook's kernel is idle."""
    expect(page.locator('span[title^="Change kernel"]')).to_contain_text("Idle",
                                                                       timeout=WAIT_MS)


def every_cell_ran(page) -> None:
    """Wait until every code cell has an execution count and the kernel is idle again."""
    try:
        page.wait_for_function("""() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""", timeout=WAIT_MS)
        ran = True
    except PlaywrightTimeoutError:
        ran = False
    if not ran:
        prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
        pytest.fail(f"the cells did not all run within {WAIT_MS // 1000} s; their prompts: "
                    f"{prompts}", pytrace=False)
    kernel_idle(page)


def appears(locator, timeout_ms: int) -> bool:
    """True once ``locator`` is visible; False if it is not within the time."""
    try:
        locator.wait_for(state="visible", timeout=timeout_ms)
    except PlaywrightTimeoutError:
        return False
    return True


def playground(page):
    """The playground panel (the last one, should the notebook ever show two)."""
    return page.locator(".orchestra-playground").last


def button(panel, label: str):
    """The playground's button that reads ``label`` (its icon is not part of the text)."""
    return panel.locator("button", has_text=re.compile(rf"^{re.escape(label)}$"))


def current_state(panel) -> str | None:
    """The state the panel's saga view marks as where the order is now."""
    return panel.evaluate(CURRENT_STATE_JS)


def wait_for_state(panel, wanted) -> None:
    """Wait until the saga view's current state passes ``wanted(state)`` (JavaScript)."""
    panel.page.wait_for_function(f"panel => ({wanted})(({CURRENT_STATE_JS})(panel))",
                                 arg=panel.element_handle(), timeout=WAIT_MS)


def saga_svg(panel) -> str:
    return panel.locator(".orchestra-saga-view svg").inner_html()


def screenshot_whole(page, element, path: Path) -> None:
    """Save a picture of all of ``element``: the page grows until nothing of it scrolls away."""
    overflow = element.evaluate("el => ({wider: el.scrollWidth - el.clientWidth, "
                                "height: el.scrollHeight})")
    viewport = page.viewport_size
    page.set_viewport_size({"width": viewport["width"] + overflow["wider"] + 40,
                            "height": max(viewport["height"], overflow["height"] + 200)})
    try:
        page.wait_for_function("el => el.scrollWidth <= el.clientWidth",
                               arg=element.element_handle(), timeout=WAIT_MS)
        path.parent.mkdir(exist_ok=True)
        element.screenshot(path=path)
    finally:
        page.set_viewport_size(viewport)


def test_the_welcome_notebook_runs_every_cell_in_jupyterlab_without_an_error(notebook,
                                                                            page_errors):
    errors = notebook.evaluate("""() => {
        const panel = window.jupyterapp.shell.currentWidget;
        return panel.content.model.toJSON().cells
            .flatMap(cell => cell.outputs || [])
            .filter(output => output.output_type === 'error')
            .map(output => `${output.ename}: ${output.evalue}`);
    }""")
    assert errors == []
    shown = notebook.locator(".jp-OutputArea-output").all_inner_texts()
    assert not [text for text in shown if "Error displaying widget" in text
                or "Error rendering" in text]
    assert page_errors == []


def test_the_notebooks_kernel_is_this_environments_python(notebook):
    prefix = notebook.evaluate("""async () => {
        const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        const future = kernel.requestExecute({code: "import sys; print(sys.prefix, end='')",
                                              store_history: false});
        let printed = "";
        future.onIOPub = message => {
            if (message.header.msg_type === "stream") printed += message.content.text;
        };
        await future.done;
        return printed;
    }""")
    assert prefix == sys.prefix


def test_the_playground_widget_renders_with_its_controls_and_views(notebook):
    panel = playground(notebook)
    if not appears(panel, WAIT_MS // 3):
        cell = notebook.locator(".jp-CodeCell", has_text="playground()").last
        shown = cell.locator(".jp-OutputArea").inner_text()
        pytest.fail(f"the playground widget did not render; its cell shows: {shown[:300]!r}",
                    pytrace=False)
    expect(button(panel, "run")).to_be_visible()
    expect(panel.locator(".widget-slider", has_text="time travel")).to_be_visible()
    expect(panel.locator(".orchestra-saga-view svg")).to_be_visible()
    expect(panel.locator(".orchestra-timeline-view svg")).to_be_visible()
    expect(panel).to_contain_text("order o-1: not placed yet")


def test_failing_payments_command_then_run_turns_the_saga_view_to_compensated(notebook):
    panel = playground(notebook)
    payment = panel.locator(".widget-hbox").filter(
        has=notebook.locator(".widget-label", has_text=re.compile(r"^payment$")))
    payment.get_by_role("checkbox", name="fail its command").check()
    button(panel, "run").click()
    wait_for_state(panel, "state => state === 'compensated'")
    assert current_state(panel) == "compensated"
    expect(panel).to_contain_text("order o-1: compensated")
    screenshot_whole(notebook, panel, ARTIFACTS / "playground.png")


def test_moving_the_time_travel_slider_changes_the_saga_view_and_now_comes_back(notebook):
    panel = playground(notebook)
    button(panel, "run").click()  # a whole history to travel through (a no-op if it ran)
    wait_for_state(panel, f"state => {list(ENDINGS)}.includes(state)")
    at_the_end, state_at_the_end = saga_svg(panel), current_state(panel)
    slider = panel.locator(".widget-slider", has_text="time travel")
    handle = slider.get_by_role("slider")
    handle.focus()
    handle.press("Home")  # back to the first record, before the order got anywhere
    expect(slider.locator(".widget-readout")).to_have_text("0")
    wait_for_state(panel, f"state => state !== '{state_at_the_end}'")
    assert current_state(panel) in ("pending", "reserving_stock")
    assert saga_svg(panel) != at_the_end
    button(panel, "now").click()
    wait_for_state(panel, f"state => state === '{state_at_the_end}'")
    assert saga_svg(panel) == at_the_end
