"""The sandbox console: type slash commands as in Discord against the local stand-in, read the answers."""

from ._console import SandboxConsole

__all__ = ["SandboxConsole"]
