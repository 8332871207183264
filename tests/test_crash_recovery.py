"""Crash the orchestrator after each durable write in turn: after recovery nothing runs twice
with effect and no order is lost, on either transport, on the happy path and when undoing."""
from __future__ import annotations

import pytest

from orchestra import Down, FailNext, Latency, World
from orchestra.orchestrator import Orchestrator
from orchestra.saga import CompensationPolicy
from orchestra.shop import Inventory, Payment, Shipping
from orchestra.shop.order import order_data, place_order_saga
from orchestra.store import MemoryStore, OrchestratorCrashed, SqliteStore
from test_saga_properties import check_the_shop_balances, time_limit

STOCK = {"red-dress": 5, "blue-scarf": 5, "green-hat": 5}
CRASH_WINDOW = 5.0  # how long the orchestrator stays dead before it is recovered
ADA = {"ada-1": order_data("ada-1", customer="ada")}
THREE_CUSTOMERS = {
    "ada-1": order_data("ada-1", customer="ada"),
    "bob-1": order_data("bob-1", customer="bob", sku="blue-scarf"),
    "cy-1": order_data("cy-1", customer="cy", sku="green-hat", quantity=2),
}
COURIER_CANNOT_BOOK = FailNext("shipping", 1_000, command="ScheduleShipment")
REFUND_FAILS = FailNext("payment", 1_000, command="RefundPayment")


class Day:
    """One day of the shop: the orders placed, and when (if at all) the orchestrator crashed."""

    def __init__(self, path, transport, orders, faults=(), policy=None, crash_after=None):
        self.path = path
        self.orders = orders
        self.world = World([Inventory(STOCK), Payment(), Shipping()], transport=transport,
                           seed=11, faults=faults)
        self.saga = place_order_saga(policy)
        self.orchestrator = Orchestrator(self.world, self.saga, name="order",
                                         store=SqliteStore(path, crash_after_writes=crash_after))
        self.crashes: list[float] = []

    def run(self) -> "Day":
        """Place every order and run the day, recovering from each crash the store causes."""
        try:
            self.place_and_run()
        except OrchestratorCrashed:
            self.crashes.append(self.world.clock.now)
            self.orchestrator.crash()
            self.world.run(until=self.world.clock.now + CRASH_WINDOW)
            self.orchestrator = Orchestrator.recover(self.world, self.saga, name="order",
                                                     store=SqliteStore(self.path))
            self.place_and_run()
        return self

    def place_and_run(self) -> None:
        for order_id, data in self.orders.items():
            # The shop places again any order the orchestrator never stored (it died first).
            if self.orchestrator.store.snapshot(order_id) is None:
                self.orchestrator.start(self.saga, order_id, **data)
        self.world.run()

    def check(self) -> None:
        start = self.crashes[0] + CRASH_WINDOW if self.crashes else 0.0
        check_the_shop_balances(self.world, self.orchestrator, self.orders, STOCK,
                                time_limit(self.saga, start))


def crash_at_every_write(tmp_path, transport, orders, faults=(), policy=None):
    """Run the day once per durable write, crashing right after write n; the days that crashed."""
    days, n = [], 1
    while True:
        day = Day(tmp_path / f"crash-after-{n}.sqlite", transport, orders, faults, policy,
                  crash_after=n).run()
        day.check()
        if not day.crashes:  # n is past the last write: every point has been tried
            return days
        days.append(day)
        n += 1


@pytest.mark.parametrize("transport", ["direct", "queued"])
@pytest.mark.parametrize("orders", [ADA, THREE_CUSTOMERS], ids=["ada", "three-customers"])
def test_a_crash_after_any_write_still_completes_every_order_and_charges_each_once(
        tmp_path, transport, orders):
    calm = Day(tmp_path / "calm.sqlite", transport, orders).run()
    assert calm.orchestrator.counts() == {"completed": len(orders)}
    days = crash_at_every_write(tmp_path, transport, orders)
    assert len(days) >= 4 * len(orders)  # a write per step and one at the end, per order
    for day in days:
        assert day.orchestrator.counts() == {"completed": len(orders)}
        payment = day.world.service("payment")
        assert sorted(payment.ledger) == sorted((o, d["amount_cents"]) for o, d in orders.items())


@pytest.mark.parametrize("transport", ["direct", "queued"])
@pytest.mark.parametrize("orders", [ADA, THREE_CUSTOMERS], ids=["ada", "three-customers"])
def test_a_crash_after_any_write_while_undoing_still_refunds_and_releases_everything(
        tmp_path, transport, orders):
    calm = Day(tmp_path / "calm.sqlite", transport, orders, [COURIER_CANNOT_BOOK]).run()
    assert calm.orchestrator.counts() == {"compensated": len(orders)}
    days = crash_at_every_write(tmp_path, transport, orders, [COURIER_CANNOT_BOOK])
    assert len(days) >= 6 * len(orders)
    for day in days:
        assert day.orchestrator.counts() == {"compensated": len(orders)}
        assert day.world.service("payment").balance_cents() == 0
        assert all(day.world.service("inventory").units(sku) == units
                   for sku, units in STOCK.items())


@pytest.mark.parametrize("transport", ["direct", "queued"])
def test_a_crash_while_the_courier_is_too_slow_never_leaves_a_parcel_or_a_charge_behind(
        tmp_path, transport):
    slow_courier = Latency("shipping", seconds=3.0, until=1.0)
    days = crash_at_every_write(tmp_path, transport, THREE_CUSTOMERS, [slow_courier])
    assert days  # the checks ran on every crashed day inside crash_at_every_write


@pytest.mark.parametrize("transport", ["direct", "queued"])
def test_a_crash_never_emits_the_failed_refund_twice(tmp_path, transport):
    emit = CompensationPolicy(then="emit")
    calm = Day(tmp_path / "calm.sqlite", transport, THREE_CUSTOMERS,
               [COURIER_CANNOT_BOOK, REFUND_FAILS], emit).run()
    assert calm.orchestrator.counts() == {"partially_compensated": 3}
    for day in crash_at_every_write(tmp_path, transport, THREE_CUSTOMERS,
                                    [COURIER_CANNOT_BOOK, REFUND_FAILS], emit):
        emitted = day.world.history.where(kind="published", message_type="CompensationFailed")
        assert sorted(r.correlation_id for r in emitted) == sorted(THREE_CUSTOMERS)


def test_an_orchestrator_that_crashes_twice_still_finishes_every_order_once(tmp_path):
    path = tmp_path / "orders.sqlite"
    day = Day(path, "queued", THREE_CUSTOMERS, crash_after=4)
    with pytest.raises(OrchestratorCrashed):
        day.place_and_run()
    day.orchestrator.crash()
    day.world.run(until=day.world.clock.now + CRASH_WINDOW)
    again = Orchestrator.recover(day.world, day.saga, name="order",
                                 store=SqliteStore(path, crash_after_writes=3))
    with pytest.raises(OrchestratorCrashed):
        day.world.run()
    again.crash()
    day.world.run(until=day.world.clock.now + CRASH_WINDOW)
    day.orchestrator = Orchestrator.recover(day.world, day.saga, name="order",
                                            store=SqliteStore(path))
    day.place_and_run()
    assert day.orchestrator.counts() == {"completed": 3}
    check_the_shop_balances(day.world, day.orchestrator, THREE_CUSTOMERS, STOCK,
                            day.world.clock.now)
    resumed = [r for r in day.world.history if r.kind == "sent" and r.sender == "order"]
    assert len(resumed) > 9  # commands were sent again after each crash, to no extra effect


def test_a_recovered_orchestrator_resumes_the_order_where_it_was(tmp_path):
    path = tmp_path / "orders.sqlite"
    day = Day(path, "direct", ADA, crash_after=2)  # dies right after storing "charging_payment"
    with pytest.raises(OrchestratorCrashed):
        day.place_and_run()
    day.orchestrator.crash()
    assert day.world.service("payment").ledger == []  # the charge never left
    day.world.run(until=CRASH_WINDOW)
    recovered = Orchestrator.recover(day.world, day.saga, name="order", store=SqliteStore(path))
    assert recovered.state("ada-1") == "charging_payment"
    assert recovered.progress("ada-1") == {"done": ["reserving_stock"],
                                           "in_progress": ["charging_payment"],
                                           "not_started": ["scheduling_shipment"]}
    day.world.run()
    assert recovered.state("ada-1") == "completed"
    assert day.world.service("payment").ledger == [("ada-1", ADA["ada-1"]["amount_cents"])]


def test_an_orchestrator_on_a_memory_store_forgets_its_orders_when_it_crashes():
    world = World([Inventory(STOCK), Payment(), Shipping()], seed=11)
    saga = place_order_saga()
    store = MemoryStore(crash_after_writes=2)
    orchestrator = Orchestrator(world, saga, name="order", store=store)
    with pytest.raises(OrchestratorCrashed):
        orchestrator.start(saga, "ada-1", **ADA["ada-1"])
        world.run()
    orchestrator.crash()
    recovered = Orchestrator.recover(world, saga, name="order", store=store)
    world.run()
    assert recovered.counts() == {} and recovered.active == {}
    assert world.service("inventory").reservations == {"ada-1": ("red-dress", 1)}  # stranded


@pytest.mark.parametrize("transport", ["direct", "queued"])
def test_a_booking_cut_off_by_a_crash_is_cancelled_even_if_its_resend_is_refused(
        tmp_path, transport):
    # Ada's booking lands just before the crash; her answer is lost with the orchestrator,
    # and the courier is down when the recovered orchestrator asks again.
    courier_away = Down("shipping", at=1.0, until=7.5)
    two_customers = {o: THREE_CUSTOMERS[o] for o in ("ada-1", "bob-1")}
    for day in crash_at_every_write(tmp_path, transport, two_customers, [courier_away]):
        assert day.world.service("shipping").shipments.keys() <= {
            o for o in two_customers if day.orchestrator.state(o) == "completed"}
