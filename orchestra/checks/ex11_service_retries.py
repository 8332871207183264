"""Checks for exercise 11: a service's own retries, and an idempotent charge
(``ex11_service_retries.py``)."""
import pytest

from orchestra import FailNext, RetryPolicy, World
from orchestra.grading import points
from orchestra.history import FAILED, TIMED_OUT
from orchestra.orchestrator import Orchestrator
from orchestra.saga import Saga, Step
from orchestra.shop import ChargePayment, Payment

RED_DRESS = 8_900


def charge(exercise, world, order_id="o-1", **ids):
    """ChargeCard for ada's red dress, sent from the client; the reply."""
    return world.call(exercise.ChargeCard(order_id=order_id, customer="ada",
                                          amount_cents=RED_DRESS, **ids))


@points(1, hint="In CardPayment: retry = RetryPolicy(attempts=4, backoff=0.2). attempts "
                 "counts the first try too; the default multiplier doubles each wait.")
def test_card_payment_has_its_own_retry_policy_of_four_tries(exercise):
    """CardPayment has its own retry policy: four tries, 0.2 s apart at first"""
    policy = exercise.CardPayment.retry
    assert policy.attempts == 4, f"CardPayment tries {policy.attempts} time(s), not 4"
    assert [policy.delay(k) for k in (1, 2, 3)] == pytest.approx([0.2, 0.4, 0.8]), (
        f"CardPayment waits {[policy.delay(k) for k in (1, 2, 3)]} s between tries")


@points(2, hint="With 4 tries of its own, a blip of 3 failed tries is absorbed: the reply is "
                 "ok, after 4 attempts, and the failures never reach the caller.")
def test_a_blip_of_three_failures_is_absorbed_before_anyone_hears_of_it(exercise):
    """a blip of three failed tries is absorbed before anyone hears of it"""
    payment = exercise.CardPayment()
    world = World([payment], faults=[FailNext("payment", n=3)])
    reply = charge(exercise, world)
    assert reply.ok, f"the charge failed: {reply.error}"
    assert reply.attempts == 4, f"the charge succeeded after {reply.attempts} attempt(s), not 4"
    assert payment.ledger == [("o-1", RED_DRESS)], f"the ledger is {payment.ledger}"


@points(1, hint="A failure that outlasts every retry is reported: after 4 tries the reply "
                 "says 'gave up after 4 attempt(s)', and nothing is charged.")
def test_a_failure_that_outlasts_the_retries_is_reported_after_four_tries(exercise):
    """a failure that outlasts the retries is reported after four tries"""
    payment = exercise.CardPayment()
    world = World([payment], faults=[FailNext("payment", n=10)])
    reply = charge(exercise, world)
    assert not reply.ok, "the card network failed 10 times, yet the charge was answered ok"
    assert reply.attempts == 4, f"the service gave up after {reply.attempts} attempt(s), not 4"
    assert payment.ledger == [], f"a failed charge left {payment.ledger} in the ledger"


@points(2, hint="The retry runs charge_card again from the top: append to the ledger only "
                 "if charged_cents(order_id) is 0, then print the receipt.")
def test_a_jammed_receipt_printer_does_not_charge_ada_twice(exercise):
    """a jammed receipt printer does not charge ada twice"""
    printer = exercise.ReceiptPrinter(jams=1)
    payment = exercise.CardPayment(printer)
    reply = charge(exercise, World([payment]))
    assert reply.ok, f"the charge failed: {reply.error}"
    assert reply.result == {"charged_cents": RED_DRESS}, f"the reply's result is {reply.result}"
    assert payment.ledger == [("o-1", RED_DRESS)], (
        f"the ledger is {payment.ledger}: the retry after the jam charged ada again")
    assert len(printer.receipts) == 1, f"receipts printed: {printer.receipts}"


@points(1, hint="The broker may deliver a charge twice (at least once); the service answers "
                 "a message id it has seen without running the handler again, so your "
                 "handler only has to charge once per order.")
def test_a_charge_the_broker_delivers_twice_is_charged_once(exercise):
    """a charge the broker delivers twice is charged once"""
    payment = exercise.CardPayment()
    world = World([payment], transport="queued", duplicate_probability=1.0, seed=2)
    reply = charge(exercise, world)
    world.run()
    assert reply.ok, f"the charge failed: {reply.error}"
    assert payment.ledger == [("o-1", RED_DRESS)], f"the ledger is {payment.ledger}"


@points(1, hint="Sent again under a new message id (a restarted sender, a double click), the "
                 "same order is still charged once; another order is charged on its own.")
def test_the_same_order_sent_again_is_charged_once_and_another_order_is_charged(exercise):
    """the same order sent again is charged once, and another order is charged too"""
    payment = exercise.CardPayment()
    world = World([payment])
    charge(exercise, world, "o-1")
    again = charge(exercise, world, "o-1")
    assert again.ok and again.result == {"charged_cents": RED_DRESS}, (
        f"charging o-1 again answered {again.result or again.error}")
    charge(exercise, world, "o-2")
    assert payment.ledger == [("o-1", RED_DRESS), ("o-2", RED_DRESS)], (
        f"the ledger is {payment.ledger}: o-1 once, then o-2")


@points(1, hint="Add policy.delay(k) for k = 1 .. attempts - 1: RetryPolicy(attempts=4, "
                 "backoff=0.2) waits 0.2 + 0.4 + 0.8 = 1.4 s; one attempt waits nothing.")
def test_the_retry_budget_adds_up_the_waits_between_the_tries(exercise):
    """the retry budget adds up the waits between the tries"""
    for policy, expected in [(RetryPolicy(attempts=4, backoff=0.2), 1.4),
                             (RetryPolicy(attempts=1), 0.0),
                             (RetryPolicy(attempts=5, backoff=1.0, max_backoff=2.0), 7.0),
                             (RetryPolicy(attempts=3, backoff=0.5, multiplier=1), 1.0)]:
        found = exercise.retry_budget(policy)
        assert found == pytest.approx(expected), f"retry_budget({policy}) is {found!r}, not {expected}"


@points(2, hint="Mind max_backoff and the multiplier: use policy.delay(k), which applies "
                 "both, rather than recomputing the waits yourself.")
def test_the_retry_budget_is_how_long_the_library_keeps_retrying(exercise):
    """the retry budget is how long the library's service keeps retrying"""
    for policy in (RetryPolicy(attempts=3, backoff=0.1), RetryPolicy(attempts=6, backoff=0.3,
                                                                     multiplier=3, max_backoff=2)):
        payment = Payment()
        payment.retry = policy
        world = World([payment], faults=[FailNext("payment", n=100)])
        world.call(ChargePayment(order_id="o-1", customer="ada", amount_cents=RED_DRESS))
        tries = [r.time for r in world.history.of_kind(FAILED)]
        assert len(tries) == policy.attempts
        found = exercise.retry_budget(policy)
        assert found == pytest.approx(tries[-1] - tries[0]), (
            f"with {policy} the service retried for {tries[-1] - tries[0]:g} s, but "
            f"retry_budget says {found!r}")


@points(1, hint="A saga step that waits 2 s outlasts CardPayment's 1.4 s of retries, so a "
                 "blip the service absorbs never times the saga out.")
def test_a_saga_step_waiting_two_seconds_outlasts_card_payment_s_retries(exercise):
    """a saga step that waits 2 s outlasts CardPayment's retries: no time-out, no saga retry"""
    assert exercise.retry_budget(exercise.CardPayment.retry) < 2.0, (
        "CardPayment keeps retrying longer than the saga waits")
    saga = Saga("card_order", [Step("charging_card", exercise.ChargeCard, timeout=2.0)])
    payment = exercise.CardPayment(exercise.ReceiptPrinter(jams=1))
    world = World([payment], faults=[FailNext("payment", n=2)])
    order = Orchestrator(world, saga, name="order")
    order.start(saga, "o-1", order_id="o-1", customer="ada", amount_cents=RED_DRESS)
    world.run()
    assert order.state("o-1") == "completed", f"the saga ended {order.state('o-1')!r}"
    assert world.history.of_kind(TIMED_OUT) == [], "the saga timed out waiting for the charge"
    assert payment.ledger == [("o-1", RED_DRESS)], f"the ledger is {payment.ledger}"
