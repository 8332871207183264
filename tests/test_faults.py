"""Faults as data: take a service down, fail its next attempts, fail at random, slow it down."""
from __future__ import annotations

import pytest

from orchestra import (Down, FailNext, FailRandomly, InvalidFault, Latency, UnknownService,
                       World)
from orchestra import faults as f
from orchestra.shop import ChargePayment, ReserveStock, build_world


@pytest.mark.parametrize("make, complaint", [
    (lambda: FailNext("payment", n=0), "1 or more"),
    (lambda: FailNext("payment", n=-2), "1 or more"),
    (lambda: FailRandomly("payment", p=1.5), "between 0 and 1"),
    (lambda: FailRandomly("payment", p=-0.1), "between 0 and 1"),
    (lambda: Down("payment", at=30, until=30), "must come after"),
    (lambda: Down("payment", at=30, until=10), "must come after"),
    (lambda: Down("payment", at=-1), ">= 0"),
    (lambda: Latency("shipping", seconds=-2), ">= 0"),
])
def test_a_fault_that_cannot_make_sense_is_refused_saying_why(shop, make, complaint):
    with pytest.raises(InvalidFault, match=complaint):
        shop.faults.add(make())
    assert shop.faults.plan == []


def test_a_world_refuses_an_invalid_fault_plan_when_it_is_built():
    with pytest.raises(InvalidFault, match="1 or more"):
        build_world(faults=[FailNext("payment", n=0)])


def test_something_that_is_not_a_fault_is_refused_naming_the_faults_there_are(shop):
    with pytest.raises(InvalidFault, match="Down, FailNext, FailRandomly or Latency"):
        shop.faults.add("payment is down")


def test_a_fault_plan_naming_an_unknown_service_fails_naming_the_services():
    with pytest.raises(UnknownService) as error:
        build_world(faults=[Down("pricing", at=0, until=30)])
    text = str(error.value)
    assert "'pricing'" in text
    for service in ("inventory", "order", "payment", "shipping"):
        assert service in text


def test_a_fault_plan_round_trips_through_json():
    plan = [Down("payment", at=1.5, until=30), FailNext("inventory", n=2, command="ReserveStock"),
            FailRandomly("shipping", p=0.25), Latency("order", seconds=0.5, at=2)]
    text = f.plan_to_json(plan)
    back = f.plan_from_json(text)
    assert back == plan
    assert [type(fault) for fault in back] == [Down, FailNext, FailRandomly, Latency]
    assert f.plan_to_json(back) == text


def test_json_naming_an_unknown_fault_type_is_refused_naming_the_types():
    with pytest.raises(InvalidFault, match="'Flood'.*Down, FailNext, FailRandomly, Latency"):
        f.plan_from_json('[{"type": "Flood", "service": "payment"}]')


def test_down_switches_on_at_its_start_and_off_at_its_end(shop):
    shop.faults.add(Down("payment", at=10, until=40))
    seen = {}
    for moment in (5, 10, 39, 40):
        shop.run(until=moment)
        seen[moment] = shop.faults.is_down("payment")
    assert seen == {5: False, 10: True, 39: True, 40: False}
    switches = [(r.time, r.kind) for r in shop.history.of_kind("fault_on", "fault_off")]
    assert switches == [(10, "fault_on"), (40, "fault_off")]


def test_a_service_stays_down_until_its_last_overlapping_outage_ends(shop):
    shop.faults.add(Down("payment", at=0, until=10))
    shop.faults.add(Down("payment", at=5, until=20))
    shop.run(until=15)
    assert shop.faults.is_down("payment")
    shop.run(until=20)
    assert not shop.faults.is_down("payment")


def test_a_fault_whose_window_has_passed_never_switches_on(shop):
    shop.run(until=50)
    shop.faults.add(Down("payment", at=10, until=20))
    shop.run()
    assert shop.history.of_kind("fault_on") == []
    assert not shop.faults.is_down("payment")


def test_clear_switches_every_fault_off(shop):
    shop.faults.add(Down("payment"))
    shop.faults.add(Latency("shipping", seconds=3))
    shop.run()
    assert len(shop.faults.active) == 2
    shop.faults.clear()
    assert shop.faults.active == []
    assert not shop.faults.is_down("payment") and shop.faults.latency("shipping") == 0


def test_fail_next_fails_only_the_named_command_and_only_n_times(shop):
    shop.faults.add(FailNext("inventory", n=2, command="ReserveStock"))
    shop.run()
    assert shop.faults.failure("inventory", "ReleaseStock") is None
    assert "FailNext('inventory', n=2" in shop.faults.failure("inventory", "ReserveStock")
    assert shop.faults.failure("inventory", "ReserveStock") is not None
    assert shop.faults.failure("inventory", "ReserveStock") is None
    assert shop.faults.active == []


def test_latencies_add_up(shop):
    shop.faults.add(Latency("shipping", seconds=2))
    shop.faults.add(Latency("shipping", seconds=0.5))
    shop.run()
    assert shop.faults.latency("shipping") == 2.5
    assert shop.faults.latency("payment") == 0


def test_fail_randomly_at_zero_never_fails_and_at_one_always_fails(shop):
    shop.faults.add(FailRandomly("payment", p=0))
    shop.faults.add(FailRandomly("shipping", p=1))
    shop.run()
    assert all(shop.faults.failure("payment", "ChargePayment") is None for _ in range(100))
    assert all(shop.faults.failure("shipping", "ScheduleShipment") for _ in range(100))


def _failures(seed):
    world = build_world(seed=seed, faults=[FailRandomly("payment", p=0.5)])
    world.run()
    return [world.faults.failure("payment", "ChargePayment") is not None for _ in range(64)]


def test_fail_randomly_fails_the_same_attempts_for_the_same_seed():
    first = _failures(seed=11)
    assert first == _failures(seed=11)
    assert 0 < sum(first) < 64
    assert any(_failures(seed=s) != first for s in (12, 13, 14))


def test_fail_randomly_gives_the_same_replies_for_the_same_seed():
    def replies(seed):
        world = build_world(seed=seed, faults=[FailRandomly("inventory", p=0.5)])
        return [(r.ok, r.attempts) for r in
                (world.call(ReserveStock(order_id=f"order-{i}", sku="red-dress"))
                 for i in range(8))]

    assert replies(5) == replies(5)


def test_a_world_takes_its_fault_plan_as_an_argument():
    world = build_world("queued", faults=[Down("payment", at=0, until=30)])
    assert world.faults.plan == [Down("payment", at=0, until=30)]
    reply = world.call(ChargePayment(order_id="order-1", customer="ada", amount_cents=8_900))
    assert reply.ok and world.clock.now > 30


def test_the_client_can_be_named_in_a_fault_plan():
    world = World([], faults=[Down("client", at=1, until=2)])
    world.run(until=1.5)
    assert world.faults.is_down("client")


def test_a_fault_that_cannot_make_sense_is_refused_when_written_not_when_it_bites():
    import pytest
    from orchestra import FailNext, InvalidFault
    with pytest.raises(InvalidFault, match="1 or more"):
        FailNext("payment", n=0)
    with pytest.raises(InvalidFault, match="1 or more"):
        FailNext("payment", n=True)


def test_a_fault_plan_with_a_field_no_fault_has_is_refused_with_a_clear_error():
    import pytest
    from orchestra import InvalidFault
    from orchestra.faults import plan_from_json
    with pytest.raises(InvalidFault, match="does not fit"):
        plan_from_json('[{"type": "Down", "service": "payment", "for_ever": true}]')
