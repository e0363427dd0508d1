"""Nexus: the Discord bot of #ProDevProjectNexus.

Nothing happens at import time: the bot, its settings and its database are built in `bot.app.main()`.
"""

__version__ = "0.1.0"
