"""Checks for exercise 12: a fraud check added to both shops, and what it touched (``ex12_adding_a_service.py``)."""
from orchestra.analysis import coupling
from orchestra.choreography import Tracker
from orchestra.grading import points
from orchestra.shop import (CATALOGUE, ChargePayment, Inventory, Payment, ReserveStock,
                            ScheduleShipment, Shipping)
from orchestra.shop.choreography import (ENDINGS, MILESTONES, ChoreographedOrders,
                                         ChoreographedShipping)

RED_DRESS = CATALOGUE["red-dress"]


def orchestrated(exercise, *customers):
    """The orchestrated shop with FraudCheck, on the learner's saga, after the orders ran."""
    return exercise.run_orchestrated(
        exercise.orchestrated_saga(),
        [Inventory({"red-dress": 10}), Payment(), Shipping(), exercise.FraudCheck()],
        customers)


def choreographed(exercise, *customers):
    """The choreographed shop with the learner's re-wired contexts, after the orders ran."""
    return exercise.run_choreographed(
        [ChoreographedOrders(), exercise.ScreenedInventory({"red-dress": 10}),
         exercise.ScreenedPayment(), ChoreographedShipping(), exercise.ChoreographedFraudCheck(),
         Tracker(MILESTONES, ENDINGS)], customers)


def steps_of(world, order_id):
    return [r.detail["to"] for r in world.history.for_instance(order_id) if r.kind == "state"]


@points(2, hint="Saga('place_order', [reserve, Step('screening_order', ScreenOrder), charge, "
                 "ship], completed_event=..., compensated_event=...) from place_order_saga().")
def test_the_saga_screens_the_order_after_reserving_the_dress_and_before_charging(exercise):
    """The saga screens the order after reserving the dress and before charging"""
    saga = exercise.orchestrated_saga()
    found = [(s.name, s.action.__name__) for s in saga.steps]
    assert found == [("reserving_stock", ReserveStock.__name__),
                     ("screening_order", exercise.ScreenOrder.__name__),
                     ("charging_payment", ChargePayment.__name__),
                     ("scheduling_shipment", ScheduleShipment.__name__)], f"the steps are {found}"
    assert saga.completed_event is not None, "keep the shop's completed_event (OrderApproved)"


@points(2, hint="With FraudCheck's step in the saga, mallory's order is refused before her "
                 "card is charged, and the orchestrator puts the dress back.")
def test_orchestrated_mallory_is_refused_before_her_card_is_charged_and_ada_is_not(exercise):
    """Orchestrated, mallory is refused before her card is charged, and ada is not"""
    world = orchestrated(exercise, "ada", "mallory")
    assert steps_of(world, "o-1")[-1] == "completed", f"ada's order went {steps_of(world, 'o-1')}"
    assert steps_of(world, "o-2")[-1] == "compensated", (
        f"mallory's order went {steps_of(world, 'o-2')}")
    assert world.service("payment").ledger == [("o-1", RED_DRESS)]
    assert world.service("inventory").units("red-dress") == 9
    assert world.service("fraud_check").screened == ["o-1"]


@points(2, hint="ScreenedPayment: @subscribes(OrderScreened) above charge_when_reserved; "
                 "ChoreographedFraudCheck: @subscribes(StockReserved) above screen_when_reserved.")
def test_choreographed_ada_is_charged_only_once_her_order_is_screened(exercise):
    """Choreographed, ada is charged only once her order is screened"""
    heard = sorted(e.__name__ for e in exercise.ScreenedPayment.event_handlers)
    assert "StockReserved" not in heard, (
        "ScreenedPayment still hears StockReserved: it would charge before the screening")
    world = choreographed(exercise, "ada")
    tracker = world.service("tracker")
    assert tracker.status("o-1") == "approved", f"ada's order went {tracker.milestones_of('o-1')}"
    screened = world.history.where(kind="published", message_type="OrderScreened")
    charged = world.history.where(kind="published", message_type="PaymentCharged")
    assert screened and charged and screened[0].seq < charged[0].seq, (
        "the card was charged before the order was screened")


@points(2, hint="When screen_order raises Rejected, publish OrderSuspected; ScreenedInventory "
                 "hears it (@subscribes(OrderSuspected)) and releases the stock.")
def test_choreographed_mallory_is_suspected_her_dress_goes_back_and_she_pays_nothing(exercise):
    """Choreographed, mallory is suspected: her dress goes back and she pays nothing"""
    world = choreographed(exercise, "ada", "mallory")
    tracker = world.service("tracker")
    assert tracker.status("o-2") == "rejected", (
        f"mallory's order went {tracker.milestones_of('o-2')}")
    assert world.service("payment").ledger == [("o-1", RED_DRESS)]
    assert world.service("inventory").units("red-dress") == 9, (
        "mallory's dress is still reserved: Inventory must release on OrderSuspected")


@points(1, hint="screened_milestones(): {**MILESTONES, OrderScreened: 'screened', "
                 "OrderSuspected: 'screening failed'}.")
def test_the_tracker_learns_the_two_screening_milestones(exercise):
    """The tracker learns the two screening milestones"""
    found = exercise.screened_milestones()
    assert found.get(exercise.OrderScreened) == "screened"
    assert found.get(exercise.OrderSuspected) == "screening failed"
    assert {e: found.get(e) for e in MILESTONES} == MILESTONES, "keep the shop's milestones"


@points(3, hint="Per style, build the shop before and after, run ada's order in each, and "
                 "pass the two worlds to components_touched(before, after).")
def test_the_fraud_check_touches_two_components_orchestrated_and_four_choreographed(exercise):
    """The fraud check touches two components orchestrated, and four choreographed"""
    found = exercise.touched_by_fraud_check()
    assert sorted(found) == ["choreography", "orchestration"], f"the keys are {sorted(found)}"
    assert sorted(found["orchestration"]) == ["fraud_check", "order"], (
        f"orchestrated, it touched {found['orchestration']}")
    assert sorted(found["choreography"]) == ["fraud_check", "inventory", "payment", "tracker"], (
        f"choreographed, it touched {found['choreography']}")


@points(1, hint="Let orchestra.analysis compare the worlds: return what "
                 "components_touched(before, after) gives, not a list typed by hand.")
def test_the_components_touched_are_computed_from_the_worlds_not_typed_in(exercise):
    """The components touched are computed from the worlds, not typed in"""
    compared = []
    original = coupling.contracts

    def contracts(world):
        compared.append(world)
        return original(world)

    coupling.contracts = contracts
    try:
        exercise.touched_by_fraud_check()
    finally:
        coupling.contracts = original
    assert len(compared) >= 4, (f"orchestra.analysis read {len(compared)} world(s); compare "
                                "two worlds (before, after) for each style")
    services = [sorted(world.endpoints) for world in compared]
    assert any("fraud_check" in names for names in services)
