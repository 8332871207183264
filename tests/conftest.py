"""Small fixtures shared by the foundation tests: the shop, ready to sell the red dress.

Message classes defined in test files carry a per-file prefix (``Msgs``, ``Svc``, ...):
JSON names a message by its class name, so names must be unique in the whole process.
"""
from __future__ import annotations

import pytest

from orchestra.shop import CATALOGUE, ChargePayment, build_world

RED_DRESS = CATALOGUE["red-dress"]


@pytest.fixture
def shop():
    """The shop on direct calls (request/response), ten red dresses on the shelf."""
    return build_world("direct", seed=7)


@pytest.fixture
def queued_shop():
    """The shop on queues (a broker between every service)."""
    return build_world("queued", seed=7)


@pytest.fixture
def charge_ada():
    """The command that charges customer ada for one red dress."""
    return ChargePayment(order_id="order-1", customer="ada", amount_cents=RED_DRESS)


def pytest_terminal_summary(terminalreporter):
    """After the run, say how long each notebook took to execute (CI's log keeps it)."""
    timings = [(report.nodeid.split("[")[-1].rstrip("]"), dict(report.user_properties)["seconds"])
               for report in terminalreporter.stats.get("passed", []) +
               terminalreporter.stats.get("failed", [])
               if report.when == "call" and "seconds" in dict(report.user_properties)]
    if timings:
        terminalreporter.section("notebooks: execution time")
        for name, seconds in sorted(timings):
            terminalreporter.write_line(f"{name:45} {seconds:6.1f} s")
        terminalreporter.write_line(f"{'the whole course':45} {sum(s for _, s in timings):6.1f} s")
