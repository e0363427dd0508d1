"""Errors the core raises for a member to read."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class UserError(Exception):
    """Something the member can fix. The message is shown to them as it is: short, clear, no jargon."""


class FormRefused(UserError):
    """A submitted form that cannot be saved, with every problem found in it (one a field at most),
    so the member fixes them all in one go instead of meeting them one a try. One problem reads as
    a sentence; several as a list, one a line."""

    def __init__(self, *problems: str) -> None:
        self.problems = problems
        super().__init__(problems[0] if len(problems) == 1 else "\n".join(f"• {p}" for p in problems))


class Problems:
    """Checks each field of a form and keeps every problem, not only the first: `check` runs one
    field's check and returns its cleaned value, or None when it raised a UserError (kept)."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def check(self, field_check: Callable[[], T]) -> T | None:
        try:
            return field_check()
        except UserError as problem:
            self.found.append(str(problem))
            return None


class ChoiceNeeded(UserError):
    """A command needs a choice the member did not give and nothing else says (`choice`: "track" or
    "discipline"). Never a dead end: the cog offers the choices in a menu that carries the command
    on; the message says what to pick."""

    def __init__(self, choice: str, message: str) -> None:
        super().__init__(message)
        self.choice = choice
