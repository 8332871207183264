"""Exercise 12, adding a service: a fraud check joins both shops; count what it touches.

The shop adds a new bounded context, FraudCheck: it screens every order after the dress
is reserved and before the card is charged, and refuses orders from customers on its
blocked list (mallory) or for more than 500 euros. FraudCheck is written for you. Your
job is to fit it into the shop twice, once orchestrated and once choreographed, and then
to let orchestra.analysis count the components each way had to touch.

Part A (orchestration): the shop's saga with a new step, screening_order, between
        reserving_stock and charging_payment. Screening changes nothing to undo.
Part B (choreography): no one is in charge, so the contexts around it must change:
        FraudCheck screens when stock is reserved and publishes OrderScreened or
        OrderSuspected; Payment charges on OrderScreened instead of StockReserved;
        Inventory puts the dress back on OrderSuspected; the tracker learns two milestones.
Part C: build the shop before and after, in each style, run ada's order in each, and
        return the components touched, computed with orchestra.analysis.components_touched.

Check your work: check("ex12") in a notebook, or `orchestra grade exercises/` in a terminal.
"""
from dataclasses import dataclass

from orchestra import Command, Event, Rejected, Service, World, handles, subscribes
from orchestra.analysis import components_touched
from orchestra.choreography import Tracker
from orchestra.orchestrator import Orchestrator
from orchestra.saga import Saga, Step
from orchestra.shop import (Inventory, OrderPlaced, Payment, PlaceOrder, ReleaseStock, Shipping,
                            StockReserved)
from orchestra.shop.choreography import (ENDINGS, MILESTONES, ChoreographedInventory,
                                         ChoreographedOrders, ChoreographedPayment,
                                         ChoreographedShipping)
from orchestra.shop.order import order_data, place_order_saga


# -- the new context, the same in both styles (written for you) ---------------------------
@dataclass(frozen=True, kw_only=True)
class ScreenOrder(Command):
    """Screen an order for fraud before the card is charged."""

    order_id: str
    customer: str
    amount_cents: int


@dataclass(frozen=True, kw_only=True)
class OrderScreened(Event):
    order_id: str


@dataclass(frozen=True, kw_only=True)
class OrderSuspected(Event):
    order_id: str
    reason: str


class FraudCheck(Service):
    """Risk: screens orders, refusing blocked customers and amounts over its limit."""

    name = "fraud_check"

    def __init__(self, blocked: tuple[str, ...] = ("mallory",), limit_cents: int = 50_000):
        self.blocked = set(blocked)
        self.limit_cents = limit_cents
        self.screened: list[str] = []

    @handles(ScreenOrder)
    def screen_order(self, command: ScreenOrder) -> dict:
        if command.customer in self.blocked:
            raise Rejected(f"{command.customer} is on the blocked list")
        if command.amount_cents > self.limit_cents:
            raise Rejected(f"{command.amount_cents} cents is over the "
                           f"{self.limit_cents} cent limit for one order")
        self.screened.append(command.order_id)
        self.publish(OrderScreened(order_id=command.order_id))
        return {"screened": command.order_id}


# -- running an order in each style (written for you) -------------------------------------
def run_orchestrated(saga: Saga, services: list, customers=("ada",)) -> World:
    """A world of ``services`` and an orchestrator "order" on ``saga``, after each customer's
    order for the red dress (o-1, o-2, ...) ran to its end."""
    world = World(services, seed=1)
    orchestrator = Orchestrator(world, saga, name="order")
    for number, customer in enumerate(customers, 1):
        order_id = f"o-{number}"
        orchestrator.start(saga, order_id, **order_data(order_id, customer=customer))
    world.run()
    return world


def run_choreographed(services: list, customers=("ada",)) -> World:
    """A world of ``services``, after each customer's order for the red dress ran to its end."""
    world = World(services, seed=1)
    for number, customer in enumerate(customers, 1):
        order_id = f"o-{number}"
        world.send(PlaceOrder(order_id=order_id, customer=customer, sku="red-dress"),
                   correlation_id=order_id)
    world.run()
    return world


# -- Part A: orchestration ----------------------------------------------------------------
def orchestrated_saga() -> Saga:
    """The shop's saga with screening_order between reserving_stock and charging_payment."""
    # TODO (part A): take the steps of place_order_saga() (reserve, charge, ship = its
    # .steps), and return Saga("place_order", [...]) with Step("screening_order",
    # ScreenOrder) between the first two. Keep the shop's saga's completed_event and
    # compensated_event (pass them on by name) so the order still ends approved or rejected.
    shop = place_order_saga()
    reserve, charge, ship = shop.steps
    return Saga("place_order", [reserve, Step("screening_order", ScreenOrder), charge, ship],
                completed_event=shop.completed_event,
                compensated_event=shop.compensated_event)


# -- Part B: choreography -----------------------------------------------------------------
class ChoreographedFraudCheck(FraudCheck):
    """FraudCheck, choreographed: it keeps its own copy of who pays what, and screens an
    order as soon as its stock is reserved."""

    def __init__(self, blocked: tuple[str, ...] = ("mallory",), limit_cents: int = 50_000):
        super().__init__(blocked, limit_cents)
        self.orders: dict[str, tuple[str, int]] = {}

    @subscribes(OrderPlaced)
    def note_order(self, event: OrderPlaced) -> None:
        self.orders[event.order_id] = (event.customer, event.total_cents)

    # TODO (part B): make screen_when_reserved a subscriber to StockReserved. Look up the
    # order's (customer, amount) in self.orders, and call self.screen_order(ScreenOrder(...))
    # (it publishes OrderScreened when the order passes). When it raises Rejected, publish
    # OrderSuspected(order_id=..., reason=str(refusal)) instead.
    @subscribes(StockReserved)
    def screen_when_reserved(self, event):
        """Screen the order whose stock was just reserved."""
        customer, amount = self.orders[event.order_id]
        try:
            self.screen_order(ScreenOrder(order_id=event.order_id, customer=customer,
                                          amount_cents=amount))
        except Rejected as refusal:
            self.publish(OrderSuspected(order_id=event.order_id, reason=str(refusal)))


class ScreenedPayment(ChoreographedPayment):
    """Payment, re-wired: it charges once the order is screened, not once stock is reserved."""

    # TODO (part B): mark charge_when_reserved again, with @subscribes(OrderScreened): a
    # method marked again in a subclass hears only its new event. Its body just calls
    # super().charge_when_reserved(event), which needs only event.order_id.
    @subscribes(OrderScreened)
    def charge_when_reserved(self, event):
        """Charge the card for an order that passed screening."""
        super().charge_when_reserved(event)


class ScreenedInventory(ChoreographedInventory):
    """Inventory, which must now also put the dress back when an order is suspected."""

    # TODO (part B): make release_when_suspected a subscriber to OrderSuspected; it calls
    # self.release_stock(ReleaseStock(order_id=event.order_id)).
    @subscribes(OrderSuspected)
    def release_when_suspected(self, event):
        """Put the dress of a suspected order back on the shelf."""
        self.release_stock(ReleaseStock(order_id=event.order_id))


def screened_milestones() -> dict:
    """The tracker's milestones: the shop's, with "screened" and "screening failed"."""
    # TODO (part B): a new dict: everything in MILESTONES, OrderScreened -> "screened" and
    # OrderSuspected -> "screening failed".
    return {**MILESTONES, OrderScreened: "screened", OrderSuspected: "screening failed"}


# -- Part C: count what adding the service touched ----------------------------------------
def touched_by_fraud_check() -> dict[str, list[str]]:
    """The components touched to add FraudCheck: {"orchestration": [...], "choreography": [...]}."""
    # TODO (part C): build each shop before and after, and run ada's order in all four:
    #   orchestration, before: run_orchestrated(place_order_saga(), [Inventory(), Payment(),
    #                          Shipping()])
    #                  after:  the same with orchestrated_saga(), and FraudCheck() added
    #   choreography, before:  run_choreographed([ChoreographedOrders(),
    #                          ChoreographedInventory(), ChoreographedPayment(),
    #                          ChoreographedShipping(), Tracker(MILESTONES, ENDINGS)])
    #                  after:  ScreenedInventory, ScreenedPayment, ChoreographedFraudCheck and
    #                          a Tracker(screened_milestones(), ENDINGS) in their places
    # Return {"orchestration": components_touched(before, after), "choreography": ...}.
    before = run_orchestrated(place_order_saga(), [Inventory(), Payment(), Shipping()])
    after = run_orchestrated(orchestrated_saga(), [Inventory(), Payment(), Shipping(),
                                                   FraudCheck()])
    dance_before = run_choreographed([ChoreographedOrders(), ChoreographedInventory(),
                                      ChoreographedPayment(), ChoreographedShipping(),
                                      Tracker(MILESTONES, ENDINGS)])
    dance_after = run_choreographed([ChoreographedOrders(), ScreenedInventory(),
                                     ScreenedPayment(), ChoreographedShipping(),
                                     ChoreographedFraudCheck(),
                                     Tracker(screened_milestones(), ENDINGS)])
    return {"orchestration": components_touched(before, after),
            "choreography": components_touched(dance_before, dance_after)}
