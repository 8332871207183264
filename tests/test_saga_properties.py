"""For any seed and any fault plan, on either transport, every order ends and the shop balances.

Hypothesis draws the plan: services going down and coming back, slow services, failing
actions and failing compensations, duplicate deliveries, and the saga's policy for an undo
that keeps failing. :func:`check_the_shop_balances` states DESIGN.md's invariants 1-4 and 6
for the place_order saga; the crash-recovery tests check the same after every crash.
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from orchestra import Down, FailNext, FailRandomly, Latency, RetryPolicy, World
from orchestra.orchestrator import Orchestrator
from orchestra.saga import ENDINGS, CompensationPolicy
from orchestra.shop import Inventory, Payment, Shipping
from orchestra.shop.order import order_data, place_order_saga

TRANSPORTS = ("direct", "queued")
STOCK = {"red-dress": 2, "blue-scarf": 1, "green-hat": 3}  # few enough to run out
CUSTOMERS = ("ada", "bob", "cy", "dan", "eve")
COMMANDS = {"inventory": ("ReserveStock", "ReleaseStock"),
            "payment": ("ChargePayment", "RefundPayment"),
            "shipping": ("ScheduleShipment", "CancelShipment")}
STEPS = [step.name for step in place_order_saga().steps]


# -- the invariants -----------------------------------------------------------------------------
def effects_left(world: World, order_id: str) -> set[str]:
    """The steps whose effect is still in the services' books for this order."""
    left = set()
    if order_id in world.service("inventory").reservations:
        left.add("reserving_stock")
    if world.service("payment").balance_cents(order_id) != 0:
        left.add("charging_payment")
    if order_id in world.service("shipping").shipments:
        left.add("scheduling_shipment")
    return left


def check_the_shop_balances(world: World, orchestrator: Orchestrator, orders: dict[str, dict],
                            stock: dict[str, int], time_limit: float) -> None:
    """Every order ended in time, each effect happened once, undone ones net to zero, and
    whatever was left undone is named in the history."""
    inventory, payment = world.service("inventory"), world.service("payment")
    shipping = world.service("shipping")
    then = orchestrator.sagas["place_order"].on_compensation_failure.then
    # Nothing is silently lost: every order is stored, and ended; nothing waits anywhere.
    assert sum(orchestrator.counts().values()) == len(orders)
    assert orchestrator.store.unfinished() == [] and orchestrator.active == {}
    assert all(machine.models == [] for machine in orchestrator.machines.values())
    assert all(len(inbox) == 0 for inbox in getattr(world.transport, "inboxes", {}).values())
    # No stock, money or parcel belongs to an order nobody placed; no unit is lost.
    booked = (set(inventory.reservations) | {o for o, _ in payment.ledger}
              | set(shipping.shipments))
    assert booked <= set(orders)
    for sku, units in stock.items():
        reserved = sum(q for s, q in inventory.reservations.values() if s == sku)
        assert inventory.units(sku) + reserved == units, sku
    for order_id, data in orders.items():
        state = orchestrator.state(order_id)
        assert state in ENDINGS, (order_id, state)
        story = orchestrator.history(order_id)
        moves = [r for r in story if r.kind == "state" and r.sender == orchestrator.name]
        assert moves[-1].detail["to"] == state and moves[-1].time <= time_limit, order_id
        done = [m.detail["from"] for m in moves if m.detail["trigger"] == "step_succeeded"]
        undone = [m.detail["to"][len("compensating_"):] for m in moves
                  if m.detail["to"].startswith("compensating_")]
        failed = [r.detail for r in story if r.kind == "failed" and r.sender == orchestrator.name]
        named = [f["compensation"] for f in failed]
        charges = [c for o, c in payment.ledger if o == order_id]
        left = effects_left(world, order_id)
        assert [c for c in charges if c > 0] in ([], [data["amount_cents"]]), order_id
        assert len([c for c in charges if c < 0]) <= 1, order_id
        assert done == STEPS[:len(done)], order_id
        if state == "completed":
            assert done == STEPS and undone == [] and failed == [], order_id
            assert inventory.reservations[order_id] == (data["sku"], data["quantity"])
            assert charges == [data["amount_cents"]] and order_id in shipping.shipments
            continue
        # The undo walks back one step at a time, each once: from the failing step when it
        # may have happened (it timed out), else from the last step done.
        failing = STEPS[len(done)]
        owed = done + [failing] if undone[:1] == [failing] else done
        assert undone == list(reversed(owed))[:len(undone)], (order_id, undone, owed)
        assert all(f["then"] == then for f in failed), order_id
        if state == "compensated":
            assert undone == list(reversed(owed)) and failed == [] and not left, order_id
        elif state == "partially_compensated":
            assert undone == list(reversed(owed)) and then in ("discard", "emit"), order_id
            assert named and left <= set(named), (order_id, left, named)
        else:  # compensation_failed: the undo stopped at the step named in the history
            assert then == "terminate" and named == undone[-1:], (order_id, named, undone)
            assert left <= set(owed) - set(undone[:-1]), (order_id, left)
        emitted = [r.detail["message"]["step"] for r in story
                   if r.kind == "published" and r.message_type == "CompensationFailed"]
        assert emitted == (named if then == "emit" else []), order_id


def time_limit(saga, start: float = 0.0) -> float:
    """The latest an order started at ``start`` can end: every try waits at most its time-out."""
    def worst(retry: RetryPolicy, timeout: float) -> float:
        return retry.attempts * timeout + sum(retry.delay(a) for a in range(1, retry.attempts))
    undo = saga.on_compensation_failure.retry
    return (start + sum(worst(s.retry, s.timeout) for s in saga.steps)
            + sum(worst(undo, s.timeout) for s in saga.steps if s.compensation) + 0.1)


# -- the plans ------------------------------------------------------------------------------------
def seconds(low: float, high: float):
    return st.integers(round(low * 100), round(high * 100)).map(lambda n: n / 100)


# Orders start at 0 and, unhindered, end within 0.1 s: most faults must bite early to matter.
starts = st.one_of(st.just(0.0), seconds(0, 0.1), seconds(0, 10))


@st.composite
def faults(draw):
    service = draw(st.sampled_from(sorted(COMMANDS)))
    at = draw(starts)
    until = at + draw(seconds(0.05, 15))
    kind = draw(st.sampled_from(["fail_next", "fail_randomly", "down", "latency"]))
    command = draw(st.one_of(st.none(), st.sampled_from(COMMANDS[service])))
    if kind == "fail_next":
        return FailNext(service, draw(st.integers(1, 12)), command=command)
    if kind == "fail_randomly":
        return FailRandomly(service, p=draw(st.sampled_from([0.2, 0.5, 0.8])), command=command,
                            at=at, until=until)
    if kind == "down":
        return Down(service, at=at, until=until)
    return Latency(service, seconds=draw(seconds(0.1, 5)), at=at, until=until)


policies = st.builds(
    CompensationPolicy,
    retry=st.builds(RetryPolicy, attempts=st.integers(1, 3), backoff=st.sampled_from([0.5, 1.0])),
    then=st.sampled_from(["terminate", "discard", "emit"]))
orders_to_place = st.lists(st.tuples(st.sampled_from(sorted(STOCK)), st.integers(1, 2)),
                           min_size=1, max_size=5)


def run_the_day(transport, seed, plan, duplicates, policy, order_lines):
    world = World([Inventory(STOCK), Payment(), Shipping()], transport=transport, seed=seed,
                  duplicate_probability=duplicates, faults=plan)
    saga = place_order_saga(policy)
    orchestrator = Orchestrator(world, saga, name="order")
    orders = {}
    for i, (sku, quantity) in enumerate(order_lines):
        order_id = f"{CUSTOMERS[i]}-{sku}"
        orders[order_id] = order_data(order_id, customer=CUSTOMERS[i], sku=sku,
                                      quantity=quantity)
        orchestrator.start(saga, order_id, **orders[order_id])
    world.run()
    return world, saga, orchestrator, orders


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**16), plan=st.lists(faults(), max_size=4),
       duplicates=st.sampled_from([0.0, 0.3, 1.0]), policy=policies, order_lines=orders_to_place)
def test_on_both_transports_every_order_ends_in_time_and_the_books_balance(
        seed, plan, duplicates, policy, order_lines):
    for transport in TRANSPORTS:
        world, saga, orchestrator, orders = run_the_day(transport, seed, plan, duplicates,
                                                        policy, order_lines)
        limit = time_limit(saga)
        check_the_shop_balances(world, orchestrator, orders, STOCK, limit)
        last_fault = max([f.until or 0.0 for f in plan] + [limit])
        latency = sum(f.seconds for f in plan if isinstance(f, Latency))
        assert world.clock.now <= last_fault + latency + 1.0


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**16), transport=st.sampled_from(TRANSPORTS),
       undo_failures=st.lists(st.tuples(st.sampled_from(sorted(COMMANDS)), st.integers(1, 12)),
                              min_size=1, max_size=3),
       duplicates=st.sampled_from([0.0, 1.0]), policy=policies, order_lines=orders_to_place)
def test_when_the_courier_cannot_book_and_undos_fail_the_outcome_is_named_in_the_history(
        seed, transport, undo_failures, duplicates, policy, order_lines):
    plan = [FailNext("shipping", 1_000, command="ScheduleShipment")]
    plan += [FailNext(service, n, command=COMMANDS[service][1]) for service, n in undo_failures]
    world, saga, orchestrator, orders = run_the_day(transport, seed, plan, duplicates, policy,
                                                    order_lines)
    assert "completed" not in orchestrator.counts()
    check_the_shop_balances(world, orchestrator, orders, STOCK, time_limit(saga))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), transport=st.sampled_from(TRANSPORTS),
       plan=st.lists(faults(), max_size=3), duplicates=st.sampled_from([0.0, 0.3]),
       order_lines=orders_to_place)
def test_the_same_seed_and_fault_plan_give_the_same_history(seed, transport, plan, duplicates,
                                                            order_lines):
    first, *_ = run_the_day(transport, seed, plan, duplicates, None, order_lines)
    second, *_ = run_the_day(transport, seed, plan, duplicates, None, order_lines)
    assert first.history.to_json() == second.history.to_json()
