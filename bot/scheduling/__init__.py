"""The scheduling core every timed feature shares (no Discord UI here): weekly wall-clock rules
across DST (`weekly`), sources of due posts (`sources`), pacing under Discord's global limit
(`pacing`), and the scheduler that posts each due post exactly once (`scheduler`)."""

from bot.scheduling.scheduler import Scheduler, TickReport
from bot.scheduling.sources import Delivery, DeliveryHandler, DuePost, PostSource
from bot.scheduling.weekly import WEEKDAYS, WeeklyTime

__all__ = ["WEEKDAYS", "Delivery", "DeliveryHandler", "DuePost", "PostSource", "Scheduler", "TickReport",
           "WeeklyTime"]
