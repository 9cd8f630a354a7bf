"""Exception types raised by prism (the native module builds them with their fields)."""

from __future__ import annotations

from typing import Any

__all__ = ["PrismError", "SpecError", "ParameterError", "ResourceError", "DivergenceError"]


class PrismError(Exception):
    """Base class of every prism error. Extra fields are keyword attributes."""

    def __init__(self, message: str = "", **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = dict(fields)
        for k, v in fields.items():
            setattr(self, k, v)

    def __reduce__(self):  # picklable with its fields (Dask ships exceptions between processes)
        return (_rebuild, (type(self), self.message, self.fields))

    def __str__(self) -> str:
        return self.message


def _rebuild(cls, message, fields):
    return cls(message, **fields)


class SpecError(PrismError, ValueError):
    """An invalid scaling spec.

    Attributes: ``line`` and ``column`` (1-based), ``found`` (the offending text), ``source_line``,
    ``hint`` (what to do), ``kind`` (syntax, duplicate, missing, range) and ``caret`` (the
    rendered message with the source line and a caret under the error).
    """

    line: int
    column: int
    found: str
    source_line: str
    hint: str
    kind: str
    caret: str


class ParameterError(PrismError, ValueError):
    """A keyword argument out of range or of the wrong kind."""


class ResourceError(PrismError):
    """A request refused because it would take too long.

    Attributes: ``estimate`` (floating-point operations), ``seconds`` (estimated wall time),
    ``limit`` (the refusal threshold in operations), and ``n``, ``p``, ``H`` of the offending size.
    """

    estimate: float
    seconds: float
    limit: float


class DivergenceError(PrismError, ArithmeticError):
    """A simulation diverged (non-finite values or a loss past the divergence bound).

    Attributes: ``seed`` of the run, ``step`` and time ``t`` where it was seen, and
    ``suggested_dt``, a step that should be stable.
    """

    seed: int
    step: int
    t: float
    suggested_dt: float
