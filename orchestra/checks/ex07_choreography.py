"""Checks for exercise 7: Invoicing joins the choreographed shop; a stuck order is set free (``ex07_choreography.py``)."""
from orchestra import FailNext, World
from orchestra.choreography import Tracker
from orchestra.grading import points
from orchestra.shop import CATALOGUE, PlaceOrder
from orchestra.shop.choreography import (ENDINGS, MILESTONES, ChoreographedInventory,
                                         ChoreographedOrders, ChoreographedPayment,
                                         ChoreographedShipping, build_choreographed_world)

RED_DRESS = CATALOGUE["red-dress"]
SHELBYVILLE = "12 Elm Road, Shelbyville"  # no courier goes there: the order is undone


def shop_with(invoicing, **options):
    """The choreographed shop (couriers only to Springfield) with the learner's Invoicing."""
    return World([ChoreographedOrders(), ChoreographedInventory(), ChoreographedPayment(),
                  ChoreographedShipping(delivers_to=("Springfield",)), invoicing,
                  Tracker(MILESTONES, ENDINGS)], seed=1, **options)


def order(world, order_id="o-1", customer="ada", **fields):
    """Ada orders the red dress, and the world runs until nothing is left to do."""
    world.send(PlaceOrder(order_id=order_id, customer=customer, sku="red-dress", **fields),
               correlation_id=order_id)
    world.run()
    return world


def stuck_order():
    """Payment gives up on ada's StockReserved without a word: the order is stuck."""
    world = build_choreographed_world("direct", seed=1, stock={"red-dress": 10})
    world.faults.add(FailNext("payment", n=3, command="StockReserved"))
    order(world)
    tracker = world.service("tracker")
    assert tracker.status("o-1") == "stock reserved" and not tracker.finished("o-1")
    return world


@points(2, hint="@subscribes(PaymentCharged) on invoice_when_paid; it appends "
                 "event.amount_cents to self.invoices.setdefault(event.order_id, []).")
def test_invoicing_invoices_ada_s_red_dress_once_it_is_paid(exercise):
    """Invoicing invoices ada's red dress once it is paid"""
    invoicing = exercise.Invoicing()
    order(shop_with(invoicing))
    assert invoicing.invoices == {"o-1": [RED_DRESS]}, f"the invoices are {invoicing.invoices}"


@points(1, hint="self.issued += 1, then self.publish(InvoiceIssued(order_id=..., "
                 "number=f'INV-{self.issued:04d}', amount_cents=...)).")
def test_each_invoice_is_published_with_its_own_number(exercise):
    """Each invoice is published, with its own number"""
    world = shop_with(exercise.Invoicing())
    order(world, "o-1")
    order(world, "o-2", customer="bob")
    issued = [r.detail["message"] for r in world.history.where(kind="published",
                                                               message_type="InvoiceIssued")]
    found = [(m["order_id"], m["number"], m["amount_cents"]) for m in issued]
    assert found == [("o-1", "INV-0001", RED_DRESS), ("o-2", "INV-0002", RED_DRESS)], (
        f"the InvoiceIssued events published were {found}")


@points(2, hint="@subscribes(PaymentRefunded) on credit_when_refunded; it appends "
                 "-event.amount_cents, so the order's invoices add up to 0.")
def test_a_refunded_order_gets_a_credit_note_and_nets_to_nothing(exercise):
    """A refunded order gets a credit note, and nets to nothing"""
    invoicing = exercise.Invoicing()
    order(shop_with(invoicing), address=SHELBYVILLE)
    assert invoicing.invoices == {"o-1": [RED_DRESS, -RED_DRESS]}, (
        f"no courier could take it, so it was refunded; the invoices are {invoicing.invoices}")
    assert invoicing.balance_cents("o-1") == 0


@points(1, hint="Invoicing only listens: it handles no command, and subscribes to "
                 "PaymentCharged and PaymentRefunded.")
def test_invoicing_only_listens(exercise):
    """Invoicing only listens"""
    heard = sorted(e.__name__ for e in exercise.Invoicing.event_handlers)
    assert heard == ["PaymentCharged", "PaymentRefunded"], f"Invoicing hears {heard}"
    assert exercise.Invoicing.command_handlers == {}, "Invoicing handles commands; it need not"


@points(1, hint="milestones() returns {**MILESTONES, InvoiceIssued: 'invoiced'}: a new "
                 "dict, the shop's own left as it was.")
def test_the_milestones_keep_the_shop_s_and_add_invoiced(exercise):
    """The milestones keep the shop's, and add 'invoiced'"""
    before = dict(MILESTONES)
    found = exercise.milestones()
    assert found.get(exercise.InvoiceIssued) == "invoiced", "InvoiceIssued is not 'invoiced'"
    missing = [label for event, label in MILESTONES.items() if found.get(event) != label]
    assert missing == [], f"these milestones went missing: {missing}"
    assert MILESTONES == before, "milestones() changed the shop's MILESTONES; copy it instead"


@points(2, hint="build_world: the four choreographed contexts, Invoicing(), and "
                 "Tracker(milestones(), ENDINGS), in World([...], transport=..., seed=...).")
def test_in_the_shop_built_with_invoicing_the_tracker_sees_ada_s_order_invoiced(exercise):
    """In the shop built with Invoicing, the tracker sees ada's order invoiced"""
    world = order(exercise.build_world(seed=1))
    seen = world.service("tracker").milestones_of("o-1")
    assert "invoiced" in seen and seen[-1] == "approved", f"the tracker saw {seen}"
    assert world.service("invoicing").invoices == {"o-1": [RED_DRESS]}


@points(2, hint="Find the event ChoreographedInventory releases the dress on; publish it "
                 "for the order as Payment would (sender='payment'), then run the world.")
def test_unstick_puts_the_dress_back_and_the_order_ends_rejected_unpaid(exercise):
    """unstick puts the dress back, and the order ends rejected, unpaid"""
    world = stuck_order()
    exercise.unstick(world, "o-1")
    world.run()
    tracker = world.service("tracker")
    assert tracker.finished("o-1") and tracker.status("o-1") == "rejected", (
        f"the order's milestones are {tracker.milestones_of('o-1')}")
    assert world.service("inventory").units("red-dress") == 10, "the dress is still reserved"
    assert world.service("payment").balance_cents("o-1") == 0


@points(1, hint="The event nobody sent is Payment's own failure: PaymentFailed, which the "
                 "tracker shows as 'payment failed'.")
def test_unstick_publishes_the_failure_payment_never_sent(exercise):
    """unstick publishes the failure Payment never sent"""
    world = stuck_order()
    exercise.unstick(world, "o-1")
    world.run()
    seen = world.service("tracker").milestones_of("o-1")
    assert seen[:3] == ["placed", "stock reserved", "payment failed"], f"the tracker saw {seen}"
