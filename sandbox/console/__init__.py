"""The sandbox console: type slash commands as in Discord against the local stand-in, read the answers."""

from ._clock import MadePost, Move, ServerZone, Timeline
from ._console import SandboxConsole

__all__ = ["MadePost", "Move", "SandboxConsole", "ServerZone", "Timeline"]
