"""Services: bounded contexts with one handler per command, their own retries, idempotency."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from orchestra import (Command, Event, FailNext, HandlerAlreadyRegistered, Rejected,
                       RetryPolicy, Service, World, handles, subscribes)
from orchestra.retry import NO_RETRY


@dataclass(frozen=True, kw_only=True)
class SvcHemDress(Command):
    """Take the red dress's hem up by ``cm``."""

    order_id: str
    cm: int = 2


@dataclass(frozen=True, kw_only=True)
class SvcPressDress(Command):
    order_id: str


@dataclass(frozen=True, kw_only=True)
class SvcDressHemmed(Event):
    order_id: str
    cm: int


class Tailor(Service):
    """Hems dresses; counts every hem it really sews. Tries 3 times, 0.5 s then 1 s apart."""

    name = "tailor"
    retry = RetryPolicy(attempts=3, backoff=0.5)

    def __init__(self, broken_needles: int = 0):
        self.hems_sewn = 0
        self.broken_needles = broken_needles  # the first attempts break a needle: transient

    @handles(SvcHemDress)
    def hem_dress(self, command):
        if self.broken_needles:
            self.broken_needles -= 1
            raise RuntimeError("the needle broke")
        if command.cm > 10:
            raise Rejected(f"cannot take a hem up {command.cm} cm; at most 10")
        self.hems_sewn += 1
        self.publish(SvcDressHemmed(order_id=command.order_id, cm=command.cm))
        return {"hems_sewn": self.hems_sewn}

    @handles(SvcPressDress)
    def press_dress(self, command):
        return "pressed"  # wrong on purpose: a handler returns a dict or None


def tailor_world(tailor=None, **options):
    tailor = tailor or Tailor()
    return World([tailor], **options), tailor


def test_a_handler_registered_twice_in_one_service_is_refused_when_the_class_is_defined():
    with pytest.raises(HandlerAlreadyRegistered) as error:
        class TwoTailors(Service):
            name = "two-tailors"

            @handles(SvcHemDress)
            def hem_by_hand(self, command):
                pass

            @handles(SvcHemDress)
            def hem_by_machine(self, command):
                pass
    text = str(error.value)
    assert "SvcHemDress" in text and "hem_by_hand" in text and "hem_by_machine" in text
    assert "remove one" in text


def test_two_services_handling_one_command_are_refused_naming_both():
    class ApprenticeTailor(Service):
        name = "apprentice"

        @handles(SvcHemDress)
        def hem_dress(self, command):
            pass

    with pytest.raises(HandlerAlreadyRegistered) as error:
        World([Tailor(), ApprenticeTailor()])
    text = str(error.value)
    assert "SvcHemDress" in text and "tailor" in text and "apprentice" in text
    assert "exactly one handler" in text


def test_two_services_with_one_name_are_refused():
    with pytest.raises(HandlerAlreadyRegistered, match="own name"):
        World([Tailor(), type("SecondTailor", (Service,), {"name": "tailor"})()])


def test_a_subclass_may_replace_its_bases_handler():
    class CarefulTailor(Tailor):
        @handles(SvcHemDress)
        def hem_carefully(self, command):
            return {"careful": True}

    world, _ = tailor_world(CarefulTailor())
    assert CarefulTailor.command_handlers[SvcHemDress] == "hem_carefully"
    assert world.call(SvcHemDress(order_id="order-1")).result == {"careful": True}


def test_a_subscriber_marked_again_in_a_subclass_hears_only_its_new_event():
    class Presser(Service):
        name = "presser"

        def __init__(self):
            self.pressed: list[str] = []

        @subscribes(SvcDressHemmed)
        def press_when_ready(self, event):
            self.pressed.append(event.order_id)

    class SecondHem(SvcDressHemmed):
        pass

    class PatientPresser(Presser):  # re-wired: it now waits for the second hem
        @subscribes(SecondHem)
        def press_when_ready(self, event):
            super().press_when_ready(event)

    assert PatientPresser.event_handlers == {SecondHem: "press_when_ready"}
    world = World([Tailor(), PatientPresser()])
    world.call(SvcHemDress(order_id="order-1"))
    world.run()
    assert world.service("presser").pressed == []
    world.publish(SecondHem(order_id="order-1", cm=2))
    world.run()
    assert world.service("presser").pressed == ["order-1"]


def test_a_service_without_a_name_cannot_join_a_world():
    class Nameless(Service):
        pass

    with pytest.raises(ValueError, match="has no name"):
        World([Nameless()])


def test_handles_takes_a_command_and_subscribes_takes_an_event():
    with pytest.raises(TypeError, match="@subscribes"):
        handles(SvcDressHemmed)
    with pytest.raises(TypeError, match="@handles"):
        subscribes(SvcHemDress)


def test_a_handled_command_is_answered_with_the_handlers_result():
    world, tailor = tailor_world()
    reply = world.call(SvcHemDress(order_id="order-1"))
    assert reply.ok and reply.result == {"hems_sewn": 1} and reply.attempts == 1
    assert tailor.hems_sewn == 1


@pytest.mark.parametrize("needles", [1, 2])
def test_a_service_retries_under_its_own_policy_and_succeeds_within_its_attempts(needles):
    world, tailor = tailor_world(Tailor(broken_needles=needles))
    reply = world.call(SvcHemDress(order_id="order-1"))
    assert reply.ok and reply.attempts == needles + 1
    assert tailor.hems_sewn == 1
    waits = [r.detail["after"] for r in world.history.of_kind("retried")]
    assert waits == [0.5, 1.0][:needles]


@pytest.mark.parametrize("fails", [1, 2])
def test_injected_failures_fewer_than_the_attempts_are_retried_away(fails):
    world, tailor = tailor_world(faults=[FailNext("tailor", n=fails)])
    reply = world.call(SvcHemDress(order_id="order-1"))
    assert reply.ok and reply.attempts == fails + 1 and tailor.hems_sewn == 1


@pytest.mark.parametrize("fails", [3, 5])
def test_a_service_gives_up_after_its_last_attempt_and_says_so(fails):
    world, tailor = tailor_world(faults=[FailNext("tailor", n=fails)])
    reply = world.call(SvcHemDress(order_id="order-1"))
    assert not reply.ok and reply.attempts == 3
    assert reply.error.startswith("gave up after 3 attempt(s): injected failure")
    assert tailor.hems_sewn == 0
    assert len(world.history.where(kind="failed", receiver="tailor")) == 3


def test_a_transient_exception_is_retried_and_named_in_the_final_error():
    world, tailor = tailor_world(Tailor(broken_needles=3))
    reply = world.call(SvcHemDress(order_id="order-1"))
    assert not reply.ok
    assert reply.error == "gave up after 3 attempt(s): RuntimeError: the needle broke"


def test_a_rejected_command_is_not_retried():
    world, tailor = tailor_world()
    reply = world.call(SvcHemDress(order_id="order-1", cm=30))
    assert not reply.ok and reply.attempts == 1
    assert reply.error == "cannot take a hem up 30 cm; at most 10"
    assert world.history.of_kind("retried") == []
    assert world.history.where(kind="failed")[0].detail["rejected"] is True


def test_a_service_with_no_retries_fails_at_the_first_failure():
    class HastyTailor(Tailor):
        retry = NO_RETRY

    world, _ = tailor_world(HastyTailor(broken_needles=1))
    reply = world.call(SvcHemDress(order_id="order-1"))
    assert not reply.ok and reply.attempts == 1 and "gave up after 1" in reply.error


def test_a_handler_that_returns_something_other_than_a_dict_fails_saying_what_to_return():
    world, _ = tailor_world()
    reply = world.call(SvcPressDress(order_id="order-1"))
    assert not reply.ok
    assert "press_dress returned a str" in reply.error
    assert "a dict of JSON data" in reply.error


def test_a_redelivered_command_is_answered_again_without_being_handled_twice():
    world, tailor = tailor_world()
    hem = world.send(SvcHemDress(order_id="order-1"))
    world.run()
    world.send(hem)
    world.run()
    assert tailor.hems_sewn == 1
    replies = world.history.of_kind("replied")
    assert len(replies) == 2 and replies[0].detail["result"] == replies[1].detail["result"]
    duplicate = world.history.of_kind("duplicate")
    assert len(duplicate) == 1 and duplicate[0].message_id == hem.message_id
    assert len(world.history.of_kind("published")) == 1  # the event is not published again


def test_the_same_hem_under_a_new_message_id_is_a_new_command():
    world, tailor = tailor_world()
    world.call(SvcHemDress(order_id="order-1"))
    world.call(SvcHemDress(order_id="order-1"))
    assert tailor.hems_sewn == 2


def test_a_rejection_is_remembered_so_a_redelivery_gets_the_same_answer_without_running():
    world, tailor = tailor_world()
    hem = world.send(SvcHemDress(order_id="order-1", cm=30))
    world.run()
    tailor.broken_needles = 5  # a rerun would now fail differently
    world.send(hem)
    world.run()
    replies = world.history.of_kind("replied")
    assert [r.detail["error"] for r in replies] == ["cannot take a hem up 30 cm; at most 10"] * 2
    assert tailor.broken_needles == 5


def test_a_command_the_service_gave_up_on_gets_a_fresh_chance_when_it_is_sent_again():
    world, tailor = tailor_world(faults=[FailNext("tailor", n=3)])
    hem = world.send(SvcHemDress(order_id="order-1"))
    world.run()
    gave_up = world.client.replies[hem.message_id]
    assert not gave_up.ok and not gave_up.rejected
    world.send(hem)
    world.run()
    assert world.client.replies[hem.message_id].ok
    assert tailor.hems_sewn == 1


def test_a_command_the_service_gave_up_on_is_not_run_again_by_a_mere_redelivery():
    world, tailor = tailor_world(faults=[FailNext("tailor", n=3)])
    hem = world.send(SvcHemDress(order_id="order-1"))
    world.run()
    tailor.receive(hem, None)  # the same delivery again, as a broker would repeat it
    world.run()
    assert tailor.hems_sewn == 0
    assert world.history.of_kind("duplicate")[-1].message_id == hem.message_id


def test_a_rejection_says_it_was_rejected_and_giving_up_does_not():
    world, _ = tailor_world(Tailor(broken_needles=3))
    assert not world.call(SvcHemDress(order_id="order-1")).rejected
    assert world.call(SvcHemDress(order_id="order-2", cm=30)).rejected


def test_events_published_by_a_failed_attempt_are_discarded():
    class ClumsyTailor(Tailor):
        @handles(SvcHemDress)
        def hem_dress(self, command):
            self.publish(SvcDressHemmed(order_id=command.order_id, cm=command.cm))
            raise Rejected("dropped the dress")

    world, _ = tailor_world(ClumsyTailor())
    assert not world.call(SvcHemDress(order_id="order-1")).ok
    assert world.history.of_kind("published") == []


@pytest.mark.parametrize("options, complaint", [
    (dict(attempts=0), "at least 1"),
    (dict(attempts=2.5), "whole number"),
    (dict(backoff=-1), ">= 0"),
    (dict(multiplier=0.5), "hammer"),
])
def test_a_retry_policy_that_cannot_work_is_refused_saying_why(options, complaint):
    with pytest.raises(ValueError, match=complaint):
        RetryPolicy(**options)


def test_backoff_grows_by_the_multiplier_and_stops_at_the_maximum():
    policy = RetryPolicy(attempts=6, backoff=1, multiplier=3, max_backoff=20)
    assert [policy.delay(n) for n in range(1, 6)] == [1, 3, 9, 20, 20]
