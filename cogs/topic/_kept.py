"""What `/topic` answers keep between lookups, so that a topic asked again is not built again:
its pages (embeds), until the topics change.

Pure memory, no I/O: what is kept is exactly what would be built again.
"""

from __future__ import annotations

from collections import OrderedDict
from weakref import WeakKeyDictionary

import discord

from bot.knowledge.model import Topic
from bot.knowledge.render import Section
from bot.knowledge.service import KnowledgeService
from cogs.topic._embeds import topic_pages

KEPT_TOPIC_PAGES = 512  # (topic, section) whose built pages are kept, most recently shown first


class _BuiltPages:
    """A knowledge base's topics as built pages, per (topic id, section), while its topics stay
    as they are (`topics_version`): every lookup of a topic sends the same embeds, and building
    them (splitting the text to Discord's limits) is most of the answer's work. discord.py only
    reads an embed it sends, so one is sent as often as asked."""

    def __init__(self, version: int) -> None:
        self.version = version
        self.pages: OrderedDict[tuple[int, Section | None], list[discord.Embed]] = OrderedDict()


_BUILT: WeakKeyDictionary[KnowledgeService, _BuiltPages] = WeakKeyDictionary()


def built_pages(knowledge: KnowledgeService, topic: Topic, section: Section | None) -> list[discord.Embed]:
    """`topic_pages(topic, section)`, built once per topic and section until the topics change."""
    if topic.id is None:  # never stored: nothing to know it again by
        return topic_pages(topic, section)
    built = _BUILT.get(knowledge)
    if built is None or built.version != knowledge.topics_version:
        built = _BUILT[knowledge] = _BuiltPages(knowledge.topics_version)
    key = (topic.id, section)
    pages = built.pages.get(key)
    if pages is None:
        pages = built.pages[key] = topic_pages(topic, section)
        while len(built.pages) > KEPT_TOPIC_PAGES:
            built.pages.popitem(last=False)
    else:
        built.pages.move_to_end(key)
    return pages
