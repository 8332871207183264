"""Retry policy: how many times to try, and how long to wait between tries."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Try up to ``attempts`` times; wait ``backoff`` seconds, times ``multiplier`` after each failure.

    ``RetryPolicy(attempts=3, backoff=0.5)`` waits 0.5 s then 1 s (exponential backoff),
    never more than ``max_backoff``. ``attempts=1`` means: no retries.
    """

    attempts: int = 1
    backoff: float = 0.1
    multiplier: float = 2.0
    max_backoff: float = 30.0

    def __post_init__(self):
        if not isinstance(self.attempts, int) or self.attempts < 1:
            raise ValueError(
                f"RetryPolicy(attempts={self.attempts!r}): attempts counts the first try "
                "too, so it must be a whole number of at least 1 (1 = no retries)"
            )
        if self.backoff < 0 or self.max_backoff < 0:
            raise ValueError("RetryPolicy: backoff and max_backoff are seconds to wait, so >= 0")
        if self.multiplier < 1:
            raise ValueError(
                f"RetryPolicy(multiplier={self.multiplier}): use 1 for a fixed wait, more "
                "than 1 for exponential backoff; less than 1 would hammer a struggling service"
            )

    def delay(self, failed_attempt: int) -> float:
        """Seconds to wait after the ``failed_attempt``-th try failed (1-based)."""
        return min(self.backoff * self.multiplier ** (failed_attempt - 1), self.max_backoff)


NO_RETRY = RetryPolicy(attempts=1)
