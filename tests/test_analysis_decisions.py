"""orchestra.analysis.decisions reads a component's code and lists its business decisions:
a God-service saga has some, a saga that only orchestrates has none."""
from __future__ import annotations

import pytest

from orchestra import Rejected, World
from orchestra.analysis import decisions, decisions_by_component
from orchestra.analysis.decisions import BRANCH, CALCULATION, RULE
from orchestra.orchestrator import Orchestrator
from orchestra.saga import Saga, Step
from orchestra.shop import (CancelShipment, ChargePayment, Inventory, Payment, RefundPayment,
                            ReleaseStock, ReserveStock, ScheduleShipment, Shipping)
from orchestra.shop.order import CATALOGUE, place_order_saga

LOYAL = {"ada"}
LIMIT = 2


def price_the_order(data):
    amount = CATALOGUE[data["sku"]] * data["quantity"]
    if data["customer"] in LOYAL:
        amount = amount * 90 // 100
    return {"amount_cents": amount}


def stock_rule(data):
    if data["quantity"] > LIMIT:
        raise Rejected("too many")
    return {}


def delegates(data):
    return price_the_order(data)  # the decisions are one call away


def god(charge=price_the_order, reserve=stock_rule) -> Saga:
    return Saga("place_order", [
        Step("reserving_stock", ReserveStock, compensation=ReleaseStock, prepare=reserve),
        Step("charging_payment", ChargePayment, compensation=RefundPayment, prepare=charge),
        Step("scheduling_shipment", ScheduleShipment, compensation=CancelShipment),
    ])


def test_a_saga_that_only_orchestrates_makes_no_decision():
    assert decisions(place_order_saga()).count == 0


def test_a_prepare_that_only_passes_data_on_makes_no_decision():
    renames = god(charge=lambda data: {"amount_cents": data["total_cents"]}, reserve=None)
    found = decisions(renames)
    assert found.count == 0 and len(found.functions) == 1


def test_the_god_saga_prices_and_applies_a_stock_rule_line_by_line():
    found = decisions(god())
    assert found.by_kind() == {BRANCH: 2, RULE: 0, CALCULATION: 2}
    assert [(d.function, d.kind, d.code) for d in found] == [
        ("stock_rule", BRANCH, "if data['quantity'] > LIMIT"),
        ("price_the_order", CALCULATION, "CATALOGUE[data['sku']] * data['quantity']"),
        ("price_the_order", BRANCH, "if data['customer'] in LOYAL"),
        ("price_the_order", CALCULATION, "amount * 90 // 100"),
    ]
    assert found.data_read == ["CATALOGUE", "LIMIT", "LOYAL"]
    lines = [d.line for d in found if d.function == "price_the_order"]
    assert lines == sorted(lines) and lines[0] > 0


def test_decisions_in_a_function_the_hook_calls_are_found_too():
    assert decisions(god(charge=delegates, reserve=None)).count == 3


def test_rules_and_formulas_used_as_values_count_once_each():
    def express(data):
        big = data["total"] > 20_000 and data["customer"] in LOYAL
        return {"express": big, "fee": max(0, 500 - data["total"] // 100),
                "label": "order " + data["order_id"], "note": f"{data['order_id']}"}
    found = decisions(express)
    assert [d.kind for d in found] == [RULE, CALCULATION]


def test_an_orchestrator_is_judged_by_its_sagas_and_a_service_by_its_handlers():
    world = World([Inventory(), Payment(), Shipping()])
    order = Orchestrator(world, god(), name="order")
    counts = decisions_by_component(world)
    assert counts["order"] == 4 and decisions(order).component == "order (orchestrator)"
    assert counts["inventory"] == decisions(Inventory).count > 0  # its own checks count too
    assert set(counts) == {"order", "inventory", "payment", "shipping"}  # not the client


def test_a_function_whose_source_cannot_be_read_counts_as_one_decision():
    namespace: dict = {}
    exec("def hidden(data):\n    return {}\n", namespace)
    found = decisions(namespace["hidden"])
    assert found.count == 1 and "source not available" in found.decisions[0].code


def test_decisions_shows_itself_as_a_table_and_refuses_what_it_cannot_read():
    html = decisions(god())._repr_html_()
    assert "<table>" in html and "price_the_order" in html and "CATALOGUE" in html
    assert "only passes data on" in decisions(place_order_saga())._repr_html_()
    with pytest.raises(TypeError, match="reads an Orchestrator, a Saga, a Service"):
        decisions(42)
