"""The course: every notebook executed top to bottom in a fresh kernel, as CI runs them."""
from __future__ import annotations

import importlib.util
import time
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def notebooks() -> list[Path]:
    """Every notebook of the course, in order."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def execute(path: Path) -> tuple[float, str]:
    """Seconds to run one notebook top to bottom, and its first error ("" when none)."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    try:
        NotebookClient(notebook, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    except Exception as error:  # a failing cell: still report how long it took to fail
        last = (str(error).strip().splitlines() or [""])[-1]
        return time.perf_counter() - started, f"{type(error).__name__}: {last[:100]}"
    return time.perf_counter() - started, ""


def missing_tools() -> str:
    """Why the notebooks cannot run here, or "" when they can."""
    for tool in ("nbclient", "nbformat", "ipykernel"):
        if importlib.util.find_spec(tool) is None:
            return f"{tool} is not installed; pip install -e \".[test]\" to run the course"
    return ""
