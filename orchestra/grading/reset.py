"""Reset a learner's exercise to its starter, keeping their version as a backup (nothing lost).

The starter is the committed version of the file (``git show HEAD:exercises/exNN_...py``),
so reset works in the course's git checkout; the learner's file is first copied to
``exercises/.backup/``, timestamped, so a reset by mistake can be undone by hand.
"""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from ..errors import GradingError
from .catalogue import Exercise


def reset_exercise(folder: Path, exercise: Exercise) -> Path | None:
    """Restore ``exercise`` in ``folder`` to its starter; returns the backup made, if any."""
    folder = Path(folder).resolve()
    target = folder / exercise.filename
    starter = _committed(folder, exercise.filename)
    backup = None
    if target.exists():
        if target.read_bytes() == starter:
            return None
        backups = folder / ".backup"
        backups.mkdir(exist_ok=True)
        backup = backups / f"{target.stem}.{time.strftime('%Y%m%d-%H%M%S')}.py"
        shutil.copy2(target, backup)
    target.write_bytes(starter)
    return backup


def _committed(folder: Path, filename: str) -> bytes:
    try:
        top = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
        relative = (folder / filename).relative_to(Path(top).resolve()).as_posix()
        return subprocess.run(["git", "-C", top, "show", f"HEAD:{relative}"],
                              capture_output=True, check=True).stdout
    except (OSError, ValueError, subprocess.CalledProcessError):
        raise GradingError(
            f"cannot find the starter of {filename}: {folder} is not inside the course's git "
            "checkout (or the file was never committed). Copy the file from a fresh download "
            "of the course's exercises/ folder instead") from None
