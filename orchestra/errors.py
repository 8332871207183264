"""Every error orchestra raises on purpose: each says what was wrong and what to do."""


class OrchestraError(Exception):
    """Base class: catch this to handle any mistake orchestra reports."""


class UnknownCommand(OrchestraError):
    """A command was sent that no service handles."""


class HandlerAlreadyRegistered(OrchestraError):
    """Two handlers were registered for one command (a command has exactly one)."""


class MessageNotSerialisable(OrchestraError):
    """A message holds a value that JSON cannot carry."""


class UnknownMessageType(OrchestraError):
    """JSON names a message type that is not defined in this Python process."""


class UnknownService(OrchestraError):
    """Something names a service the world does not have."""


class InvalidFault(OrchestraError):
    """A fault plan is malformed (a negative count, a probability above 1, ...)."""


class Rejected(OrchestraError):
    """Raised by a handler to refuse a command for a business reason (not retried).

    Example: ``raise Rejected("only 0 red dresses left")``. Any other exception a
    handler raises is treated as transient and retried under the service's policy.
    """


class InjectedFault(OrchestraError):
    """The failure a fault plan injects into a service, to make something break on purpose."""


class SimulationRunaway(OrchestraError):
    """Virtual time kept going past the limit: something reschedules itself forever."""


class NoReply(OrchestraError):
    """A call waited for a reply that can never come."""


class GradingError(OrchestraError):
    """Grading cannot start as asked: the folder is missing, or it holds no exercise."""


class UnknownExercise(GradingError):
    """An exercise was asked for by a name the course does not have."""
