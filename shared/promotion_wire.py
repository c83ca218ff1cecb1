"""A promotion as master data: the wire form head office stores and tills pull, and the
engine's :class:`~shared.promotions.Promotion` made from it (the one conversion both ends use,
so a till and head office price with identical rules)."""

from __future__ import annotations

import json
from datetime import time
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.promotions import Promotion, PromotionKind, Scope, Window
from shared.wire import Money, Name, WireModel

KindText = Literal[
    "percent_off",
    "amount_off",
    "fixed_price",
    "buy_x_get_y",
    "mix_and_match",
    "bundle",
    "spend_and_save",
]
HourMinute = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Units = Annotated[int, Field(ge=0, le=99)]
Ids = Annotated[list[UUID], Field(max_length=500)]
Days = Annotated[list[Annotated[int, Field(ge=0, le=6)]], Field(max_length=7)]


class BundlePartV1(WireModel):
    product_id: UUID
    quantity: Annotated[int, Field(ge=1, le=99)]


class PromotionV1(WireModel):
    promotion_id: UUID
    name: Name
    kind: KindText
    products: Ids = Field(default_factory=list)
    categories: Ids = Field(default_factory=list)
    percent: Annotated[Decimal, Field(gt=0, le=100, decimal_places=2)] | None = None
    amount: Annotated[Money, Field(ge=0)] | None = None
    buy: Units = 0
    get: Units = 0
    get_products: Ids = Field(default_factory=list)
    get_categories: Ids = Field(default_factory=list)
    components: Annotated[list[BundlePartV1], Field(max_length=20)] = Field(default_factory=list)
    threshold: Annotated[Money, Field(gt=0)] | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    days: Days = Field(default_factory=list)
    opens: HourMinute | None = None
    closes: HourMinute | None = None
    outlet_ids: Ids = Field(default_factory=list)
    member_only: bool = False
    stackable: bool = False
    priority: Annotated[int, Field(ge=0, le=99)] = 0
    active: bool = True

    def to_promotion(self) -> Promotion:
        """The engine's promotion; raises ``PromotionError`` when it cannot work as written."""
        get_scope = None
        if self.get_products or self.get_categories:
            get_scope = _scope(self.get_products, self.get_categories)
        return Promotion(
            promotion_id=str(self.promotion_id),
            name=self.name,
            kind=PromotionKind(self.kind),
            scope=_scope(self.products, self.categories),
            percent=self.percent,
            amount=self.amount,
            buy=self.buy,
            get=self.get,
            get_scope=get_scope,
            components=tuple((str(c.product_id), c.quantity) for c in self.components),
            threshold=self.threshold,
            window=Window(
                starts=self.starts_at,
                ends=self.ends_at,
                days=frozenset(self.days),
                opens=_time(self.opens),
                closes=_time(self.closes),
            ),
            outlets=frozenset(str(o) for o in self.outlet_ids),
            member_only=self.member_only,
            stackable=self.stackable,
            priority=self.priority,
        )


def promotion_from_json(data: dict[str, Any]) -> PromotionV1:
    """A promotion read back from storage (JSON as written by ``model_dump(mode="json")``)."""
    return PromotionV1.model_validate_json(json.dumps(data))


def _scope(products: list[UUID], categories: list[UUID]) -> Scope:
    return Scope(frozenset(str(p) for p in products), frozenset(str(c) for c in categories))


def _time(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text)
