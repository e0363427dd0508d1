"""Modals: the fields a member fills in (from the bot's type-9 callback) and what a submit carries."""

from __future__ import annotations

from typing import Any

from ._records import SELECT_TYPES, InteractionRecord, ModalField, ModalRecord


def parse_modal(data: dict[str, Any], rec: InteractionRecord) -> ModalRecord:
    """The modal a type-9 callback opened, as fields a member fills in."""
    fields: list[ModalField] = []

    def text_input(c: dict[str, Any], label: str | None, in_label: bool) -> ModalField:
        return ModalField(
            custom_id=c["custom_id"],
            label=label or c.get("label", ""),
            style=int(c.get("style", 1)),
            required=bool(c.get("required", True)),
            min_length=c.get("min_length"),
            max_length=c.get("max_length"),
            placeholder=c.get("placeholder"),
            value=c.get("value"),
            in_label=in_label,
        )

    for c in data.get("components") or []:
        if c.get("type") == 1:
            fields.extend(text_input(t, None, False) for t in c.get("components") or [] if t.get("type") == 4)
        elif c.get("type") == 18 and isinstance(c.get("component"), dict):
            inner = c["component"]
            if inner.get("type") == 4:
                fields.append(text_input(inner, c.get("label"), True))
            elif inner.get("type") in SELECT_TYPES:
                fields.append(
                    ModalField(
                        custom_id=inner["custom_id"],
                        label=c.get("label", ""),
                        style=0,
                        required=bool(inner.get("required", True)),
                        min_length=inner.get("min_values"),
                        max_length=inner.get("max_values"),
                        placeholder=inner.get("placeholder"),
                        component_type=inner["type"],
                        in_label=True,
                        options=list(inner.get("options") or []),
                        # A string select shows its `default` options as already chosen.
                        defaults=[str(o["value"]) for o in inner.get("options") or [] if o.get("default")],
                    )
                )
    source = rec.source_message
    return ModalRecord(
        custom_id=data.get("custom_id", ""),
        title=data.get("title", ""),
        fields=fields,
        interaction_id=rec.id,
        member_id=rec.member_id,
        channel_id=rec.channel_id,
        message_id=source.id if source is not None else None,
        raw=data,
    )


def field_component(modal: ModalRecord, f: ModalField, value: Any) -> dict[str, Any]:
    """The submitted component for one field; ValueError where Discord's client would refuse."""
    label = f"field {f.custom_id!r} of modal {modal.custom_id!r}"
    if f.component_type == 4:
        text = "" if value is None else str(value)
        if f.required and not text:
            raise ValueError(f"{label} is required")
        if text and f.min_length is not None and len(text) < f.min_length:
            raise ValueError(f"{label} needs at least {f.min_length} characters")
        if f.max_length is not None and len(text) > f.max_length:
            raise ValueError(f"{label} takes at most {f.max_length} characters")
        return {"type": 4, "custom_id": f.custom_id, "value": text}
    if value is None:
        value = f.defaults
    chosen = [value] if isinstance(value, str | int) else list(value)
    if f.required and not chosen:
        raise ValueError(f"{label} is required")
    low = 1 if f.required else 0
    low, high = max(low, int(f.min_length or 0)), int(f.max_length if f.max_length is not None else 1)
    if chosen and not low <= len(chosen) <= high:
        raise ValueError(f"{label} takes {low} to {high} choices, got {len(chosen)}")
    if f.component_type == 3:
        chosen = [_option_value(f, label, v) for v in chosen]
    return {"type": f.component_type, "custom_id": f.custom_id, "values": [str(v) for v in chosen]}


def _option_value(f: ModalField, label: str, picked: Any) -> str:
    """A string select offers only its options: a value, or an option's label as a person reads it."""
    for option in f.options:
        if str(option.get("value")) == str(picked) or str(option.get("label", "")).casefold() == str(picked).casefold():
            return str(option["value"])
    values = ", ".join(str(o.get("value")) for o in f.options)
    raise ValueError(f"{label} has no option {picked!r}; options: {values}")
