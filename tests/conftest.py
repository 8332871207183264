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
