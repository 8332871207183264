"""Exercise 9, the single point of failure: an order that survives the orchestrator's crash.

Every order passes through one orchestrator. If it keeps its orders in memory and dies,
the orders it was running are gone: a dress stays reserved for no one, a card may stay
charged. Keep them in a SQLite file instead, and a new orchestrator started on the same
file carries on where the old one stopped, sending the pending command again with the
same message id. And make sure a command that arrives twice does no harm twice.

Part A: durable_orchestrator(world, saga, path): the Order orchestrator, keeping its
        instances in a SQLite file at ``path`` (pass crash_after_writes on to the store).
Part B: recover(world, saga, path): after a crash, a new orchestrator on the same file
        that resumes every unfinished order.
Part C: Wallet.debit_wallet: debit an order once, however many times the command arrives,
        even with a different message id each time (a customer pressing "pay" twice).

Check your work: check("ex09") in a notebook, or `orchestra grade exercises/` in a terminal.
"""
from dataclasses import dataclass

from orchestra import Command, Rejected, Service, handles
from orchestra.orchestrator import Orchestrator
from orchestra.saga import Saga
from orchestra.store import SqliteStore


def durable_orchestrator(world, saga: Saga, path, crash_after_writes: int | None = None
                         ) -> Orchestrator:
    """The Order orchestrator (named "order") on a SQLite store at ``path``."""
    # TODO (part A): return Orchestrator(world, saga, name="order", store=...) with a
    # SqliteStore(path, crash_after_writes=crash_after_writes) as its store.
    return Orchestrator(world, saga, name="order",
                        store=SqliteStore(path, crash_after_writes=crash_after_writes))


def recover(world, saga: Saga, path) -> Orchestrator:
    """A new Order orchestrator on the file at ``path``, resuming every unfinished order."""
    # TODO (part B): Orchestrator.recover(world, saga, name="order", store=...) with a new
    # SqliteStore on the same path: it reads every unfinished order and carries on.
    return Orchestrator.recover(world, saga, name="order", store=SqliteStore(path))


@dataclass(frozen=True, kw_only=True)
class DebitWallet(Command):
    """Take ``amount_cents`` from a customer's wallet to pay for an order."""

    order_id: str
    customer: str
    amount_cents: int


class Wallet(Service):
    """Customers' prepaid balances, and the orders each one paid for."""

    name = "wallet"

    def __init__(self, balances: dict[str, int] | None = None):
        self.balances = dict(balances or {})
        self.paid: dict[str, int] = {}  # order id -> cents debited for it

    @handles(DebitWallet)
    def debit_wallet(self, command: DebitWallet) -> dict:
        """Debit the order's amount once; refuse when the balance is too low."""
        # TODO (part C): the order id is the business key: if self.paid has the order
        # already, debit nothing and answer as the first time, {"debited_cents": ...}.
        # If the balance is below the amount, raise Rejected(...) naming the balance.
        # Otherwise take the amount off self.balances, note it in self.paid, and answer
        # {"debited_cents": amount}.
        if command.order_id in self.paid:
            return {"debited_cents": self.paid[command.order_id]}
        balance = self.balances.get(command.customer, 0)
        if balance < command.amount_cents:
            raise Rejected(f"{command.customer} has {balance} cents, "
                           f"{command.amount_cents} wanted")
        self.balances[command.customer] = balance - command.amount_cents
        self.paid[command.order_id] = command.amount_cents
        return {"debited_cents": command.amount_cents}
