"""orchestra: a small saga orchestrator on `transitions`, and the course built on it.

The pieces, one concept per module: :mod:`.messages` (commands, events, replies),
:mod:`.clock` (virtual time), :mod:`.transport` (direct call and queued),
:mod:`.service` (bounded contexts), :mod:`.faults` (breaking things on purpose),
:mod:`.history` (what happened), and :mod:`.world`, which puts them together.
"""
import logging

from .clock import Clock
from .errors import (HandlerAlreadyRegistered, InjectedFault, InvalidFault, MessageNotSerialisable,
                     NoReply, OrchestraError, Rejected, SimulationRunaway, UnknownCommand,
                     UnknownMessageType, UnknownService)
from .faults import Down, FailNext, FailRandomly, Fault, Latency
from .history import History, Record
from .messages import Command, Event, Message, Reply, from_json, to_json
from .retry import RetryPolicy
from .service import Service, handles, subscribes
from .world import Client, World

__version__ = "0.1.0"

# A library logs and lets the application choose what to show: without this, Python's
# last-resort handler prints every retried failure into a learner's notebook as stderr.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "Client", "Clock", "Command", "Down", "Event", "FailNext", "FailRandomly", "Fault",
    "HandlerAlreadyRegistered", "History", "InjectedFault", "InvalidFault", "Latency", "Message",
    "MessageNotSerialisable", "NoReply", "OrchestraError", "Record", "Rejected", "Reply",
    "RetryPolicy", "Service", "SimulationRunaway", "UnknownCommand", "UnknownMessageType",
    "UnknownService", "World", "from_json", "handles", "subscribes", "to_json",
]
