"""One error hierarchy for the whole package.

Every error a user can cause is an `NnsketchError`. Spec problems carry a list of
located issues (`loc` like ``layers[3].kernel``) so the command line, the HTTP API
and the editor can all point at the exact field to change.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Issue:
    """One located problem: where it is and what to change."""

    loc: str
    msg: str

    def __str__(self) -> str:
        return f"{self.loc}: {self.msg}" if self.loc else self.msg

    def as_dict(self) -> dict[str, str]:
        return {"loc": self.loc, "msg": self.msg}


class NnsketchError(Exception):
    """Base class of every error nnsketch raises on purpose."""

    status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def issues(self) -> tuple[Issue, ...]:
        return (Issue("", self.message),)


class SpecError(NnsketchError):
    """The spec is malformed or describes an impossible network."""

    status = 422

    def __init__(self, issues: list[Issue] | tuple[Issue, ...]) -> None:
        self._issues = tuple(issues)
        super().__init__("; ".join(str(i) for i in self._issues) or "invalid spec")

    @classmethod
    def at(cls, loc: str, msg: str) -> SpecError:
        return cls([Issue(loc, msg)])

    @property
    def issues(self) -> tuple[Issue, ...]:
        return self._issues


class LimitError(SpecError):
    """The request asks for more work than the configured limits allow."""

    status = 413


class ExportError(NnsketchError):
    """A drawing could not be converted to the requested file format."""

    status = 400
