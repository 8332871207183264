"""Virtual time: a deterministic scheduler that jumps from one moment to the next."""
from __future__ import annotations

import pytest

from orchestra import Clock, SimulationRunaway


def test_calls_run_in_virtual_time_order_not_the_order_they_were_scheduled():
    clock, ran = Clock(), []
    clock.call_later(3, ran.append, "ship the red dress")
    clock.call_later(1, ran.append, "reserve the red dress")
    clock.call_later(2, ran.append, "charge ada")
    clock.run()
    assert ran == ["reserve the red dress", "charge ada", "ship the red dress"]
    assert clock.now == 3


def test_calls_at_the_same_moment_run_in_the_order_they_were_scheduled():
    clock, ran = Clock(), []
    for step in ("reserve", "charge", "ship", "approve"):
        clock.call_at(5, ran.append, step)
    clock.run()
    assert ran == ["reserve", "charge", "ship", "approve"]


def test_run_until_stops_there_and_leaves_later_calls_waiting():
    clock, ran = Clock(), []
    clock.call_later(10, ran.append, "before the outage ends")
    clock.call_later(31, ran.append, "after the outage ends")
    steps = clock.run(until=30)
    assert (steps, ran, clock.now) == (1, ["before the outage ends"], 30)
    assert clock.next_time() == 31
    clock.run()
    assert ran == ["before the outage ends", "after the outage ends"]


def test_run_until_a_moment_with_a_call_runs_that_call():
    clock, ran = Clock(), []
    clock.call_at(30, ran.append, "on the dot")
    clock.run(until=30)
    assert ran == ["on the dot"]


def test_run_until_an_earlier_moment_does_not_turn_the_clock_back():
    clock = Clock()
    clock.call_at(5, lambda: None)
    clock.run()
    clock.run(until=2)
    assert clock.now == 5


def test_a_call_scheduled_in_the_past_runs_now_and_a_negative_delay_is_refused():
    clock, ran = Clock(), []
    clock.call_at(10, lambda: clock.call_at(3, ran.append, clock.now))
    clock.run()
    assert ran == [10] and clock.now == 10
    with pytest.raises(ValueError, match="delay >= 0"):
        clock.call_later(-1, ran.append, "yesterday")


def test_a_cancelled_call_does_not_run_and_cancelling_twice_is_harmless():
    clock, ran = Clock(), []
    timer = clock.call_later(2, ran.append, "time out the payment")
    clock.call_later(1, ran.append, "payment answered")
    timer.cancel()
    timer.cancel()
    clock.run()
    assert ran == ["payment answered"]
    assert clock.next_time() is None


def test_step_runs_one_call_and_says_when_nothing_is_left():
    clock, ran = Clock(), []
    clock.call_later(1, ran.append, 1)
    clock.call_later(2, ran.append, 2)
    assert clock.pending == 2
    assert clock.step() is True and ran == [1] and clock.now == 1
    assert clock.step() is True and ran == [1, 2]
    assert clock.step() is False


def test_a_callback_that_keeps_rescheduling_itself_is_stopped_with_advice():
    clock = Clock()

    def retry_forever():
        clock.call_later(0.5, retry_forever)

    clock.call_later(0, retry_forever)
    with pytest.raises(SimulationRunaway, match="max_steps") as error:
        clock.run(max_steps=50)
    assert "rescheduling itself" in str(error.value)
    assert clock.now == pytest.approx(24.5)


def test_a_long_outage_costs_only_the_steps_it_takes():
    clock, ran = Clock(), []
    clock.call_later(30 * 24 * 3600, ran.append, "back after a month")
    assert clock.run(max_steps=1) == 1
    assert clock.now == 30 * 24 * 3600 and ran == ["back after a month"]


def test_virtual_times_are_rounded_to_the_microsecond():
    clock, seen = Clock(), []
    clock.call_later(0.1, lambda: clock.call_later(0.2, lambda: seen.append(clock.now)))
    clock.run()
    assert seen == [0.3]


def test_the_same_seed_gives_the_same_random_numbers():
    one, two = Clock(seed=42), Clock(seed=42)
    draws = [(one.uniform(0, 1), one.chance(0.5)) for _ in range(20)]
    assert draws == [(two.uniform(0, 1), two.chance(0.5)) for _ in range(20)]
    other = Clock(seed=43)
    assert draws != [(other.uniform(0, 1), other.chance(0.5)) for _ in range(20)]


def test_a_chance_of_zero_never_happens_and_of_one_always_does():
    clock = Clock(seed=1)
    assert not any(clock.chance(0) for _ in range(200))
    assert all(clock.chance(1) for _ in range(200))
