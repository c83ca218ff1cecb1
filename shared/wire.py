"""Field types for the sync protocol: exact money and quantities as JSON strings.

A JSON number is parsed as a float by most clients, so money never travels as one: amounts are
strings with exactly two decimals ("12.50"), quantities strings with up to three ("0.375").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache
from typing import Annotated, Any, get_args
from uuid import UUID

import msgspec
from pydantic import (
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    TypeAdapter,
)
from pydantic import BaseModel as _BaseModel

MAX_MONEY = Decimal("999999999999.99")
MAX_QUANTITY = Decimal("999999.999")


class WireModel(_BaseModel):
    """Strict: no coercion, no unknown fields (so no field can smuggle in personal data)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _decimal_text(places: int, limit: Decimal) -> Any:
    def parse(value: Any) -> Decimal:
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, str):
            try:
                number = Decimal(value)
            except InvalidOperation:
                raise ValueError(f"{value!r} is not a decimal number") from None
        else:
            raise ValueError(
                f'must be a decimal string such as "12.50", not {type(value).__name__}'
            )
        if not number.is_finite() or abs(number) > limit:
            raise ValueError(f"{value!r} is out of range (at most {limit})")
        if number != number.quantize(Decimal(1).scaleb(-places)):
            raise ValueError(f"{value!r} has more than {places} decimals")
        return number

    return BeforeValidator(parse)


@dataclass(frozen=True)
class Grammar:
    """The exact text a value is written in by our own tills, as a regular expression (ASCII
    digits only, anchored at the very end). Head office's fast decoder
    (sync_service.central.decode) accepts a value only in this form and asks the model's own
    validator about anything else, so this may be stricter than the model, never looser."""

    pattern: str


MONEY_TEXT = Grammar(r"^-?[0-9]{1,12}\.[0-9]{2}\Z")
QUANTITY_TEXT = Grammar(r"^-?[0-9]{1,6}(\.[0-9]{1,3})?\Z")
RATE_TEXT = Grammar(r"^(100(\.00?)?|[0-9]{1,2}(\.[0-9]{1,2})?)\Z")
MOMENT_TEXT = Grammar(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})\Z"
)


def money_text(d: Decimal) -> str:
    return f"{d:.2f}"


def quantity_text(d: Decimal) -> str:
    """A quantity or a rate as the shortest exact decimal ("1", "0.375", "9")."""
    return format(d.normalize(), "f")


def moment_text(moment: datetime) -> str:
    """An aware datetime as its JSON text (ISO 8601, "Z" for UTC)."""
    return str(_MOMENT.dump_python(moment, mode="json"))


Money = Annotated[
    Decimal,
    _decimal_text(2, MAX_MONEY),
    PlainSerializer(money_text, return_type=str),
    MONEY_TEXT,
]
Quantity = Annotated[
    Decimal,
    _decimal_text(3, MAX_QUANTITY),
    PlainSerializer(quantity_text, return_type=str),
    QUANTITY_TEXT,
]
Rate = Annotated[
    Decimal,
    _decimal_text(2, Decimal(100)),
    PlainSerializer(quantity_text, return_type=str),
    RATE_TEXT,
]
_MOMENT: TypeAdapter[AwareDatetime] = TypeAdapter(AwareDatetime)
# The sizes of head office's columns. sync_service/central/models.py builds its columns from
# these very constants, so anything the protocol accepts fits the database: an event that
# passed validation and then failed in PostgreSQL used to block its till's queue.
NAME_MAX = 120
SHORT_TEXT_MAX = 200
RECEIPT_NO_MAX = 40
APP_VERSION_MAX = 40
STORE_REVISION_MAX = 60
AUDIT_MOMENT_MAX = 40  # an audit record's occurred_at, kept as the exact text the till hashed
STAFF_REF_MAX = 36  # an audit record's actor: a staff id
INT32_MAX = 2**31 - 1  # PostgreSQL integer
INT64_MAX = 2**63 - 1  # PostgreSQL bigint

Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX)]
ShortText = Annotated[str, StringConstraints(max_length=SHORT_TEXT_MAX)]
ReceiptNo = Annotated[str, StringConstraints(min_length=1, max_length=RECEIPT_NO_MAX)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,8}$")]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
PositiveInt = Annotated[int, Field(ge=1, le=INT32_MAX)]
Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
Seq = Annotated[int, Field(ge=1, le=INT64_MAX)]


def canonical_json(value: Any) -> bytes:
    """The one serialisation hashes are computed over: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def payload_hash(payload: Any) -> str:
    return sealed_payload(payload)[1]


def sealed_payload(payload: Any) -> tuple[bytes, str]:
    """The canonical bytes of ``payload`` and their SHA-256, serialising it once."""
    raw = canonical_json(payload)
    _refuse_floats(raw)
    return raw, hashlib.sha256(raw).hexdigest()


# ``canonical_json`` in C, for JSON made of strings, ints, booleans and None only: the same
# bytes (a hypothesis test holds the two together). Floats and lone surrogates are where they
# could differ, so it is used only where neither can be.
canonical_typed_json = msgspec.json.Encoder(order="sorted").encode


def sealed_typed(body: dict[str, Any]) -> tuple[bytes, str]:
    """``sealed_payload`` of a body built from typed values only (strings, ints, booleans,
    None), where no float can be: serialised once and not read back."""
    raw = canonical_typed_json(body)
    return raw, hashlib.sha256(raw).hexdigest()


def sealed_model(payload: WireModel) -> tuple[bytes, str]:
    """``sealed_payload`` of a typed payload. A model whose every field is typed cannot hold
    a float (money and quantities serialise as strings), so only one with free-form fields
    (an audit record's before and after) has its bytes read back for floats."""
    body = payload.model_dump(mode="json")
    return sealed_typed(body) if _typed_throughout(type(payload)) else sealed_payload(body)


@cache
def _typed_throughout(model: type[_BaseModel]) -> bool:
    def typed(annotation: Any) -> bool:
        if annotation is Any or annotation is float:
            return False
        if isinstance(annotation, type) and issubclass(annotation, _BaseModel):
            return _typed_throughout(annotation)
        return all(typed(arg) for arg in get_args(annotation))

    return all(typed(f.annotation) for f in model.model_fields.values())


def _no_float(text: str) -> Any:
    raise TypeError(f"floats are not allowed in event payloads ({text}); send decimals as strings")


def _refuse_floats(raw: bytes) -> None:
    # A float in a payload would hash differently on another platform's JSON encoder, and
    # money as a float is already wrong. Re-reading the canonical bytes with the C parser
    # finds one exactly and far faster than walking the payload in Python.
    json.loads(raw, parse_float=_no_float)


# --- a model's JSON body written straight from typed values --------------------------------

_Encode = Any  # Callable[[Any], Any]; typed loosely: the encoders nest


def json_of(model: type[_BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """``model(**values).model_dump(mode="json")`` without building the model: each value is
    written by its field's own type (money and quantities by their serializers, ids and moments
    as text, nested models and lists of them in turn). A value already in its JSON form passes
    through. For the hottest payloads (a sale); tests hold its output to the model's."""
    return {name: encode(values[name]) for name, encode in _encoders(model)}


@cache
def _encoders(model: type[_BaseModel]) -> tuple[tuple[str, _Encode], ...]:
    return tuple(
        (name, _encoder(f.annotation, f.metadata)) for name, f in model.model_fields.items()
    )


def _as_is(value: Any) -> Any:
    return value


def _text_of(write: Any) -> _Encode:
    def encode(value: Any) -> Any:
        return value if value is None or isinstance(value, str) else write(value)

    return encode


def _encoder(annotation: Any, metadata: list[Any]) -> _Encode:
    for m in metadata:
        if isinstance(m, PlainSerializer):
            return _text_of(m.func)
    origin, args = getattr(annotation, "__origin__", None), get_args(annotation)
    if origin is Annotated:
        return _encoder(args[0], list(getattr(annotation, "__metadata__", ())))
    if args and origin is not list and type(None) in args:  # X | None
        (inner,) = [a for a in args if a is not type(None)]
        return _encoder(inner, [])
    if origin is list:
        item = _encoder(args[0], [])
        return lambda values: [item(v) for v in values]
    if isinstance(annotation, type) and issubclass(annotation, _BaseModel):
        nested = annotation
        return lambda v: v if not isinstance(v, dict) else json_of(nested, v)
    if annotation is datetime or annotation is AwareDatetime:
        return _text_of(moment_text)
    if isinstance(annotation, type) and issubclass(annotation, UUID):
        return _text_of(str)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return lambda v: v.value if isinstance(v, Enum) else v
    return _as_is
