"""The circuit breaker for a refused key: one model stops calling after repeated 401/403s.

A revoked or rotated key fails every call the same way; retrying it costs time
and, with some providers, money. :class:`KeyBreaker` counts the calls in a row
that ended in an :class:`~harness.errors.AuthError` and trips once ``limit`` of
them have; a call ending any other way resets the count. Once tripped it stays
tripped for the run: :meth:`not_called` builds the error recorded on each case
the model then skips.
"""

from __future__ import annotations

import sys

from harness.errors import AuthError

AUTH_BREAKER = 5  # key refusals in a row that stop a model's calls for the rest of the run


class KeyBreaker:
    """Counts key refusals in a row for the model named ``name``; see the module docstring."""

    __slots__ = ("name", "limit", "_in_a_row", "_tripped_by")

    def __init__(self, name: str, limit: int = AUTH_BREAKER) -> None:
        self.name = name
        self.limit = limit
        self._in_a_row = 0
        self._tripped_by: AuthError | None = None

    @property
    def tripped(self) -> bool:
        return self._tripped_by is not None

    def succeeded(self) -> None:
        """A call came back: the key works."""
        self._in_a_row = 0

    def failed(self, error: Exception) -> None:
        """A call ended in ``error`` (after its retries): a key refusal counts, anything else resets."""
        if not isinstance(error, AuthError):
            self._in_a_row = 0
            return
        self._in_a_row += 1
        if self._in_a_row >= self.limit and self._tripped_by is None:
            self._tripped_by = error
            print(f"harness: warning: {self.name}: the provider refused the key on {self._in_a_row} calls in "
                  f"a row; no more calls go to this model in this run (its remaining cases are recorded with an "
                  f"auth error)", file=sys.stderr)

    def not_called(self) -> AuthError:
        """The error of a call the tripped breaker did not make (no attempt: ``attempts`` 0)."""
        error = AuthError(f"{self.name}: not called: the provider refused the key on {self.limit} calls in a row "
                          f"(last: {self._tripped_by}); no more calls go to this model in this run")
        error.attempts = 0  # type: ignore[attr-defined]
        error.not_called = True  # type: ignore[attr-defined]
        return error
