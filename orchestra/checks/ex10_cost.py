"""Checks for exercise 10: latency percentiles, throughput, and an orchestrator sized for an
SLO (``ex10_cost.py``)."""
import pytest

from orchestra.analysis import latencies, percentile, throughput
from orchestra.grading import points

ENDS = ("OrderApproved", "OrderRejected")
CANDIDATES = [0.001, 0.002, 0.003, 0.004]
SLO_MS = 200


def remembering(exercise):
    """Make the exercise's run_shop remember each run (it is deterministic), so the learner's
    code and the check share them; returns it."""
    runs, original = {}, exercise.run_shop

    def run_shop(handling_time, rate, **options):
        key = (handling_time, rate, tuple(sorted(options.items())))
        if key not in runs:
            runs[key] = original(handling_time, rate, **options)
        return runs[key]
    exercise.run_shop = run_shop
    return run_shop


def reference(history) -> dict:
    """The library's figures for one run."""
    seconds = list(latencies(history, end_events=ENDS).values())
    return {"orders": len(seconds), "p50_ms": 1000 * percentile(seconds, 50),
            "p95_ms": 1000 * percentile(seconds, 95), "max_ms": 1000 * max(seconds),
            "orders_per_s": throughput(history, end_events=ENDS)}


@points(2, hint="Sort a copy, rank = ceil(p / 100 * n) counted from 1, return "
                 "sorted[rank - 1]: the median of 1..10 is 5, the 95th percentile 10, and "
                 "of [30, 10, 20] the 10th is 10.")
def test_percentile_finds_the_nearest_rank(exercise):
    one_to_ten = list(range(1, 11))
    found = {p: exercise.percentile(one_to_ten, p) for p in (50, 95, 100)}
    assert found == {50: 5, 95: 10, 100: 10}, f"percentiles of 1..10: {found}"
    assert exercise.percentile([30, 10, 20], 10) == 10
    assert exercise.percentile([30, 10, 20], 67) == 30


@points(1, hint="sorted(values) makes a sorted copy; values.sort() would reorder the "
                 "caller's list behind its back.")
def test_percentile_leaves_the_callers_list_as_it_was(exercise):
    values = [0.3, 0.1, 0.2]
    exercise.percentile(values, 50)
    assert values == [0.3, 0.1, 0.2], f"the list became {values}"
    assert exercise.percentile((x / 10 for x in (3, 1, 2)), 50) == 0.2


@points(2, hint="latencies(history, end_events=ENDS) are seconds per order: the report's "
                 "p50_ms, p95_ms and max_ms are your percentile() of them, times 1000.")
def test_the_report_gives_the_latency_percentiles_in_milliseconds(exercise):
    history = exercise.run_shop(0.002, 100, orders=200)
    report, wanted = exercise.latency_report(history), reference(history)
    for key in ("p50_ms", "p95_ms", "max_ms"):
        assert report.get(key) == pytest.approx(wanted[key]), (
            f"{key} is {report.get(key)}, the library says {wanted[key]:.3f}")


@points(1, hint="orders: how many latencies there are; orders_per_s: "
                 "throughput(history, end_events=ENDS).")
def test_the_report_counts_the_orders_and_the_throughput(exercise):
    history = exercise.run_shop(0.002, 100, orders=200)
    report, wanted = exercise.latency_report(history), reference(history)
    assert report.get("orders") == wanted["orders"], f"orders: {report.get('orders')}"
    assert report.get("orders_per_s") == pytest.approx(wanted["orders_per_s"]), (
        f"orders_per_s is {report.get('orders_per_s')}, wanted {wanted['orders_per_s']:.2f}")


@points(3, hint="Try every candidate: run_shop(candidate, rate), its latency_report's "
                 "p95_ms; keep those within the SLO and return the largest.")
def test_the_slowest_orchestrator_that_meets_the_slo_is_chosen(exercise):
    run_shop = remembering(exercise)
    chosen = exercise.slowest_handling_time(100, SLO_MS, CANDIDATES)
    p95 = {h: reference(run_shop(h, 100))["p95_ms"] for h in CANDIDATES}
    wanted = max((h for h in CANDIDATES if p95[h] <= SLO_MS), default=None)
    assert chosen == wanted, (f"for a p95 within {SLO_MS} ms at 100 orders/s you chose "
                              f"{chosen}; the largest that meets it is {wanted} (p95 per "
                              f"candidate: {({h: round(v) for h, v in p95.items()})})")


@points(1, hint="When no candidate meets the SLO, return None (max(..., default=None)).")
def test_no_candidate_is_chosen_when_none_meets_the_slo(exercise):
    chosen = exercise.slowest_handling_time(100, 50, [0.002, 0.004])
    assert chosen is None, (f"no orchestrator meets 50 ms (an order alone takes over 60); "
                            f"got {chosen}")
