"""The playground: every control the widget shows is a method, and tests call the same ones."""
import pytest

from orchestra.playground import Playground


def test_the_red_dress_order_completes_when_nothing_is_broken():
    playground = Playground()
    assert playground.state == "not placed yet"
    assert playground.run() == "completed"


def test_failing_payment_then_run_ends_the_order_compensated():
    playground = Playground()
    playground.set_fail_command("payment", True)
    assert playground.run() == "compensated"
    assert playground.world.endpoint("inventory").units("red-dress") == 10


def test_failing_payments_refund_too_leaves_the_undo_stuck():
    playground = Playground(transport="direct")
    playground.set_fail_command("shipping", True)
    playground.set_fail_compensation("payment", True)
    assert playground.run() == "compensation_failed"


def test_with_an_emit_policy_a_failing_refund_is_reported_and_the_dress_goes_back():
    from orchestra.saga import CompensationPolicy
    playground = Playground(transport="direct",
                            compensation_policy=CompensationPolicy(then="emit"))
    playground.set_fail_command("shipping", True)
    playground.set_fail_compensation("payment", True)
    assert playground.run() == "partially_compensated"
    playground.reset()  # the policy stays with the playground
    assert playground.run() == "partially_compensated"
    assert playground.world.history.where(kind="published", message_type="CompensationFailed")
    assert playground.world.endpoint("inventory").units("red-dress") == 10


def test_switches_survive_a_reset_and_can_be_switched_off():
    playground = Playground()
    playground.set_fail_command("payment", True)
    playground.reset()
    assert playground.run() == "compensated"
    playground.set_fail_command("payment", False)
    playground.reset()
    assert playground.run() == "completed"


def test_latency_slows_the_order_in_virtual_time_only():
    quick, slow = Playground(), Playground()
    slow.set_latency("shipping", 1.5)
    quick.run(), slow.run()
    # latency delays each message *to* shipping: one hop of the order's path
    assert slow.world.clock.now - quick.world.clock.now == pytest.approx(1.5, abs=0.001)
    assert slow.state == "completed"


def test_a_service_taken_down_and_brought_back_lets_the_queued_order_finish():
    playground = Playground(transport="queued")
    playground.set_down("payment", True)
    playground.step()
    playground.world.run(until=1.0)
    assert playground.state == "charging_payment"
    playground.set_down("payment", False)
    assert playground.run() == "completed"


def test_step_moves_the_order_one_scheduled_thing_at_a_time():
    playground = Playground()
    playground.step()
    assert playground.state == "reserving_stock"
    before = playground.history_length
    playground.step()
    assert playground.history_length > before
    assert playground.world.clock.now == 0.005  # one hop: ReserveStock reached inventory


def test_the_same_seed_replays_the_same_story_and_another_seed_may_not():
    first, again = Playground(seed=4), Playground(seed=4)
    for playground in (first, again):
        playground.world.faults.add(__import__("orchestra").FailRandomly("payment", p=0.5))
        playground.run()
    assert first.world.history.to_json() == again.world.history.to_json()
    first.set_seed(5)
    assert first.seed == 5 and first.state == "not placed yet"


def test_time_travel_shows_an_earlier_moment_and_now_returns_to_the_end():
    playground = Playground()
    playground.run()
    now = playground.saga_view().source
    playground.travel(5)
    assert playground.saga_view().source != now
    assert playground.moment().startswith("record 5:")
    playground.travel(None)
    assert playground.saga_view().source == now
    with pytest.raises(ValueError, match="outside the history"):
        playground.travel(10_000)


def test_the_same_playground_runs_the_order_by_choreography():
    playground = Playground(style="choreography")
    assert playground.run() == "approved"
    assert "approved" in playground.saga_view().source
    playground.set_fail_command("payment", True)
    playground.reset()
    assert playground.run() == "stock reserved"  # no failure event: the order is stuck
    playground.world.run(until=playground.world.clock.now + 60)
    assert playground.world.endpoint("tracker").stuck(older_than=30) == ["o-1"]


def test_unknown_services_and_styles_are_refused_saying_what_exists():
    playground = Playground()
    with pytest.raises(ValueError, match="inventory, payment, shipping"):
        playground.set_down("pricing", True)
    with pytest.raises(ValueError, match="orchestration"):
        Playground(style="telepathy")
