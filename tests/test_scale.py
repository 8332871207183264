"""Ten thousand orders at once in one process, on one machine that keeps only the unfinished."""
from __future__ import annotations

from orchestra import World
from orchestra.orchestrator import Orchestrator
from orchestra.saga import ENDINGS
from orchestra.shop import Inventory, Payment, Shipping
from orchestra.shop.order import CATALOGUE, order_data, place_order_saga


def open_for_a_sale(orders: int, red_dresses: int, diagrams: bool = False):
    """A flash sale: ``orders`` customers want a red dress at the same moment."""
    world = World([Inventory({"red-dress": red_dresses}), Payment(), Shipping()],
                  transport="queued", seed=2)
    saga = place_order_saga()
    orchestrator = Orchestrator(world, saga, name="order", diagrams=diagrams)
    for i in range(orders):
        orchestrator.start(saga, f"o-{i}", **order_data(f"o-{i}", customer=f"customer-{i}"))
    return world, orchestrator, orchestrator.machines["place_order"]


def running(orchestrator) -> int:
    return sum(n for state, n in orchestrator.counts().items() if state not in ENDINGS)


def test_ten_thousand_orders_for_nine_thousand_red_dresses_all_end_and_leave_the_machine():
    world, orchestrator, machine = open_for_a_sale(10_000, red_dresses=9_000)
    assert len(machine.models) == 10_000  # every order is a model on the one machine
    world.run(until=0.03)
    assert 0 < len(machine.models) < 10_000
    assert len(machine.models) == len(orchestrator.active) == running(orchestrator)
    world.run()
    assert orchestrator.counts() == {"completed": 9_000, "compensated": 1_000}
    assert machine.models == [] and orchestrator.active == {}
    assert world.service("inventory").units("red-dress") == 0
    assert world.service("payment").balance_cents() == 9_000 * CATALOGUE["red-dress"]
    assert len(world.service("shipping").shipments) == 9_000


def test_a_diagram_machine_keeps_a_graph_only_for_orders_still_running():
    world, orchestrator, machine = open_for_a_sale(500, red_dresses=450, diagrams=True)
    assert len(machine.model_graphs) == 500
    world.run(until=0.03)
    assert 0 < len(machine.model_graphs) < 500
    assert set(machine.model_graphs) == {id(model) for model in machine.models}
    world.run()
    assert orchestrator.counts() == {"completed": 450, "compensated": 50}
    assert machine.models == [] and machine.model_graphs == {}
