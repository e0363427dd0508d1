"""The scheduling core every timed feature shares (no Discord UI here): weekly wall-clock rules
across DST (`weekly`), the once-only ledger's keys and repository protocols (`ledger`), sources of
due posts (`sources`), pacing under Discord's global limit (`pacing`), and the scheduler that posts
each due post exactly once (`scheduler`)."""

from bot.scheduling.sources import Delivery, DeliveryHandler, DuePost, PostSource
from bot.scheduling.weekly import WEEKDAYS, WeeklyTime

# `Scheduler` is imported from `bot.scheduling.scheduler`: it uses bot.posting, which uses the ledger
# (`bot.scheduling.ledger`), so importing it here would make bot.posting and this package need each other.
__all__ = ["WEEKDAYS", "Delivery", "DeliveryHandler", "DuePost", "PostSource", "WeeklyTime"]
