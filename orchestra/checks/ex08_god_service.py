"""Checks for exercise 8: the God service refactored, decisions back where they belong
(``ex08_god_service.py``)."""
from orchestra import World
from orchestra.analysis import decisions
from orchestra.grading import points
from orchestra.orchestrator import Orchestrator
from orchestra.shop.order import order_data

STOCK = {"red-dress": 3, "blue-scarf": 5, "green-hat": 5}
# (order, customer, item, units): members and not, one and several units, one over the
# limit (refused), and the last one finds the red dresses sold out (undone).
ORDERS = [("o-1", "ada", "red-dress", 1), ("o-2", "bob", "blue-scarf", 2),
          ("o-3", "cy", "green-hat", 2), ("o-4", "dan", "red-dress", 3),
          ("o-5", "eve", "green-hat", 1), ("o-6", "bob", "red-dress", 2),
          ("o-7", "ada", "red-dress", 1)]
PRICES = [(customer, sku, units) for _, customer, sku, units in ORDERS] + [
    ("cy", "blue-scarf", 1), ("eve", "blue-scarf", 2), ("ada", "green-hat", 2)]


def run_the_day(saga, services):
    """Every order of ORDERS through ``saga``; returns (states, ledger, stock left)."""
    world = World(services, seed=8)
    order = Orchestrator(world, saga, name="order")
    for order_id, customer, sku, units in ORDERS:
        order.start(saga, order_id, **order_data(order_id, customer=customer, sku=sku,
                                                 quantity=units))
    world.run()
    states = {order_id: order.state(order_id) for order_id, *_ in ORDERS}
    ledger = sorted(world.service("payment").ledger)
    stock = {sku: world.service("inventory").units(sku) for sku in STOCK}
    return states, ledger, stock


@points(2, hint="lean_saga: the three steps of god_saga() with the same names, and no "
                 "prepare= on any of them: the orchestrator only sends commands.")
def test_the_lean_saga_leaves_the_orchestrator_nothing_to_decide(exercise):
    saga = exercise.lean_saga()
    assert [s.name for s in saga.steps] == [s.name for s in exercise.god_saga().steps], (
        f"the steps are {[s.name for s in saga.steps]}")
    found = decisions(saga)
    assert found.count == 0, (f"the orchestrator still decides {found.count} thing(s): "
                              + "; ".join(f"{d.function} line {d.line}: {d.code}" for d in found))


@points(1, hint="charging_payment sends ChargeOrder (Payment prices it), undone by "
                 "RefundPayment; the other steps send what god_saga's send.")
def test_the_lean_saga_asks_payment_to_charge_the_order_not_an_amount(exercise):
    sent = [(s.action.__name__, s.compensation.__name__ if s.compensation else None)
            for s in exercise.lean_saga().steps]
    assert sent == [("ReserveStock", "ReleaseStock"), ("ChargeOrder", "RefundPayment"),
                    ("ScheduleShipment", "CancelShipment")], f"the steps send {sent}"


@points(2, hint="price_cents: self.prices[sku] * quantity; then * 90 // 100 for a "
                 "LOYALTY_CLUB member; then minus MULTI_BUY_OFF for 2 or more units.")
def test_payment_prices_every_order_as_the_orchestrator_did(exercise):
    payment = exercise.PricingPayment()
    for customer, sku, units in PRICES:
        wanted = exercise.price_in_the_orchestrator(
            {"customer": customer, "sku": sku, "quantity": units})["amount_cents"]
        got = payment.price_cents(customer, sku, units)
        assert got == wanted, (f"{units} x {sku} for {customer}: price_cents says {got}, "
                               f"the orchestrator charged {wanted}")


@points(1, hint="price_cents reads Payment's own price list, self.prices, not CATALOGUE: "
                 "then a sale is a change to Payment alone.")
def test_a_sale_is_a_change_to_payment_alone(exercise):
    on_sale = exercise.PricingPayment(prices={"red-dress": 7_000})
    assert on_sale.price_cents("bob", "red-dress", 1) == 7_000, (
        "with the red dress at 7,000 cents in Payment's price list, bob pays "
        f"{on_sale.price_cents('bob', 'red-dress', 1)}")
    assert on_sale.price_cents("ada", "red-dress", 1) == 6_300


@points(2, hint="charge_order: return self.charge_payment(ChargePayment(order_id=..., "
                 "customer=..., amount_cents=self.price_cents(...))).")
def test_charge_order_charges_what_the_order_costs_once(exercise):
    world = World([exercise.PricingPayment()], seed=8)
    command = exercise.ChargeOrder(order_id="o-3", customer="cy", sku="green-hat", quantity=2)
    first = world.call(command)
    again = world.call(exercise.ChargeOrder(order_id="o-3", customer="cy", sku="green-hat",
                                            quantity=2))
    assert first.ok and again.ok, f"charging failed: {first.error or again.error}"
    assert world.service("payment").ledger == [("o-3", 3_820)], (
        f"cy's two green hats: the ledger says {world.service('payment').ledger}, "
        "wanted one charge of 3,820 cents")
    assert first.result == {"charged_cents": 3_820}, f"the reply says {first.result}"


@points(3, hint="Run both: the lean saga with lean_services() must end every order as the "
                 "God saga did: same states, same charges, same stock left.")
def test_every_order_ends_exactly_as_under_the_god_service(exercise):
    before = run_the_day(exercise.god_saga(), exercise.god_services(STOCK))
    after = run_the_day(exercise.lean_saga(), exercise.lean_services(STOCK))
    for what, old, new in zip(("states", "charges", "stock left"), before, after):
        assert new == old, f"the {what} differ: before {old}, after {new}"
