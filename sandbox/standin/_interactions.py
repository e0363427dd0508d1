"""INTERACTION_CREATE payloads, built the way Discord's client would from what a member did.

Slash commands and autocomplete are typed from the command schema the bot SYNCED (subcommand
groups, subcommands, typed options with choices and limits, `data.resolved` for users, members,
channels and roles); a click is built from the message's stored components; a modal submit from
the modal the bot opened. Anything Discord's client would refuse (unknown command or option, a
missing required option, a value outside the schema, a disabled button) raises ValueError here.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from typing import Any

from ._modal import field_component
from ._records import SELECT_TYPES, InteractionRecord, MessageRecord, ModalRecord, walk_components
from ._state import StandInState
from ._values import as_bool, as_float, as_int, check_limits, string_max_length
from .demo import DemoChannel, DemoGuild, DemoMember

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
SUBCOMMAND, GROUP = 1, 2
DEFAULT_CHANNEL = "prodevprojectnexus"  # every server's collaboration channel, demo and generated
# What an app may do in a DM with a member: view, send, embed links, attach files, read history,
# external emojis, add reactions (Discord computes these for the DM; no server role applies).
DM_APP_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 18) | (1 << 6)
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11


class Interactions:
    """Builds interactions and keeps their records (by id and by token)."""

    def __init__(self, state: StandInState) -> None:
        self.state = state
        self.by_id: dict[int, InteractionRecord] = {}
        self.by_token: dict[str, InteractionRecord] = {}

    # -- common -----------------------------------------------------------------------------
    def _new(
        self,
        kind: int,
        member: DemoMember,
        channel_id: int,
        data: dict[str, Any],
        *,
        command: str,
        message: MessageRecord | None = None,
    ) -> tuple[dict[str, Any], InteractionRecord]:
        """An interaction as Discord sends it: in a server's channel or thread (`member`, the guild,
        context 0), or in the member's DM with the bot (a press on a message the bot sent there:
        `user` instead of `member`, no guild, context 1 = BOT_DM, the guild-install owner "0")."""
        st = self.state
        if channel_id in st.member_by_dm:
            if st.member_by_dm[channel_id] != member.id:
                raise ValueError(f"{member.name} cannot see the DM channel {channel_id}: it is another member's")
            if kind == APPLICATION_COMMAND:
                raise ValueError("Nexus's commands are server-only (guild_only): Discord does not offer them in DMs")
            owner = "0"
            place: dict[str, Any] = {"channel": st.channel_payload(channel_id), "user": st.user_payload(member.id),
                                     "app_permissions": str(DM_APP_PERMISSIONS), "context": 1}
        else:
            guild = st.guild_of(channel_id)
            if guild is None:
                raise ValueError("interactions are only supported in the servers' channels and threads")
            if not st.permissions(member.id, channel_id) & (1 << 10):
                raise ValueError(f"{member.name} cannot see channel {channel_id}")
            owner = str(guild.id)
            channel = st.channel_payload(channel_id)
            channel["permissions"] = str(st.permissions(member.id, channel_id))
            place = {"guild_id": owner, "guild": {"id": owner, "locale": "en-US", "features": []},
                     "guild_locale": "en-US", "channel": channel, "member": st.member_payload(member.id, channel_id),
                     "app_permissions": str(st.permissions(st.bot_user_id, channel_id)), "context": 0}
        iid = st.new_id()
        token = f"aW50ZXJhY3Rpb246{iid}:{secrets.token_urlsafe(48)}"
        rec = InteractionRecord(id=iid, type=kind, member_id=member.id, data=data, token=token, channel_id=channel_id,
                                command=command, source_message=message, created_at=time.monotonic())
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(st.application_id),
            "type": kind,
            "token": token,
            "version": 1,
            "locale": "en-US",
            "channel_id": str(channel_id),
            **place,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": owner},
            "attachment_size_limit": 10 * 1024 * 1024,
            "data": data,
        }
        metadata: dict[str, Any] = {
            "id": str(iid),
            "type": kind,
            "user": st.user_payload(member.id),
            "authorizing_integration_owners": {"0": owner},
        }
        if message is not None:
            payload["message"] = st.message_payload(message)
            metadata["interacted_message_id"] = str(message.id)
        if kind == APPLICATION_COMMAND:
            metadata["name"] = command
        st._interaction_metadata[iid] = metadata
        self.by_id[iid] = rec
        self.by_token[token] = rec
        return payload, rec

    # -- where a member acts ----------------------------------------------------------------
    def place(
        self,
        member_ref: int | str | DemoMember,
        channel: int | str | DemoChannel | None,
        guild: DemoGuild | int | None,
    ) -> tuple[DemoGuild, DemoMember, int]:
        """The server, member and channel of an action; see `StandIn.invoke` for the rules."""
        st = self.state
        where = self._guild(member_ref, channel, guild)
        member = st.member(member_ref, where)
        channel_id = st.channel_id(DEFAULT_CHANNEL if channel is None else channel, where)
        of_channel = st.guild_of(channel_id)
        if of_channel is None:
            raise ValueError("interactions are only supported in the servers' channels and threads")
        if of_channel is not where:
            raise ValueError(f"channel {channel} is not in {where.name!r}")
        return where, member, channel_id

    def _guild(
        self,
        member_ref: int | str | DemoMember,
        channel: int | str | DemoChannel | None,
        guild: DemoGuild | int | None,
    ) -> DemoGuild:
        st = self.state
        if guild is not None:
            found = st.directory.guild(guild if isinstance(guild, int) else guild.id)
            if found is None:
                raise ValueError(f"the stand-in serves no server {guild}")
            return found
        channel_ref = channel.id if isinstance(channel, DemoChannel) else channel
        if isinstance(channel_ref, int) or (isinstance(channel_ref, str) and channel_ref.strip().isdigit()):
            of_channel = st.guild_of(int(channel_ref))
            if of_channel is not None:
                return of_channel
        user_ref = member_ref.id if isinstance(member_ref, DemoMember) else member_ref
        if isinstance(user_ref, int) or user_ref.strip().isdigit():
            servers = st.directory.guilds_of(int(user_ref))
            if servers:
                return servers[0]
        return st.guild

    # -- slash commands and autocomplete -----------------------------------------------------
    def command(
        self,
        member_ref: int | str | DemoMember,
        command: str,
        options: Mapping[str, Any] | None,
        channel: int | str | DemoChannel | None,
        *,
        guild: DemoGuild | int | None = None,
        focused: str | None = None,
        within_limits: bool = True,
    ) -> tuple[dict[str, Any], InteractionRecord]:
        """`within_limits=False` sends option values past their declared length or range, as a
        modified client or another fake Discord may: what the bot must check for itself."""
        st = self.state
        server, member, channel_id = self.place(member_ref, channel, guild)
        parts = command.split()
        if not parts:
            raise ValueError("empty command")
        cmd = st.commands.find(parts[0], server.id)
        data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": 1}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        schema: list[dict[str, Any]] = cmd.get("options") or []
        node = data
        for i, part in enumerate(parts[1:], start=1):
            sub = next((o for o in schema if o.get("name") == part and o.get("type") in (SUBCOMMAND, GROUP)), None)
            if sub is None:
                subs = [o["name"] for o in schema if o.get("type") in (SUBCOMMAND, GROUP)]
                where = " ".join(parts[:i])
                raise ValueError(f"/{where} has no subcommand {part!r}; it has: {', '.join(subs) or 'none'}")
            child: dict[str, Any] = {"type": sub["type"], "name": part, "options": []}
            node.setdefault("options", []).append(child)
            node = child
            schema = sub.get("options") or []
        subs = [o["name"] for o in schema if o.get("type") in (SUBCOMMAND, GROUP)]
        if subs:
            raise ValueError(f"/{command} needs a subcommand: {', '.join(subs)}")
        given = dict(options or {})
        by_name = {o["name"]: o for o in schema}
        unknown = [k for k in given if k not in by_name]
        if unknown:
            raise ValueError(f"/{command} has no option {unknown[0]!r}; options: {', '.join(by_name) or 'none'}")
        if focused is not None:
            if focused not in by_name:
                raise ValueError(f"/{command} has no option {focused!r} to autocomplete")
            if not by_name[focused].get("autocomplete"):
                raise ValueError(f"option {focused!r} of /{command} has no autocomplete")
        resolved: dict[str, dict[str, Any]] = {}
        values = []
        for opt in schema:
            name = opt["name"]
            if name == focused:
                typed = str(given.get(name, ""))
                # The client's input box stops at the option's length limit, even while typing.
                limit = string_max_length(opt)
                if opt["type"] == STRING and len(typed) > limit:
                    raise ValueError(f"option {name!r} of /{command}: takes at most {limit} characters")
                values.append({"type": opt["type"], "name": name, "value": typed, "focused": True})
                continue
            if name not in given or given[name] is None:
                if opt.get("required") and focused is None:
                    raise ValueError(f"/{command} needs option {name!r}")
                continue
            value = self._convert(
                f"/{command}", opt, given[name], member, channel_id, resolved, strict=focused is None, guild=server,
                limits=within_limits
            )
            values.append({"type": opt["type"], "name": name, "value": value})
        if values:
            node["options"] = values
        if resolved:
            data["resolved"] = resolved
        kind = AUTOCOMPLETE if focused is not None else APPLICATION_COMMAND
        return self._new(kind, member, channel_id, data, command=command)

    def _convert(
        self,
        where: str,
        opt: dict[str, Any],
        raw: Any,
        member: DemoMember,
        channel_id: int,
        resolved: dict[str, dict[str, Any]],
        *,
        strict: bool,
        guild: DemoGuild,
        limits: bool = True,
    ) -> Any:
        kind, name = opt["type"], opt["name"]
        label = f"option {name!r} of {where}"
        st = self.state
        if kind == STRING:
            value: Any = str(raw)
        elif kind == INTEGER:
            value = as_int(raw, label)
        elif kind == NUMBER:
            value = as_float(raw, label)
        elif kind == BOOLEAN:
            value = as_bool(raw, label)
        elif kind in (USER, MENTIONABLE):
            try:
                target = st.member(raw, guild)
            except KeyError:
                if kind == USER:
                    raise ValueError(f"{label}: unknown member {raw!r}") from None
                try:
                    role = guild.role(raw)
                except KeyError:
                    raise ValueError(f"{label}: no member or role {raw!r}") from None
                resolved.setdefault("roles", {})[str(role.id)] = role.to_payload()
                return str(role.id)
            resolved.setdefault("users", {})[str(target.id)] = target.user_payload()
            resolved.setdefault("members", {})[str(target.id)] = st.member_payload(
                target.id, channel_id, with_user=False
            )
            return str(target.id)
        elif kind == ROLE:
            try:
                role = guild.role(raw)
            except KeyError as exc:
                raise ValueError(f"{label}: {exc.args[0]}") from None
            resolved.setdefault("roles", {})[str(role.id)] = role.to_payload()
            return str(role.id)
        elif kind == CHANNEL:
            try:
                target_id = st.channel_id(raw, guild)
                if st.guild_of(target_id) is not guild:
                    raise KeyError(f"channel {raw!r} is not in {guild.name!r}")
            except KeyError as exc:
                raise ValueError(f"{label}: {exc.args[0]}") from None
            payload = st.channel_payload(target_id)
            allowed = opt.get("channel_types")
            if allowed and payload["type"] not in allowed:
                raise ValueError(f"{label}: channel type {payload['type']} is not one of {allowed}")
            payload["permissions"] = str(st.permissions(member.id, target_id))
            resolved.setdefault("channels", {})[str(target_id)] = payload
            return str(target_id)
        else:
            raise ValueError(f"{label}: option type {kind} (attachments) is not supported by the stand-in")
        choices = opt.get("choices")
        if choices:
            for choice in choices:
                if choice["value"] == value or str(choice["name"]).casefold() == str(raw).casefold():
                    return choice["value"]
            if strict:
                names = ", ".join(f"{c['name']}={c['value']!r}" for c in choices)
                raise ValueError(f"{label}: {raw!r} is not one of the choices ({names})")
        if strict and limits:
            check_limits(label, opt, value)
        return value

    # -- components and modals --------------------------------------------------------------
    def component(
        self, member_ref: int | str | DemoMember, message: MessageRecord, custom_id: str, values: list[Any] | None
    ) -> tuple[dict[str, Any], InteractionRecord]:
        member = self._presser(member_ref, message.channel_id)
        if message.deleted:
            raise ValueError(f"message {message.id} was deleted")
        if message.ephemeral:
            owner = self.by_id.get(message.interaction_id or 0)
            if owner is not None and owner.member_id != member.id:
                raise ValueError(f"message {message.id} is ephemeral: only its member can see it")
        comp = next((c for c in walk_components(message.components) if c.get("custom_id") == custom_id), None)
        if comp is None:
            ids = [c["custom_id"] for c in walk_components(message.components) if c.get("custom_id")]
            raise ValueError(f"message {message.id} has no component {custom_id!r}; it has: {', '.join(ids) or 'none'}")
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        kind = comp["type"]
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind}
        if kind == 2:
            if values is not None:
                raise ValueError(f"{custom_id!r} is a button: it takes no values")
        elif kind in SELECT_TYPES:
            chosen = list(values or [])
            low, high = int(comp.get("min_values", 1)), int(comp.get("max_values", 1))
            if not low <= len(chosen) <= high:
                raise ValueError(f"select {custom_id!r} takes {low} to {high} values, got {len(chosen)}")
            data["values"], resolved = self._select_values(comp, chosen, member, message.channel_id)
            if resolved:
                data["resolved"] = resolved
        else:
            raise ValueError(f"component {custom_id!r} (type {kind}) cannot be clicked")
        return self._new(MESSAGE_COMPONENT, member, message.channel_id, data, command=custom_id, message=message)

    def _presser(self, member_ref: int | str | DemoMember, channel_id: int) -> DemoMember:
        """Who presses: a member of the channel's server; in a DM, which is no server's, the member
        may be of any server (a generated one's learner answering a request in their DMs)."""
        st = self.state
        if channel_id in st.member_by_dm and not isinstance(member_ref, str):
            found = st.find_member(member_ref.id if isinstance(member_ref, DemoMember) else member_ref)
            if found is not None:
                return found
        return st.member(member_ref, st.guild_of(channel_id))

    def _select_values(
        self, comp: dict[str, Any], chosen: list[Any], member: DemoMember, channel_id: int
    ) -> tuple[list[str], dict[str, dict[str, Any]]]:
        kind = comp["type"]
        if kind == 3:
            out = []
            for v in chosen:
                option = next((o for o in comp.get("options", []) if o["value"] == str(v)), None)
                option = option or next(
                    (o for o in comp.get("options", []) if str(o.get("label", "")).casefold() == str(v).casefold()),
                    None,
                )
                if option is None:
                    opts = ", ".join(o["value"] for o in comp.get("options", []))
                    raise ValueError(f"select {comp['custom_id']!r} has no option {v!r}; options: {opts}")
                out.append(option["value"])
            return out, {}
        opt_type = {5: USER, 6: ROLE, 7: MENTIONABLE, 8: CHANNEL}[kind]
        resolved: dict[str, dict[str, Any]] = {}
        schema = {"type": opt_type, "name": comp["custom_id"], "channel_types": comp.get("channel_types")}
        guild = self.state.guild_of(channel_id) or self.state.guild
        ids = [
            self._convert("select", schema, v, member, channel_id, resolved, strict=True, guild=guild) for v in chosen
        ]
        return [str(i) for i in ids], resolved

    def modal_submit(
        self, member_ref: int | str | DemoMember, modal: ModalRecord, values: Mapping[str, Any]
    ) -> tuple[dict[str, Any], InteractionRecord]:
        st = self.state
        member = st.member(member_ref, st.guild_of(modal.channel_id))
        if modal.member_id and member.id != modal.member_id:
            owner = st.find_member(modal.member_id)
            raise ValueError(f"modal {modal.custom_id!r} was opened for {owner.name if owner else modal.member_id}")
        known = {f.custom_id for f in modal.fields}
        unknown = [k for k in values if k not in known]
        if unknown:
            raise ValueError(f"modal {modal.custom_id!r} has no field {unknown[0]!r}; fields: {', '.join(known)}")
        components: list[dict[str, Any]] = []
        for f in modal.fields:
            inner = field_component(modal, f, values.get(f.custom_id, f.value))
            if f.in_label:
                components.append({"type": 18, "component": inner})
            else:
                components.append({"type": 1, "components": [inner]})
        data = {"custom_id": modal.custom_id, "components": components}
        message = st.messages_by_id.get(modal.message_id) if modal.message_id else None
        return self._new(MODAL_SUBMIT, member, modal.channel_id, data, command=modal.custom_id, message=message)
