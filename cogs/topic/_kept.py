"""What `/topic` answers keep between lookups, so that a topic asked again is not built again: its
pages (embeds) and its buttons (a view), until the topics change.

Pure memory, no I/O: what is kept is exactly what would be built again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import discord
from discord.types.embed import Embed as EmbedData

from bot.knowledge.model import Topic
from bot.knowledge.render import Section
from bot.knowledge.service import KnowledgeService
from cogs.topic._embeds import topic_pages

KEPT_ANSWERS = 512  # pages of (topic, section), and views, kept each: the most recently shown

_Value = TypeVar("_Value")


class _Kept:
    """A knowledge base's answers as built, while its topics stay as they are (`topics_version`).
    Every lookup of a topic sends the same embeds and the same buttons, and building them
    (splitting the text to Discord's limits, one `DynamicItem` a button) is most of an answer's
    work. discord.py only reads what it sends, so one copy is sent as often as asked."""

    def __init__(self, version: int) -> None:
        self.version = version
        self.pages: OrderedDict[Hashable, list[discord.Embed]] = OrderedDict()
        self.views: OrderedDict[Hashable, KeptView] = OrderedDict()


class KeptEmbed(discord.Embed):
    """A kept page: sent as often as asked and never changed, so its payload is worked out once
    (discord.py asks every send for `to_dict`, a dict built anew from the embed's parts)."""

    _payload: EmbedData | None = None

    @classmethod
    def kept(cls, embed: discord.Embed) -> KeptEmbed:
        return cls.from_dict(embed.to_dict())

    def to_dict(self) -> EmbedData:
        if self._payload is None:
            self._payload = super().to_dict()
        return self._payload


class KeptView(discord.ui.View):
    """A kept answer's buttons (`built_view`): stopped and never changed, so their components are
    worked out once (discord.py asks every send for `to_components`, one dict a button)."""

    _components: list[dict[str, Any]] | None = None

    def to_components(self) -> list[dict[str, Any]]:
        if self._components is None:
            self._components = super().to_components()
        return self._components


_KEPT: WeakKeyDictionary[KnowledgeService, _Kept] = WeakKeyDictionary()


def _kept(knowledge: KnowledgeService) -> _Kept:
    kept = _KEPT.get(knowledge)
    if kept is None or kept.version != knowledge.topics_version:
        kept = _KEPT[knowledge] = _Kept(knowledge.topics_version)
    return kept


def _remember(store: OrderedDict[Hashable, _Value], key: Hashable, build: Callable[[], _Value]) -> _Value:
    value = store.get(key)
    if value is None:
        value = store[key] = build()
        while len(store) > KEPT_ANSWERS:
            store.popitem(last=False)
    else:
        store.move_to_end(key)
    return value


def built_pages(knowledge: KnowledgeService, topic: Topic, section: Section | None) -> list[discord.Embed]:
    """`topic_pages(topic, section)`, built once per topic and section until the topics change."""
    if topic.id is None:  # never stored: nothing to know it again by
        return topic_pages(topic, section)
    return _remember(_kept(knowledge).pages, (topic.id, section),
                     lambda: [KeptEmbed.kept(page) for page in topic_pages(topic, section)])


def kept_view(knowledge: KnowledgeService, key: Hashable) -> KeptView | None:
    """The view `built_view` keeps for `key`, if it does."""
    views = _kept(knowledge).views
    view = views.get(key)
    if view is not None:
        views.move_to_end(key)
    return view


def built_view(knowledge: KnowledgeService, key: Hashable, build: Callable[[], KeptView]) -> KeptView:
    """The view `build()` makes, built once per `key` (everything it is built from) until the topics
    change. It is stopped before it is first sent: its items are `DynamicItem`s, which the bot
    dispatches by their custom ids (`add_dynamic_items`), so discord.py has nothing to listen for
    and need not keep each private answer's view for its 15-minute timeout (it keeps a view only
    while `is_finished()` is false). Stopped, a view is only read (`to_components`), and can be
    sent again, like the pages."""

    def stopped() -> KeptView:
        view = build()
        if not all(isinstance(item, discord.ui.DynamicItem) for item in view.children):
            raise TypeError("only a view of DynamicItems is dispatched without discord.py keeping it")
        view.stop()
        return view

    return _remember(_kept(knowledge).views, key, stopped)
