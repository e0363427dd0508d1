"""Errors the core raises for a member to read."""


class UserError(Exception):
    """Something the member can fix. The message is shown to them as it is: short, clear, no jargon."""
