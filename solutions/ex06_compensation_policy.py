"""Exercise 6, when a compensation fails: retry the refund, then hand it to a person.

Ada paid for the red dress, but no courier could take it, so the saga undoes what it did:
it refunds her card, then puts the dress back on the shelf. Now the card network is
down, and the refund itself fails. The orchestrator may not drop Ada's money in silence.
It retries the refund; when every retry has failed, the saga's compensation policy says
what comes next: terminate (stop there), discard (note it, undo the rest), or emit
(publish CompensationFailed for someone else to finish, and undo the rest).

The shop picked: retry, then emit, and a support desk where a person finishes the refund.

Part A: the policy: try a failing undo 4 times in all, 0.5 s after the first failure and
        twice as long after each next one; then emit CompensationFailed.
Part B: SupportDesk, a context of its own: it hears CompensationFailed and opens a ticket
        for a person, naming the order, the step and the command to finish by hand.
Part C: read the outcome from the history: where the order ended, and every undo the
        orchestrator gave up on, with what its policy did then.

Check your work: check("ex06") in a notebook, or `orchestra grade exercises/` in a terminal.
"""
from orchestra import RetryPolicy, Service, subscribes
from orchestra.history import FAILED, STATE
from orchestra.saga import EMIT, CompensationFailed, CompensationPolicy, Saga
from orchestra.shop.order import place_order_saga


def refund_policy() -> CompensationPolicy:
    """Retry a failing undo 4 times in all (0.5 s, then 1 s, then 2 s apart), then emit."""
    # TODO (part A): return CompensationPolicy(retry=..., then=...): the retry is a
    # RetryPolicy with attempts=4 (the first try counts) and backoff=0.5 (it doubles by
    # itself); then=EMIT publishes CompensationFailed and goes on undoing the other steps.
    return CompensationPolicy(retry=RetryPolicy(attempts=4, backoff=0.5), then=EMIT)


def order_saga() -> Saga:
    """The shop's saga (reserve, charge, ship), with your policy for a failing undo."""
    return place_order_saga(refund_policy())


class SupportDesk(Service):
    """People who finish by hand what the orchestrator could not: one ticket per failed undo."""

    name = "support_desk"

    def __init__(self):
        self.tickets: list[dict] = []

    # TODO (part B): make open_ticket a subscriber to CompensationFailed (@subscribes).
    # Append a ticket to self.tickets: {"order_id": ..., "step": ..., "command": ...}.
    # The event carries the saga's name, the step, the command and the error; the order
    # it belongs to is the saga instance, so read it from event.correlation_id.
    @subscribes(CompensationFailed)
    def open_ticket(self, event):
        """Open a ticket for a person to finish an undo the orchestrator gave up on."""
        self.tickets.append({"order_id": event.correlation_id, "step": event.step,
                             "command": event.command})


def outcome(records) -> dict:
    """What one order's history says: {"state": where it is, "gave_up": [(step, then), ...]}."""
    # TODO (part C): go through the records (those of one order, in order):
    #   - a record of kind STATE is a move of the saga: record.detail["to"] is the state it
    #     entered, so the last one is where the order is now ("pending" if there is none);
    #   - a record of kind FAILED whose detail has a "compensation" key is an undo the
    #     orchestrator gave up on: detail["compensation"] names the step, detail["then"]
    #     what the policy did ("terminate", "discard" or "emit").
    # Return {"state": <str>, "gave_up": [(<step>, <then>), ...]} (an empty list if none).
    state, gave_up = "pending", []
    for record in records:
        if record.kind == STATE:
            state = record.detail["to"]
        elif record.kind == FAILED and "compensation" in record.detail:
            gave_up.append((record.detail["compensation"], record.detail["then"]))
    return {"state": state, "gave_up": gave_up}
