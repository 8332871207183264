"""Exercise 3, direct-call orchestration: what waiting on every call costs.

On direct calls (request/response, think HTTP), the orchestrator sends a step's command
and waits for its reply before it sends the next one. Every step is a round trip: the
command travels to the service (one hop), the service works (its processing time), and
the reply travels back (one more hop). So a slow service makes every order slow, and a
service that is down refuses the call at once: every order that needs it at that moment
fails. That is temporal coupling: caller and callee must both be up, at the same time.

Part A: predict an order's end-to-end virtual latency from the per-hop latency.
Part B: measure it: run one order and read when it started and ended from the history.
Part C: temporal coupling: place an order every second and list those that did not complete.

Check your work: check("ex03") in a notebook, or `orchestra grade exercises/` in a terminal.
"""
from orchestra import World
from orchestra.history import STATE
from orchestra.orchestrator import Orchestrator
from orchestra.shop.order import order_data, place_order_saga

# The services the order's three steps call, in order: reserve, charge, ship.
STEPS = ("inventory", "payment", "shipping")


def predict_latency(hop: float, processing: float, slow: dict[str, float] | None = None) -> float:
    """Virtual seconds from an order's start to 'completed', on direct calls, nothing failing.

    ``hop`` is how long any message takes to arrive (the world's ``latency``), ``processing``
    how long a service takes to answer (``Service.processing_time``), and ``slow`` maps a
    service to the extra seconds a Latency fault adds to every message sent to it.
    """
    # TODO (part A): every step in STEPS is one round trip: the command's hop, plus the extra
    # seconds of a slow receiver (slow.get(service, 0); the reply goes to the orchestrator,
    # which is not slow), plus the processing time, plus the reply's hop. Add up the steps.
    raise NotImplementedError("TODO (part A): predict the order's latency")


def measure_latency(world: World, order_id: str = "o-1") -> float:
    """Run one order through place_order_saga() in ``world``; virtual seconds it took to end."""
    # TODO (part B): note the start time (world.clock.now); make an Orchestrator(world, saga,
    # name="order"), start the order with order_data(order_id), run the world. The order's
    # last state change is the last record of kind STATE in world.history.for_instance(order_id):
    # return its .time minus the start time.
    raise NotImplementedError("TODO (part B): measure the order's latency")


def orders_that_failed(world: World, count: int = 10) -> list[str]:
    """Place orders o-0, o-1, ... one a second from t=0; the ids of those that did not complete."""
    # TODO (part C): make one Orchestrator(world, saga, name="order"). For i in range(count):
    # run the world until t = i (world.run(until=i)), then start the order f"o-{i}". Run the
    # world to the end, and return the ids, in order, whose state is not "completed".
    raise NotImplementedError("TODO (part C): list the orders that failed")
