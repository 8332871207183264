"""A throwaway JupyterLab server for the browser test: a free local port, a token, and
configuration in a temporary folder, so nothing of the user's own Jupyter set-up (or of a
previous run) leaks in, and nothing outlives the test.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# User settings written into the temporary configuration: no "get notified about Jupyter
# news?" pop-up over the outputs, and every cell kept in the page (not windowed away).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                     "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab: where it is, how to get in, what it serves, where it logs."""

    url: str
    token: str
    root: Path
    log: Path

    def page(self, path: str) -> str:
        """The URL that opens ``path`` (relative to the served folder) in JupyterLab."""
        return f"{self.url}/lab/tree/{path}?token={self.token}"

    def api(self, path: str):
        """GET a REST API path; returns the decoded JSON."""
        request = urllib.request.Request(f"{self.url}/api/{path}",
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def log_tail(self, lines: int = 40) -> str:
        """The server's last log lines, to explain a failure."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _write_settings(config_dir: Path) -> None:
    for plugin, settings in LAB_SETTINGS.items():
        path = config_dir / "lab" / "user-settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR"):
        folder = home / name.lower()
        folder.mkdir()
        env[name] = str(folder)
    # The kernel is this interpreter's: the server runs on sys.executable, whose environment
    # holds ipykernel's python3 kernelspec; its scripts folder goes first on PATH too.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONUNBUFFERED"] = "1"
    return env


@contextmanager
def jupyterlab(notebooks: Path, workdir: Path, start_timeout: float = 90.0):
    """Serve a copy of ``notebooks`` with JupyterLab; yields a :class:`Lab`; always stops it."""
    root = workdir / "notebooks"
    shutil.copytree(notebooks, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    # The notebooks' check() cells grade ../exercises, as in the course's own folder.
    exercises = notebooks.parent / "exercises"
    if exercises.is_dir():
        shutil.copytree(exercises, workdir / "exercises",
                        ignore=shutil.ignore_patterns(".backup", "__pycache__"))
    env = _environment(workdir)
    _write_settings(Path(env["JUPYTER_CONFIG_DIR"]))
    token, port = secrets.token_hex(16), free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # as root it refuses to start without this
    log = workdir / "jupyterlab.log"
    lab = Lab(f"http://127.0.0.1:{port}", token, root, log)
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=log_file,
            stderr=subprocess.STDOUT, **_own_process_group())
        try:
            _wait_until_ready(lab, process, start_timeout)
            yield lab
        finally:
            stop(process)


def _own_process_group() -> dict:
    if os.name == "posix":
        return {"start_new_session": True}
    return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}


def _wait_until_ready(lab: Lab, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {process.returncode} before it "
                               f"was ready:\n{lab.log_tail()}")
        try:
            lab.api("status")
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise TimeoutError(f"JupyterLab did not answer /api/status within {timeout:g} s:\n"
                       f"{lab.log_tail()}")


def stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the server (it shuts its kernels down), then kill its process group."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    if os.name == "posix":
        try:  # anything left in the server's own session: the server itself, helpers
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    elif process.poll() is None:
        process.kill()
    process.wait(5)
