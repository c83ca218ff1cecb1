"""The loyalty scheme as head office stores and sends it (``LoyaltySchemeV1``) turned into the
rules' own terms (``shared.loyalty.LoyaltyScheme``): one place, for the till and head office."""

from __future__ import annotations

import json
from typing import Any

from shared.loyalty import LoyaltyScheme, Tier
from shared.protocol import LoyaltySchemeV1


def scheme_v1(stored: dict[str, Any]) -> LoyaltySchemeV1:
    """A scheme stored as JSON (head office's ``outlet.loyalty``): read as the wire reads it,
    ids and amounts as their text."""
    return LoyaltySchemeV1.model_validate_json(json.dumps(stored))


def scheme_of(sent: LoyaltySchemeV1 | dict[str, Any] | None) -> LoyaltyScheme | None:
    if sent is None:
        return None
    scheme = sent if isinstance(sent, LoyaltySchemeV1) else scheme_v1(sent)
    return LoyaltyScheme(
        points_per_dollar=scheme.points_per_dollar,
        category_multipliers={
            str(m.category_id): m.multiplier for m in scheme.category_multipliers
        },
        excluded_categories=frozenset(str(c) for c in scheme.excluded_categories),
        expiry_days=scheme.expiry_days,
        expiry_months=scheme.expiry_months,
        point_value=scheme.point_value,
        redeem_max_percent=scheme.redeem_max_percent,
        redeem_max_points=scheme.redeem_max_points,
        tiers=tuple(Tier(t.name, t.min_spend, t.multiplier) for t in scheme.tiers),
    )
