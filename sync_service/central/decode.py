"""Decoding a push, and the bulk of its events (sales and refunds), with msgspec, in C.

The payload models in ``shared.protocol`` stay the one definition of each event: the msgspec
types here are derived from their fields when this module loads, and only ever *accept less*.
A payload is decoded twice in C: once against the *grammar* types (money, quantities, rates
and moments as text in exactly the form ``shared.wire`` says our tills write them, ASCII
digits only; every length, pattern and count limit of the model), then into the *typed* form
the projections read (``Decimal``, ``datetime``, ``UUID``, with the same attribute names as
the model). Anything the fast path refuses, or a model it cannot express, goes to the model's
own validator, so what is accepted, what is quarantined and every message stay pydantic's.
The push's envelope is read the same way, each payload kept as the plain JSON object pydantic
would have made of it.
``tests/unit/test_decode.py`` holds the two to the same answers on generated payloads.
"""

from __future__ import annotations

import hashlib
import re
import types
import typing
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
import msgspec
from pydantic import AwareDatetime
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from shared.protocol import (
    MAX_PAYLOAD_BYTES,
    Event,
    EventKind,
    PushRequest,
    RefundCompletedV1,
    SaleCompletedV1,
    TillReport,
    holds_nul,
)
from shared.wire import MOMENT_TEXT, Grammar, WireModel, canonical_typed_json


class Unsupported(TypeError):
    """A field type the fast path does not express; its model is left to pydantic."""


def _exact(pattern: str) -> str:
    # Python's ``$`` also matches before a final newline; pydantic's (Rust) regex does not.
    anchored = pattern.endswith("$") and not pattern.endswith("\\$")
    return pattern[:-1] + r"\Z" if anchored else pattern


def _constraints(metadata: list[Any]) -> tuple[dict[str, Any], Grammar | None]:
    meta: dict[str, Any] = {}
    grammar = None
    for m in metadata:
        if isinstance(m, Grammar):
            grammar = m
        elif isinstance(m, FieldInfo):
            more, inner = _constraints(m.metadata)
            meta.update(more)
            grammar = grammar or inner
        elif isinstance(m, annotated_types.MinLen):
            meta["min_length"] = m.min_length
        elif isinstance(m, annotated_types.MaxLen):
            meta["max_length"] = m.max_length
        elif isinstance(m, annotated_types.Ge):
            meta["ge"] = m.ge
        elif isinstance(m, annotated_types.Le):
            meta["le"] = m.le
        elif hasattr(m, "min_length") or hasattr(m, "pattern"):  # StringConstraints, Field()
            for key in ("min_length", "max_length"):
                if getattr(m, key, None) is not None:
                    meta[key] = getattr(m, key)
            if getattr(m, "pattern", None) is not None:
                meta["pattern"] = _exact(m.pattern)
            if any(getattr(m, k, None) for k in ("strip_whitespace", "to_upper", "to_lower")):
                raise Unsupported("a string the model transforms")
        elif callable(getattr(m, "func", None)):  # BeforeValidator, PlainSerializer
            continue
        else:
            raise Unsupported(f"constraint {m!r}")
    return meta, grammar


def _type(annotation: Any, metadata: list[Any], typed: bool, made: dict[Any, Any]) -> Any:
    """The msgspec type for a pydantic field's type and constraints."""
    if get_origin(annotation) is Annotated:
        base, *more = get_args(annotation)
        return _type(base, [*more, *metadata], typed, made)
    meta, grammar = _constraints(metadata)
    if annotation is AwareDatetime:
        grammar = MOMENT_TEXT
    if grammar is not None:
        if typed:  # text already held to the grammar: C parses it into the model's type
            return datetime if annotation is AwareDatetime else Decimal
        return Annotated[str, msgspec.Meta(pattern=grammar.pattern)]
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return typing.Union[tuple(_type(a, [], typed, made) for a in get_args(annotation))]  # noqa: UP007
    if origin is list:
        (item,) = get_args(annotation)
        inner = _type(item, [], typed, made)
        return Annotated[list[inner], msgspec.Meta(**meta)] if meta else list[inner]  # type: ignore[valid-type]
    if origin is Literal:
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, WireModel):
        return struct(annotation, typed, made)
    if annotation in (uuid.UUID, bool, type(None)) and not meta:
        return annotation
    if annotation in (str, int):
        return Annotated[annotation, msgspec.Meta(**meta)] if meta else annotation
    raise Unsupported(f"type {annotation!r}")


def struct(model: type[WireModel], typed: bool, made: dict[Any, Any] | None = None) -> Any:
    """A msgspec Struct with ``model``'s fields: closed, strict, the same defaults."""
    made = {} if made is None else made
    if (model, typed) not in made:
        fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        for name, info in model.model_fields.items():
            if (model, name) == (Event, "payload"):
                # Kept as its bytes: decoded on its own below, then checked per kind.
                fields.append((name, msgspec.Raw))
                continue
            kind = _type(info.annotation, list(info.metadata), typed, made)
            if info.is_required():
                fields.append((name, kind))
            elif info.default_factory is list:  # an empty list when absent, as pydantic
                fields.append((name, kind, msgspec.field(default_factory=list)))
            elif info.default is None or info.default is PydanticUndefined:
                fields.append((name, kind, None))
            elif isinstance(info.default, bool | int | str):  # immutable: shared safely
                fields.append((name, kind, info.default))
            else:
                raise Unsupported(f"default {info.default!r}")
        made[(model, typed)] = msgspec.defstruct(
            f"{model.__name__}{'' if typed else 'Text'}",
            fields,
            kw_only=True,
            forbid_unknown_fields=True,
            frozen=True,
        )
    return made[(model, typed)]


def _decoders(model: type[WireModel]) -> tuple[Callable[[bytes], Any], Callable[[bytes], Any]]:
    return (
        msgspec.json.Decoder(struct(model, typed=False)).decode,
        msgspec.json.Decoder(struct(model, typed=True)).decode,
    )


# The kinds that are the bulk of every push; the rest go through pydantic as they are.
FAST: dict[tuple[str, int], tuple[Callable[[bytes], Any], Callable[[bytes], Any]]] = {
    (EventKind.SALE_COMPLETED.value, 1): _decoders(SaleCompletedV1),
    (EventKind.REFUND_COMPLETED.value, 1): _decoders(RefundCompletedV1),
}
_DECODE_ERRORS = (msgspec.ValidationError, msgspec.DecodeError)
_HEX64 = re.compile(r"[0-9a-f]{64}")


_PUSH_TEXT = msgspec.json.Decoder(struct(PushRequest, typed=False)).decode
_PUSH = msgspec.json.Decoder(struct(PushRequest, typed=True)).decode
_PAYLOAD = msgspec.json.Decoder(dict[str, Any]).decode
# Where ``canonical_typed_json`` could differ from ``canonical_json`` (floats, lone
# surrogates), the hash does not match and pydantic decides.
_CANONICAL = canonical_typed_json


def push_request(body: bytes) -> PushRequest | None:
    """``body`` as the PushRequest pydantic would read, decoded in C; None when the fast path
    declines it, and the caller asks pydantic (which then accepts it or says why not)."""
    try:
        _PUSH_TEXT(body)
        push = _PUSH(body)
        events = [
            Event.model_construct(
                event_id=e.event_id,
                till_id=e.till_id,
                epoch=e.epoch,
                seq=e.seq,
                kind=e.kind,
                schema_version=e.schema_version,
                occurred_at=e.occurred_at,
                payload=_PAYLOAD(e.payload),
                payload_sha256=e.payload_sha256,
            )
            for e in push.events
        ]
    except _DECODE_ERRORS:
        return None
    report = push.till
    return PushRequest.model_construct(
        protocol=push.protocol,
        till=TillReport.model_construct(
            app_version=report.app_version,
            store_revision=report.store_revision,
            backlog=report.backlog,
            oldest_pending_at=report.oldest_pending_at,
            sent_at=report.sent_at,
        ),
        events=events,
    )


def parsed_payload(event: Event) -> Any:
    """``event.parsed_payload()``, decided in C when the payload is one of ours as our tills
    write it; otherwise (or when anything is amiss) by pydantic, with its message."""
    decoders = FAST.get((event.kind, event.schema_version))
    if decoders is None:
        return event.parsed_payload()
    try:
        raw = _CANONICAL(event.payload)
    except (TypeError, ValueError, OverflowError, msgspec.EncodeError):
        return event.parsed_payload()
    if (
        len(raw) > MAX_PAYLOAD_BYTES
        or hashlib.sha256(raw).hexdigest() != event.payload_sha256
        or holds_nul(raw)
    ):
        return event.parsed_payload()
    grammar, typed = decoders
    try:
        grammar(raw)  # floats, for one, fit no field: refused here, then named by pydantic
        return typed(raw)
    except _DECODE_ERRORS:
        return event.parsed_payload()
