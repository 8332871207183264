"""orchestra.analysis.performance reads latency, hops, load and throughput from a history,
the same way for an orchestrated shop and a choreographed one; long runs report progress."""
from __future__ import annotations

import pytest

from orchestra import World
from orchestra.analysis import (hops, hops_per_order, latencies, load_per_order, per_second,
                                percentile, summary, throughput)
from orchestra.orchestrator import Orchestrator
from orchestra.progress import ProgressBar, arrival_times, run_orders
from orchestra.shop import Inventory, Payment, PlaceOrder, Shipping
from orchestra.shop.choreography import build_choreographed_world
from orchestra.shop.order import order_data, place_order_saga
from orchestra.views.chart import Chart, line_chart

ENDS = ("OrderApproved", "OrderRejected")
HOP = 0.005  # the transport's latency per hop


def orchestrated(orders: int = 1, rate: float = 10.0):
    world = World([Inventory({"red-dress": 1_000}), Payment(), Shipping()], seed=6)
    for service in world.services:
        service.processing_time = 0  # only hops cost time here
    saga = place_order_saga()
    order = Orchestrator(world, saga, name="order")
    run_orders(world, lambda i: order.start(saga, i, **order_data(i)), orders, rate=rate,
               even=True)
    return world


def choreographed(orders: int = 1, rate: float = 10.0):
    world = build_choreographed_world(stock={"red-dress": 1_000}, seed=6)
    for service in world.services:
        service.processing_time = 0
    run_orders(world, lambda i: world.send(PlaceOrder(order_id=i, customer="ada",
                                                      sku="red-dress"), correlation_id=i),
               orders, rate=rate, even=True)
    return world


def test_an_orchestrated_order_makes_six_hops_all_through_the_orchestrator():
    world = orchestrated()
    records = world.history.for_instance("o-0")
    assert hops(records) == hops(records, through="order") == 6  # 3 commands, 3 replies
    assert latencies(world.history) == {"o-0": pytest.approx(6 * HOP)}


def test_a_choreographed_order_reaches_its_end_in_five_hops_none_through_a_centre():
    world = choreographed()
    # PlaceOrder, then one event per step: placed, reserved, charged, shipped.
    assert latencies(world.history, end_events=ENDS) == {"o-0": pytest.approx(5 * HOP)}
    assert latencies(world.history)["o-0"] > 5 * HOP  # the tracker hears of it one hop later
    assert hops_per_order(world.history) > hops_per_order(world.history, through="order")


def test_the_load_per_order_counts_what_each_participant_is_handed():
    assert load_per_order(orchestrated(5).history) == {
        "order": 4.0, "inventory": 1.0, "payment": 1.0, "shipping": 1.0}
    load = load_per_order(choreographed(5).history)
    assert load["order"] == 2.0 and load["payment"] == 2.0 and load["inventory"] == 1.0


def test_throughput_is_orders_ended_per_virtual_second():
    world = orchestrated(orders=20, rate=10)
    assert throughput(world.history) == pytest.approx(20 / (1.9 + 6 * HOP))
    assert per_second(world.history) == [10, 10]


def test_percentile_is_the_nearest_rank():
    values = [0.5, 0.1, 0.4, 0.2, 0.3, 0.6, 0.9, 0.8, 0.7, 1.0]
    assert [percentile(values, p) for p in (0, 10, 50, 95, 100)] == [0.1, 0.1, 0.5, 1.0, 1.0]
    with pytest.raises(ValueError, match="did any order end"):
        percentile([], 50)
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile(values, 101)


def test_a_summary_gives_the_figures_a_notebook_shows():
    row = summary(orchestrated(orders=10).history, end_events=ENDS, through="order")
    assert row == {"orders": 10, "p50_ms": 30.0, "p95_ms": 30.0, "p99_ms": 30.0,
                   "max_ms": 30.0, "orders_per_s": pytest.approx(10 / 0.93, rel=0.01),
                   "hops_per_order": 6.0, "hops_via_order": 6.0}


def test_orders_arrive_at_random_at_the_rate_asked_and_the_same_seed_gives_the_same_moments():
    times = arrival_times(2_000, rate=100, seed=1)
    assert times == arrival_times(2_000, rate=100, seed=1) != arrival_times(2_000, 100, seed=2)
    assert times[-1] == pytest.approx(20, rel=0.1)
    assert arrival_times(3, rate=4, even=True, start=1.0) == [1.0, 1.25, 1.5]
    with pytest.raises(ValueError, match="orders per virtual second"):
        arrival_times(3, rate=0)


def test_a_long_run_reports_its_progress_batch_by_batch_and_ends_every_order():
    world = World([Inventory({"red-dress": 1_000}), Payment(), Shipping()], seed=6)
    saga = place_order_saga()
    order = Orchestrator(world, saga, name="order")
    heard = []
    ids = run_orders(world, lambda i: order.start(saga, i, **order_data(i)), 1_000, rate=500,
                     batch=300, progress=lambda done, total: heard.append((done, total)))
    assert heard == [(300, 1_000), (600, 1_000), (900, 1_000), (1_000, 1_000)]
    assert ids[:2] == ["o-0", "o-1"] and order.counts() == {"completed": 1_000}
    with pytest.raises(ValueError, match="batch"):
        run_orders(world, print, 1, rate=1, batch=0)


def test_the_progress_bar_shows_how_far_the_run_is():
    bar = ProgressBar("orders")
    bar(250, 1_000)
    assert (bar.bar.value, bar.bar.max, bar.label.value) == (250, 1_000, "250/1,000")
    assert bar.bar.description == "orders"
    bar(1_000, 1_000)
    assert bar.label.value.endswith("✓")


def test_a_chart_draws_each_series_with_its_own_colour_dash_and_marker():
    chart = line_chart({"orchestration": [(100, 95), (50, 50), (300, 125)],
                        "choreography": [(50, 50), (100, 99), (300, 244)]},
                       title="throughput", x_label="offered", y_label="ended",
                       lines={"limit 125/s": 125})
    svg = chart._repr_svg_()
    assert svg.count('class="series"') == 2 and 'stroke-dasharray="7 4"' in svg
    assert "orchestration" in svg and "limit 125/s" in svg and "<circle" in svg and "<rect" in svg
    assert Chart({"p95": [(1, 10), (2, 1_000)]}, log_y=True).svg().count("<text") > 3
    with pytest.raises(ValueError, match="log_y needs every y above 0"):
        Chart({"p95": [(1, 0)]}, log_y=True)
    with pytest.raises(ValueError, match="at least one series"):
        Chart({})
