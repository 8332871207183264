"""Views are drawn from the history: the saga, who talks to whom, and the timeline of an order."""
import re

import pytest

from orchestra import Down, FailRandomly, Latency, World
from orchestra.orchestrator import Orchestrator
from orchestra.shop import Inventory, Payment, Shipping
from orchestra.shop.choreography import ENDINGS, MILESTONES, build_choreographed_world
from orchestra.shop.order import PlaceOrder, order_data, place_order_saga
from orchestra.views import saga_status, saga_view, timeline_view, topology_edges, topology_view
from orchestra.views.progress import progress_view
from orchestra.views.style import GREEN, PAPER, PURPLE, VERMILLION, YELLOW


def run_order(*faults, transport="direct"):
    saga = place_order_saga()
    shop = World([Inventory(), Payment(), Shipping()], transport=transport, seed=3)
    orchestrator = Orchestrator(shop, saga, name="order")
    for fault in faults:
        shop.faults.add(fault)
    orchestrator.start(saga, "o-1", **order_data("o-1"))
    shop.run()
    return saga, shop, orchestrator


def node(dot: str, name: str) -> dict:
    """The attributes of one node in DOT text."""
    match = re.search(r'^\s*"' + re.escape(name) + r'" \[(.*)\]$', dot, re.M)
    assert match, f"no node {name} in the diagram"
    return dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(1)))


def taken_edges(dot: str) -> list[tuple[str, str]]:
    """The bold arrows of the path taken, in the order their numbers give."""
    found = re.findall(r'"(\w+)" -> "(\w+)" \[color="#000000", penwidth="2.5", '
                       r'style="\w+", label="([\d ]+)"', dot)
    return [(a, b) for a, b, _ in sorted(found, key=lambda f: int(f[2].split()[0]))]


def test_a_completed_red_dress_shows_every_step_done_and_the_ending_reached():
    saga, shop, _ = run_order()
    dot = saga_view(saga, shop.history.for_instance("o-1"), "o-1").source
    assert node(dot, "completed")["fillcolor"] == GREEN
    assert node(dot, "completed")["penwidth"] == "3"
    assert node(dot, "charging_payment")["label"].startswith("✓ charging_payment")
    assert node(dot, "compensating_charging_payment")["fillcolor"] == PAPER
    assert taken_edges(dot) == [("pending", "reserving_stock"),
                                ("reserving_stock", "charging_payment"),
                                ("charging_payment", "scheduling_shipment"),
                                ("scheduling_shipment", "completed")]
    assert "cluster_legend" in dot and 'bgcolor="#FFFFFF"' in dot


def test_a_failed_shipment_shows_the_failure_and_the_undo_in_reverse_each_with_a_symbol():
    saga, shop, _ = run_order(FailRandomly("shipping", p=1.0, command="ScheduleShipment"))
    dot = saga_view(saga, shop.history.for_instance("o-1"), "o-1").source
    failed = node(dot, "scheduling_shipment")
    assert failed["fillcolor"] == VERMILLION and failed["label"].startswith("✗")
    for undone in ("compensating_charging_payment", "compensating_reserving_stock",
                   "charging_payment", "reserving_stock"):
        assert node(dot, undone)["fillcolor"] == PURPLE
        assert "↺" in node(dot, undone)["label"]
    assert taken_edges(dot)[-3:] == [("scheduling_shipment", "compensating_charging_payment"),
                                     ("compensating_charging_payment", "compensating_reserving_stock"),
                                     ("compensating_reserving_stock", "compensated")]
    assert node(dot, "compensated")["penwidth"] == "3"


def test_a_slow_payment_is_marked_as_timed_out_and_retried():
    saga, shop, _ = run_order(Latency("payment", seconds=3.0))
    status = saga_status(saga, shop.history.for_instance("o-1"))
    # the first try lands after 3 s, a second after the retry: one time-out, one retry
    assert status["notes"]["charging_payment"]["timed out"] == 1
    assert status["notes"]["charging_payment"]["resent"] == 1
    label = node(saga_view(saga, shop.history.for_instance("o-1")).source,
                 "charging_payment")["label"]
    assert "⏱ timed out 1×" in label and "↻ retried 1×" in label


def test_a_compensation_that_gives_up_is_marked_on_its_state():
    saga, shop, orchestrator = run_order(
        FailRandomly("shipping", p=1.0, command="ScheduleShipment"),
        FailRandomly("payment", p=1.0, command="RefundPayment"))
    assert orchestrator.state("o-1") == "compensation_failed"
    dot = saga_view(saga, shop.history.for_instance("o-1")).source
    undo = node(dot, "compensating_charging_payment")
    assert undo["fillcolor"] == VERMILLION and "gave up: terminate" in undo["label"]
    assert node(dot, "compensation_failed")["fillcolor"] == VERMILLION


def test_time_travel_shows_the_order_while_it_was_charging_the_card():
    saga, shop, _ = run_order()
    records = shop.history.for_instance("o-1")
    charging = next(r.seq for r in records if r.kind == "state"
                    and r.detail["to"] == "charging_payment")
    before = saga_view(saga, records, "o-1", until=charging).source
    assert node(before, "charging_payment")["fillcolor"] == YELLOW
    assert node(before, "charging_payment")["penwidth"] == "3"
    assert node(before, "completed")["fillcolor"] == PAPER
    assert saga_view(saga, records, "o-1").source != before


def test_orchestration_is_a_star_every_command_leaves_the_orchestrator():
    _, shop, _ = run_order()
    edges = topology_edges(shop.history)
    commands = {(s, t) for s, t, kind in edges if kind == "command"}
    assert commands == {("order", "inventory"), ("order", "payment"), ("order", "shipping")}
    dot = topology_view(shop.history).source
    assert node(dot, "order")["shape"] == "doubleoctagon"
    assert node(dot, "payment")["shape"] == "box"


def test_choreography_is_a_mesh_with_events_dashed_and_no_orchestrator():
    shop = build_choreographed_world("direct", seed=1)
    shop.send(PlaceOrder(order_id="o-1", customer="ada", sku="red-dress"), correlation_id="o-1")
    shop.run()
    edges = topology_edges(shop.history)
    event_senders = {s for s, t, kind in edges if kind == "event" and t != "tracker"}
    assert event_senders == {"order", "inventory", "payment", "shipping"}
    dot = topology_view(shop.history).source
    assert "doubleoctagon" not in dot
    assert re.search(r'"inventory" -> "payment" \[label="StockReserved ×1", color="#CC79A7", '
                     r'style="dashed"', dot)


def test_the_timeline_marks_retries_time_outs_and_the_undo():
    _, shop, _ = run_order(Latency("payment", seconds=3.0),
                           FailRandomly("shipping", p=1.0, command="ScheduleShipment"))
    timeline = timeline_view(shop.history, "o-1")
    kinds = [row.kind for row in timeline.rows]
    timeouts = [row.text for row in timeline.rows if row.kind == "timeout"]
    # the slow charge times out once; so does its refund when shipping fails later
    assert timeouts == ["⏱ no reply to ChargePayment in 2.0s", "⏱ no reply to RefundPayment in 2.0s"]
    assert any(row.kind == "command" and row.text == "↻ ChargePayment" for row in timeline.rows)
    assert "undo" in kinds
    assert timeline.participants[:2] == ["order", "inventory"]
    svg = timeline.svg()
    assert svg.startswith("<svg") and "⏱ no reply to ChargePayment in 2.0s" in svg


def test_the_timeline_travels_back_to_any_record():
    _, shop, _ = run_order()
    full = timeline_view(shop.history, "o-1")
    middle = full.rows[len(full.rows) // 2].seq
    earlier = timeline_view(shop.history, "o-1", until=middle)
    assert 0 < len(earlier.rows) < len(full.rows)
    assert all(row.seq <= middle for row in earlier.rows)


def test_a_direct_call_to_a_down_service_shows_as_refused_on_the_timeline():
    _, shop, _ = run_order(Down("payment"))
    texts = [row.text for row in timeline_view(shop.history, "o-1").rows]
    assert "✗ payment is down: ChargePayment refused" in texts


def test_a_stuck_choreographed_order_shows_no_ending_yet():
    shop = build_choreographed_world("direct", seed=1)
    shop.faults.add(Down("payment"))
    shop.send(PlaceOrder(order_id="o-1", customer="ada", sku="red-dress"), correlation_id="o-1")
    shop.run()
    view = progress_view(shop.history.for_instance("o-1"), "o-1", MILESTONES, ENDINGS)
    assert "no ending yet" in view.source and "stock reserved" in view.source
    assert view.title == "o-1: stock reserved"


def test_a_saga_instance_shows_its_diagram_and_a_history_shows_a_table():
    saga = place_order_saga()
    shop = World([Inventory(), Payment(), Shipping()], seed=1)
    orchestrator = Orchestrator(shop, saga, name="order")
    instance = orchestrator.start(saga, "o-1", **order_data("o-1"))
    bundle = instance._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"] and "reserving_stock" in bundle["image/svg+xml"]
    assert bundle["text/plain"] == repr(instance)
    shop.run()
    table = shop.history._repr_html_()
    assert table.count("<tr>") == len(shop.history) + 1
    assert "ReserveStock" in table


@pytest.mark.parametrize("transport", ["direct", "queued"])
def test_every_view_renders_to_real_svg(transport):
    saga, shop, _ = run_order(FailRandomly("shipping", p=1.0, command="ScheduleShipment"),
                              transport=transport)
    assert "compensated" in saga_view(saga, shop.history.for_instance("o-1"), "o-1").svg()
    assert "orchestrator" in topology_view(shop.history).svg()
