"""Idempotency: a service remembers its latest answers, so a copy changes nothing, and memory
stays flat however many orders have come and gone."""
from __future__ import annotations

import pytest

from orchestra import World
from orchestra.idempotency import Remembered
from orchestra.shop import Payment
from orchestra.shop.payment import ChargePayment


def test_remembered_answers_for_the_latest_ids_and_forgets_the_oldest():
    answers = Remembered(limit=100)
    for i in range(1_000):
        answers.put(f"charge-{i}", ("ChargePayment", True, {"charged": i}))
        assert len(answers) <= 100
    assert all(f"charge-{i}" in answers for i in range(950, 1_000))  # the latest half, at least
    assert "charge-0" not in answers and answers.get("charge-0") is None
    assert answers.get("charge-999") == ("ChargePayment", True, {"charged": 999})


def test_remembered_forgets_on_request_and_an_id_put_again_counts_as_new():
    answers = Remembered(limit=4)
    answers.put("a", 1)
    answers.put("b", 2)            # the newer table is full: it becomes the older one
    answers.put("a", 3)            # moved to the newer table, not kept twice
    assert answers.get("a") == 3 and len(answers) == 2
    answers.forget("a")
    assert "a" not in answers and answers.get("b") == 2
    answers.forget("never-seen")   # harmless


@pytest.mark.parametrize("limit", [0, 1, -5, 2.5, "many"])
def test_remembering_fewer_than_two_ids_is_refused_saying_what_to_pass(limit):
    with pytest.raises(ValueError, match="remember at least 2 messages.*None"):
        Remembered(limit=limit)


def test_remembered_with_no_limit_keeps_every_id():
    answers = Remembered(limit=None)
    for i in range(5_000):
        answers.put(str(i), i)
    assert len(answers) == 5_000 and answers.get("0") == 0


class ForgetfulPayment(Payment):
    """Payment remembering about its last 100 answers."""

    remembers = 100


def charge(world, order_id, message_id):
    return world.call(ChargePayment(order_id=order_id, customer="ada", amount_cents=8_900,
                                    message_id=message_id))


def test_a_service_answers_a_recent_copy_without_charging_twice_and_stays_bounded():
    payment = ForgetfulPayment()
    world = World([payment])
    for i in range(1_000):
        assert charge(world, f"o-{i}", f"charge-o-{i}").ok
    assert len(payment._replies) <= 100  # flat, after a thousand orders
    again = charge(world, "o-999", "charge-o-999")  # a copy of a recent command
    assert again.ok and payment.charged["o-999"] == 8_900
    assert sum(amount for _, amount in payment.ledger) == 1_000 * 8_900  # charged once each
    assert world.history.of_kind("duplicate")[-1].message_id == "charge-o-999"


def test_a_copy_older_than_the_window_is_handled_as_new_and_the_domain_must_catch_it():
    payment = ForgetfulPayment()
    world = World([payment])
    for i in range(300):
        charge(world, f"o-{i}", f"charge-o-{i}")
    late = charge(world, "o-0", "charge-o-0")  # forgotten by the window: handled again ...
    assert late.ok and world.history.of_kind("duplicate") == []
    # ... and only Payment's own rule (one charge per order) keeps it from charging twice.
    assert sum(amount for _, amount in payment.ledger) == 300 * 8_900
