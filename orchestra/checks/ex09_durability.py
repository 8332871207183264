"""Checks for exercise 9: orders that survive the orchestrator's crash, and a payment that
a resend cannot take twice (``ex09_durability.py``)."""
from orchestra import World
from orchestra.grading import points
from orchestra.orchestrator import Orchestrator
from orchestra.shop import Inventory, Payment, Shipping
from orchestra.shop.order import order_data, place_order_saga
from orchestra.store import OrchestratorCrashed, SqliteStore

STOCK = {"red-dress": 5, "blue-scarf": 5, "green-hat": 5}
ORDERS = {"ada-1": order_data("ada-1", customer="ada"),
          "bob-1": order_data("bob-1", customer="bob", sku="blue-scarf"),
          "cy-1": order_data("cy-1", customer="cy", sku="green-hat", quantity=2)}
DOWN_FOR = 5.0  # virtual seconds between the crash and the recovery


def shop():
    return World([Inventory(STOCK), Payment(), Shipping()], seed=9)


def place_missing(orchestrator, saga, world, orders=ORDERS):
    """Place every order the orchestrator has no record of (the shop tries again), run."""
    for order_id, data in orders.items():
        if orchestrator.store.snapshot(order_id) is None:
            orchestrator.start(saga, order_id, **data)
    world.run()


def assert_each_order_completed_and_charged_once(world, orchestrator, orders=ORDERS):
    assert orchestrator.counts() == {"completed": len(orders)}, (
        f"after the recovery the orders are {orchestrator.counts()}, not all completed")
    ledger = sorted(world.service("payment").ledger)
    wanted = sorted((o, d["amount_cents"]) for o, d in orders.items())
    assert ledger == wanted, f"Payment's ledger is {ledger}; each order is charged once: {wanted}"


@points(1, hint="durable_orchestrator: Orchestrator(world, saga, name='order', "
                 "store=SqliteStore(path, crash_after_writes=crash_after_writes)).")
def test_the_durable_orchestrator_keeps_its_orders_in_the_sqlite_file(exercise, tmp_path):
    world, saga, path = shop(), place_order_saga(), tmp_path / "orders.sqlite"
    order = exercise.durable_orchestrator(world, saga, path)
    assert isinstance(order, Orchestrator) and order.name == "order", (
        f"got {order!r}; return an Orchestrator named 'order'")
    assert order.store.durable, f"its store is a {type(order.store).__name__}, gone in a crash"
    order.start(saga, "ada-1", **ORDERS["ada-1"])
    world.run()
    assert SqliteStore(path).snapshot("ada-1") is not None, f"{path.name} does not hold ada-1"


@points(3, hint="With the orders in SQLite, recover(world, saga, path) must be "
                 "Orchestrator.recover(world, saga, name='order', store=SqliteStore(path)): "
                 "whatever write the crash came after, every order completes, charged once.")
def test_a_crash_after_any_write_loses_no_order_and_charges_none_twice(exercise, tmp_path):
    saga, crashes = place_order_saga(), 0
    two = {o: ORDERS[o] for o in ("ada-1", "bob-1")}
    for n in range(1, 100):
        world, path = shop(), tmp_path / f"crash-after-{n}.sqlite"
        order = exercise.durable_orchestrator(world, saga, path, crash_after_writes=n)
        try:
            place_missing(order, saga, world, two)
        except OrchestratorCrashed:
            crashes += 1
            order.crash()
            world.run(until=world.clock.now + DOWN_FOR)
            order = exercise.recover(world, saga, path)
            place_missing(order, saga, world, two)
        else:
            break  # n is past the last write: every moment has been tried
        assert_each_order_completed_and_charged_once(world, order, two)
    assert crashes >= 8, (f"only {crashes} crashes happened: pass crash_after_writes on "
                          "to the SqliteStore")


@points(2, hint="recover: a fresh SqliteStore(path) on the same file, given to "
                 "Orchestrator.recover(..., name='order', store=...).")
def test_orders_in_flight_when_the_orchestrator_dies_complete_after_recovery(exercise, tmp_path):
    world, saga, path = shop(), place_order_saga(), tmp_path / "orders.sqlite"
    order = exercise.durable_orchestrator(world, saga, path)
    for order_id, data in ORDERS.items():
        order.start(saga, order_id, **data)
    world.run(until=0.03)  # the charges are on their way
    order.crash()
    world.run(until=world.clock.now + DOWN_FOR)
    recovered = exercise.recover(world, saga, path)
    assert recovered.name == "order" and recovered.store.durable, (
        "recover should give back a durable orchestrator named 'order'")
    world.run()
    assert_each_order_completed_and_charged_once(world, recovered)


@points(2, hint="The order id is the business key: if self.paid has the order already, "
                 "answer {'debited_cents': self.paid[order_id]} and take nothing more.")
def test_a_wallet_debits_an_order_once_though_it_is_asked_twice(exercise):
    world = World([exercise.Wallet({"ada": 10_000})], seed=9)
    for _ in range(2):  # a new message id each time: "pay" pressed twice
        reply = world.call(exercise.DebitWallet(order_id="ada-1", customer="ada",
                                                amount_cents=8_900))
        assert reply.ok, f"the debit failed: {reply.error}"
    wallet = world.service("wallet")
    assert wallet.balances["ada"] == 1_100, (
        f"ada has {wallet.balances['ada']} cents left; one debit of 8,900 leaves 1,100")


@points(1, hint="The second answer is the first one again: {'debited_cents': 8900}.")
def test_the_second_answer_is_the_first_one_again(exercise):
    world = World([exercise.Wallet({"ada": 10_000})], seed=9)
    first = world.call(exercise.DebitWallet(order_id="ada-1", customer="ada",
                                            amount_cents=8_900))
    again = world.call(exercise.DebitWallet(order_id="ada-1", customer="ada",
                                            amount_cents=8_900))
    assert first.ok and first.result == {"debited_cents": 8_900}, (
        f"the first debit answered {first.result or first.error}")
    assert again.result == first.result, f"the second answered {again.result or again.error}"


@points(1, hint="A balance too low is a business refusal: raise Rejected('... has 2000 "
                 "cents ...'), which is not retried, and take nothing.")
def test_a_debit_over_the_balance_is_refused_and_takes_nothing(exercise):
    world = World([exercise.Wallet({"bob": 2_000})], seed=9)
    reply = world.call(exercise.DebitWallet(order_id="bob-1", customer="bob",
                                            amount_cents=8_900))
    assert not reply.ok and reply.rejected, (
        f"the debit answered ok={reply.ok}, rejected={reply.rejected}: {reply.error}")
    assert "2000" in reply.error.replace(",", ""), (
        f"the refusal does not name the balance: {reply.error!r}")
    assert world.service("wallet").balances["bob"] == 2_000
