"""Automatic promotions: which apply to a basket at a moment, and how much each line saves.

Pure and deterministic: the same basket, promotions and moment give the same discounts on
every till and at head office, whatever order the items were scanned in. The stacking rules,
in the order the engine applies them (``docs/promotions.md`` explains them for people):

1. A promotion counts only if it is open (its dates, days of week and hours, in Singapore
   time), runs at this outlet, and, if it is for members, the customer is a member.
2. **Stackable item promotions** (percentage or amount off only) apply first to every unit
   they cover, like markdowns of the shelf price, in priority order (then promotion id),
   each worked out on the shelf price and never taking a unit below zero.
3. **Exclusive item promotions** then compete for units at their marked-down prices.
   Repeatedly, the one that saves the customer the most on the units still free takes them
   (ties: higher ``priority``, then the promotion id); a unit is in at most one exclusive
   promotion.
4. **Spend-and-save thresholds** last, on what the covered lines cost after 1-3: the best
   exclusive threshold met, plus every stackable one met.

A promotion set (mix and match, bundle, buy X get Y) never saves more than its cheapest unit
costs after markdowns, so removing an item from a set never makes the basket dearer. That
holds for the whole basket while exclusive promotions do not reach the same products; where
they overlap, step 3 is greedy (deterministic, the same everywhere, not always the optimum)
and head office's preview warns about the overlap.

Lines with a manual discount or price override take no promotion: the cashier's decision
stands. Weighed lines take percentage-off promotions only.

Each saving is spread over the units that earned it in proportion to their prices (exact to
the cent), so every line carries its own share: GST per tax code and refunds at the price
actually paid stay exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from enum import StrEnum

from shared.gst import SINGAPORE
from shared.money import ZERO, allocate, round_cents

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class PromotionError(ValueError):
    """A promotion that cannot work as written; the message says what to change."""


class PromotionKind(StrEnum):
    PERCENT_OFF = "percent_off"  # percent off each covered unit
    AMOUNT_OFF = "amount_off"  # amount off each covered unit
    FIXED_PRICE = "fixed_price"  # each covered unit sells for amount
    BUY_X_GET_Y = "buy_x_get_y"  # buy `buy`, get `get` at percent off (100 = free)
    MIX_AND_MATCH = "mix_and_match"  # any `buy` covered units for amount
    BUNDLE = "bundle"  # the components together for amount
    SPEND_AND_SAVE = "spend_and_save"  # spend threshold on covered lines, save amount or percent


PER_UNIT_KINDS = frozenset(
    {PromotionKind.PERCENT_OFF, PromotionKind.AMOUNT_OFF, PromotionKind.FIXED_PRICE}
)
STACKABLE_KINDS = frozenset(
    {PromotionKind.PERCENT_OFF, PromotionKind.AMOUNT_OFF, PromotionKind.SPEND_AND_SAVE}
)


@dataclass(frozen=True)
class Scope:
    """Which products a promotion looks at: listed products, whole categories, or (for a
    spend threshold only) everything when both are empty."""

    products: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()

    @property
    def everything(self) -> bool:
        return not self.products and not self.categories

    def covers(self, product_id: str, category_id: str | None) -> bool:
        if self.everything:
            return True
        return product_id in self.products or (
            category_id is not None and category_id in self.categories
        )


@dataclass(frozen=True)
class Window:
    """When a promotion runs, in Singapore time: from ``starts`` (inclusive) to ``ends``
    (exclusive), on ``days`` (0 = Monday; empty = every day), between ``opens`` and
    ``closes`` (a window across midnight, 22:00-02:00, is allowed; none = all day)."""

    starts: datetime | None = None
    ends: datetime | None = None
    days: frozenset[int] = frozenset()
    opens: time | None = None
    closes: time | None = None

    def __post_init__(self) -> None:
        for moment in (self.starts, self.ends):
            if moment is not None and moment.utcoffset() is None:
                raise PromotionError("a promotion's start and end must carry a time zone")
        if self.starts and self.ends and self.ends <= self.starts:
            raise PromotionError("a promotion must end after it starts")
        if (self.opens is None) != (self.closes is None):
            raise PromotionError("give both the hour a promotion opens and the hour it closes")
        if self.opens is not None and self.opens == self.closes:
            raise PromotionError("a promotion's daily hours must not open and close together")
        if any(not 0 <= d <= 6 for d in self.days):
            raise PromotionError("days of the week are 0 (Monday) to 6 (Sunday)")

    def closed_because(self, at: datetime) -> str | None:
        """Why the promotion is not running at ``at``, or None when it is."""
        if at.utcoffset() is None:
            raise PromotionError("the moment a basket is priced must carry its time zone")
        local = at.astimezone(SINGAPORE)
        if self.starts is not None and at < self.starts:
            return f"starts {self.starts.astimezone(SINGAPORE):%d %b %Y %H:%M} SGT"
        if self.ends is not None and at >= self.ends:
            return f"ended {self.ends.astimezone(SINGAPORE):%d %b %Y %H:%M} SGT"
        if self.days and local.weekday() not in self.days:
            days = ", ".join(DAY_NAMES[d] for d in sorted(self.days))
            return f"runs on {days} only"
        if self.opens is not None and self.closes is not None:
            now = local.time().replace(tzinfo=None)
            if self.opens < self.closes:
                inside = self.opens <= now < self.closes
            else:
                inside = now >= self.opens or now < self.closes
            if not inside:
                return f"runs {self.opens:%H:%M}-{self.closes:%H:%M} SGT only"
        return None


@dataclass(frozen=True)
class Promotion:
    promotion_id: str
    name: str
    kind: PromotionKind
    scope: Scope = Scope()
    percent: Decimal | None = None
    amount: Decimal | None = None
    buy: int = 0
    get: int = 0
    get_scope: Scope | None = None  # buy X get Y of other items; None: the same items
    components: tuple[tuple[str, int], ...] = ()  # bundle: (product id, units)
    threshold: Decimal | None = None
    window: Window = Window()
    outlets: frozenset[str] = frozenset()  # empty: every outlet
    member_only: bool = False
    stackable: bool = False
    priority: int = 0

    def __post_init__(self) -> None:
        check_promotion(self)


def check_promotion(p: Promotion) -> None:
    """Refuse a promotion that cannot work, saying what to change."""
    name = p.name or p.promotion_id
    k = p.kind

    def need(condition: bool, what: str) -> None:
        if not condition:
            raise PromotionError(f"promotion {name!r} ({k.value}): {what}")

    if p.percent is not None:
        need(0 < p.percent <= 100, "the percentage must be more than 0 and at most 100")
    if p.amount is not None:
        need(p.amount == round_cents(p.amount), "the amount must be whole cents")
        need(p.amount >= 0, "the amount cannot be negative")
    if k in (PromotionKind.PERCENT_OFF,):
        need(p.percent is not None and p.amount is None, "give a percentage, not an amount")
    if k in (PromotionKind.AMOUNT_OFF,):
        need(p.amount is not None and p.amount > 0, "give an amount off more than zero")
    if k in (PromotionKind.FIXED_PRICE, PromotionKind.MIX_AND_MATCH, PromotionKind.BUNDLE):
        need(p.amount is not None and p.percent is None, "give the price it sells for")
    if k in PER_UNIT_KINDS or k in (PromotionKind.MIX_AND_MATCH, PromotionKind.BUY_X_GET_Y):
        need(not p.scope.everything, "choose the products or categories it covers")
    if k is PromotionKind.MIX_AND_MATCH:
        need(2 <= p.buy <= 99, "a mix and match takes 2 to 99 items")
    if k is PromotionKind.BUY_X_GET_Y:
        need(1 <= p.buy <= 99 and 1 <= p.get <= 99, "buy and get are 1 to 99 items each")
        need(p.amount is None, "give the percentage off the free items (100 = free)")
    if k is PromotionKind.BUNDLE:
        need(len(p.components) >= 2 or sum(q for _, q in p.components) >= 2, "list 2+ items")
        need(all(1 <= q <= 99 for _, q in p.components), "each item 1 to 99 units")
        need(len({c for c, _ in p.components}) == len(p.components), "list each item once")
    if k is PromotionKind.SPEND_AND_SAVE:
        need(p.threshold is not None and p.threshold > 0, "give the spend it needs")
        need((p.amount is None) != (p.percent is None), "save an amount or a percentage")
        need(p.amount is None or p.amount > 0, "the saving must be more than zero")
    if p.stackable:
        need(k in STACKABLE_KINDS, "only percentage off, amount off and spend thresholds stack")


# --- the basket as the engine sees it ------------------------------------------------------


@dataclass(frozen=True)
class BasketLine:
    line_id: str
    product_id: str
    category_id: str | None
    unit_price: Decimal  # the price per unit charged before any promotion
    quantity: Decimal
    gross: Decimal  # what the line costs before any promotion
    weighed: bool = False
    eligible: bool = True  # False: a manual discount or price override is on this line
    position: int = 0  # in the cart: breaks ties the same way wherever the cart is priced


@dataclass(frozen=True)
class Occasion:
    at: datetime
    outlet_id: str | None = None
    member: bool = False  # customers and loyalty decide this; False until they do


@dataclass(frozen=True)
class Applied:
    promotion_id: str
    name: str
    times: int
    saving: Decimal
    line_ids: tuple[str, ...]
    capped: bool = False  # a set saved less than configured (see the module docstring)


@dataclass(frozen=True)
class Verdict:
    """Why a promotion did or did not apply, in words a cashier can read out."""

    promotion_id: str
    name: str
    applied: bool
    reason: str


@dataclass(frozen=True)
class PromotionOutcome:
    line_savings: Mapping[str, Decimal]
    line_promotions: Mapping[str, tuple[str, ...]]  # line id -> names of what applied
    applied: tuple[Applied, ...]
    verdicts: tuple[Verdict, ...]
    # line id -> promotion id -> what that promotion saved on that line; a line's amounts add
    # up to its saving (head office's uplift report, docs/promotions.md).
    line_promotion_savings: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)

    @property
    def saved(self) -> Decimal:
        return sum(self.line_savings.values(), ZERO)

    def saving(self, line_id: str) -> Decimal:
        return self.line_savings.get(line_id, ZERO)


NO_PROMOTIONS = PromotionOutcome({}, {}, (), ())


@dataclass
class _Unit:
    line_id: str
    position: int
    product_id: str
    category_id: str | None
    price: Decimal
    weighed: bool
    saved: Decimal = ZERO
    left: Decimal = ZERO  # price - saved, kept up to date (read in every rule's inner loop)
    by_promotion: dict[str, Decimal] = field(default_factory=dict)  # of ``saved``

    def __post_init__(self) -> None:
        self.left = self.price - self.saved


@dataclass(frozen=True)
class _Deal:
    units: tuple[int, ...]  # indices into the unit list
    saving: Decimal
    capped: bool = False


@dataclass
class _Run:
    promo: Promotion
    deals: list[_Deal] = field(default_factory=list)

    @property
    def saving(self) -> Decimal:
        return sum((d.saving for d in self.deals), ZERO)


def price_basket(
    lines: Sequence[BasketLine], promotions: Iterable[Promotion], occasion: Occasion
) -> PromotionOutcome:
    """Every line's saving under ``promotions`` at ``occasion``, with the reasons."""
    verdicts: dict[str, Verdict] = {}
    open_promos: list[Promotion] = []
    for p in sorted(promotions, key=lambda p: p.promotion_id):
        reason = _closed_because(p, occasion)
        if reason is None:
            open_promos.append(p)
        else:
            verdicts[p.promotion_id] = Verdict(p.promotion_id, p.name, False, reason)
    units = _units(lines)
    applied: list[Applied] = []

    # 2. Stackable item promotions first, like markdowns of the shelf price, in priority order.
    for p in sorted(
        (p for p in open_promos if p.stackable and p.kind in _ITEM_RULES),
        key=lambda p: (-p.priority, p.promotion_id),
    ):
        run = _ITEM_RULES[p.kind](p, units, sorted(range(len(units)), key=_order(units)))
        for deal in run.deals:
            _spread(units, deal, p.promotion_id)
        if run.saving > 0:
            applied.append(_applied(run, units))
        else:
            verdicts[p.promotion_id] = _not_met(p, units, {})

    # 3. Exclusive item promotions: the best for the customer takes its units, repeatedly.
    free = set(range(len(units)))
    contenders = [p for p in open_promos if not p.stackable and p.kind in _ITEM_RULES]
    winners: dict[str, str] = {}
    # A run depends only on the free units its promotion reaches, whose prices do not change
    # in this step: after each winner, only the runs that reached its units are worked again.
    reach = {p.promotion_id: _reach(p, units) for p in contenders}
    runs: dict[str, _Run] = {}
    while contenders:
        order = sorted(free, key=_order(units))
        for p in contenders:
            if p.promotion_id not in runs:
                runs[p.promotion_id] = _ITEM_RULES[p.kind](p, units, order)
        best = max(
            (runs[p.promotion_id] for p in contenders),
            key=lambda r: (r.saving, r.promo.priority, _neg(r.promo.promotion_id)),
        )
        if best.saving <= 0:
            break
        contenders.remove(best.promo)
        taken = {i for d in best.deals for i in d.units}
        for deal in best.deals:
            free.difference_update(deal.units)
            _spread(units, deal, best.promo.promotion_id)
        applied.append(_applied(best, units))
        for u in taken:
            winners.setdefault(units[u].product_id, best.promo.name)
        for p in contenders:
            if reach[p.promotion_id] & taken:
                runs.pop(p.promotion_id, None)
    for p in contenders:
        verdicts[p.promotion_id] = _not_met(p, units, winners)

    # 4. Spend thresholds on what the covered lines now cost.
    line_saved = _line_totals(units)
    threshold_by: dict[str, dict[str, Decimal]] = {}
    thresholds = [p for p in open_promos if p.kind is PromotionKind.SPEND_AND_SAVE]
    met: list[tuple[Promotion, Decimal, list[BasketLine]]] = []
    for p in thresholds:
        covered = [
            ln for ln in lines if ln.eligible and p.scope.covers(ln.product_id, ln.category_id)
        ]
        spent = sum((ln.gross - line_saved.get(ln.line_id, ZERO) for ln in covered), ZERO)
        assert p.threshold is not None
        if spent >= p.threshold and spent > 0:
            saving = _threshold_saving(p, spent)
            met.append((p, min(saving, spent), covered))
        else:
            short = p.threshold - spent
            verdicts[p.promotion_id] = Verdict(
                p.promotion_id,
                p.name,
                False,
                f"spend ${p.threshold:,.2f} on what it covers; this basket has ${spent:,.2f} "
                f"(${short:,.2f} more)",
            )
    exclusive = [m for m in met if not m[0].stackable]
    best_threshold = max(
        exclusive, key=lambda m: (m[1], m[0].priority, _neg(m[0].promotion_id)), default=None
    )
    for p, saving, covered in sorted(met, key=lambda m: (-m[0].priority, m[0].promotion_id)):
        if not p.stackable and best_threshold is not None and p is not best_threshold[0]:
            verdicts[p.promotion_id] = Verdict(
                p.promotion_id,
                p.name,
                False,
                f"{best_threshold[0].name} saves more and they do not combine",
            )
            continue
        spent_now = {ln.line_id: ln.gross - line_saved.get(ln.line_id, ZERO) for ln in covered}
        saving = min(saving, sum(spent_now.values(), ZERO))
        shares = _spread_over_lines(saving, covered, spent_now)
        for line_id, share in shares.items():
            line_saved[line_id] = line_saved.get(line_id, ZERO) + share
            if share:
                threshold_by[line_id] = {**threshold_by.get(line_id, {}), p.promotion_id: share}
        applied.append(
            Applied(
                p.promotion_id, p.name, 1, saving, tuple(sorted(k for k in shares if shares[k]))
            )
        )

    for a in applied:
        verdicts[a.promotion_id] = Verdict(
            a.promotion_id,
            a.name,
            True,
            f"saved ${a.saving:,.2f}"
            + (f" ({a.times} times)" if a.times > 1 else "")
            + (" (capped: a set never saves more than its cheapest item)" if a.capped else ""),
        )
    names: dict[str, list[str]] = {}
    for a in applied:
        for line_id in a.line_ids:
            names.setdefault(line_id, []).append(a.name)
    by_line: dict[str, dict[str, Decimal]] = {}
    for unit in units:
        for promotion_id, share in unit.by_promotion.items():
            mine = by_line.setdefault(unit.line_id, {})
            mine[promotion_id] = mine.get(promotion_id, ZERO) + share
    for line_id, shares_by in threshold_by.items():
        mine = by_line.setdefault(line_id, {})
        for promotion_id, share in shares_by.items():
            mine[promotion_id] = mine.get(promotion_id, ZERO) + share
    return PromotionOutcome(
        line_savings={k: v for k, v in line_saved.items() if v},
        line_promotions={k: tuple(v) for k, v in names.items()},
        applied=tuple(applied),
        verdicts=tuple(verdicts[p] for p in sorted(verdicts)),
        line_promotion_savings=by_line,
    )


def _threshold_saving(p: Promotion, spent: Decimal) -> Decimal:
    if p.amount is not None:
        return p.amount
    assert p.percent is not None
    return round_cents(spent * p.percent / 100)


def _closed_because(p: Promotion, occasion: Occasion) -> str | None:
    if p.outlets and occasion.outlet_id not in p.outlets:
        return "not running at this outlet"
    if p.member_only and not occasion.member:
        return "for members only: no member on this sale"
    return p.window.closed_because(occasion.at)


def _neg(text: str) -> tuple[int, ...]:
    """Sorts ids in reverse, so that ``max`` prefers the smallest id on a tie."""
    return tuple(-ord(c) for c in text)


def _units(lines: Sequence[BasketLine]) -> list[_Unit]:
    units: list[_Unit] = []
    for ln in lines:
        if not ln.eligible or ln.gross <= 0:
            continue
        if ln.weighed:
            units.append(
                _Unit(ln.line_id, ln.position, ln.product_id, ln.category_id, ln.gross, True)
            )
            continue
        for _ in range(int(ln.quantity)):
            units.append(
                _Unit(ln.line_id, ln.position, ln.product_id, ln.category_id, ln.unit_price, False)
            )
    return units


def _order(units: list[_Unit]):  # type: ignore[no-untyped-def]
    # Dearest first; identical units are interchangeable, so the position only fixes the order.
    return lambda i: (-units[i].left, units[i].product_id, units[i].position, i)


def _reach(p: Promotion, units: list[_Unit]) -> set[int]:
    """The units a promotion could take (what its run can depend on)."""
    if p.kind is PromotionKind.BUNDLE:
        parts = {c for c, _ in p.components}
        return {i for i, u in enumerate(units) if u.product_id in parts}
    scopes = [p.scope] + ([p.get_scope] if p.get_scope is not None else [])
    return {
        i for i, u in enumerate(units) if any(s.covers(u.product_id, u.category_id) for s in scopes)
    }


def _spread(units: list[_Unit], deal: _Deal, promotion_id: str) -> None:
    weights = [units[i].left for i in deal.units]
    for i, share in zip(deal.units, allocate(deal.saving, weights), strict=True):
        units[i].saved += share
        units[i].left -= share
        if share:
            by = units[i].by_promotion
            by[promotion_id] = by.get(promotion_id, ZERO) + share


def _line_totals(units: list[_Unit]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for u in units:
        if u.saved:
            out[u.line_id] = out.get(u.line_id, ZERO) + u.saved
    return out


def _applied(run: _Run, units: list[_Unit]) -> Applied:
    line_ids = sorted({units[i].line_id for d in run.deals for i in d.units})
    return Applied(
        run.promo.promotion_id,
        run.promo.name,
        len(run.deals),
        run.saving,
        tuple(line_ids),
        any(d.capped for d in run.deals),
    )


def _spread_over_lines(
    saving: Decimal, covered: list[BasketLine], spent: dict[str, Decimal]
) -> dict[str, Decimal]:
    """A basket-wide saving over its lines, first by (product, price) so that how the items
    were split into lines never moves a cent between tax codes, then over those lines."""
    groups: dict[tuple[str, Decimal], list[BasketLine]] = {}
    for ln in covered:
        groups.setdefault((ln.product_id, ln.unit_price), []).append(ln)
    keys = sorted(groups)
    group_spend = [sum((spent[ln.line_id] for ln in groups[k]), ZERO) for k in keys]
    out: dict[str, Decimal] = {}
    for key, share in zip(keys, allocate(saving, group_spend), strict=True):
        members = sorted(groups[key], key=lambda ln: ln.position)
        for ln, part in zip(
            members, allocate(share, [spent[m.line_id] for m in members]), strict=True
        ):
            out[ln.line_id] = part
    return out


# --- the item rules: each finds its deals among the free units, dearest first --------------


def _covered(p: Promotion, units: list[_Unit], free: list[int], scope: Scope | None = None):  # type: ignore[no-untyped-def]
    s = scope or p.scope
    return [i for i in free if s.covers(units[i].product_id, units[i].category_id)]


def _per_unit(p: Promotion, units: list[_Unit], free: list[int]) -> _Run:
    run = _Run(p)
    for i in _covered(p, units, free):
        u = units[i]
        if u.weighed and p.kind is not PromotionKind.PERCENT_OFF:
            continue
        if p.kind is PromotionKind.PERCENT_OFF:
            assert p.percent is not None
            off = round_cents(u.price * p.percent / 100)
        elif p.kind is PromotionKind.AMOUNT_OFF:
            assert p.amount is not None
            off = p.amount
        else:
            assert p.amount is not None
            off = u.price - p.amount
        off = min(off, u.left)
        if off > 0:
            run.deals.append(_Deal((i,), off))
    return run


def _set_deal(units: list[_Unit], chosen: Sequence[int], saving: Decimal) -> _Deal | None:
    cheapest = min(units[i].left for i in chosen)
    capped = saving > cheapest
    saving = min(saving, cheapest)
    return _Deal(tuple(chosen), saving, capped) if saving > 0 else None


def _mix_and_match(p: Promotion, units: list[_Unit], free: list[int]) -> _Run:
    assert p.amount is not None
    run = _Run(p)
    pool = [i for i in _covered(p, units, free) if not units[i].weighed]
    for start in range(0, len(pool) - p.buy + 1, p.buy):
        group = pool[start : start + p.buy]
        deal = _set_deal(units, group, sum((units[i].left for i in group), ZERO) - p.amount)
        if deal is not None:
            run.deals.append(deal)
    return run


def _buy_x_get_y(p: Promotion, units: list[_Unit], free: list[int]) -> _Run:
    percent = p.percent if p.percent is not None else Decimal(100)
    run = _Run(p)
    buy_pool = [i for i in _covered(p, units, free) if not units[i].weighed]
    if p.get_scope is None:
        size = p.buy + p.get
        for start in range(0, len(buy_pool) - size + 1, size):
            group = buy_pool[start : start + size]
            off = sum((round_cents(units[i].left * percent / 100) for i in group[p.buy :]), ZERO)
            deal = _set_deal(units, group, off)
            if deal is not None:
                run.deals.append(deal)
        return run
    bought = set(buy_pool)
    get_pool = [
        i for i in _covered(p, units, free, p.get_scope) if i not in bought and not units[i].weighed
    ]
    # The dearest items are given, against the dearest items bought: a set never saves more
    # than its cheapest unit, so buying the dear ones keeps the saving whole.
    while len(buy_pool) >= p.buy and get_pool:
        paid, buy_pool = buy_pool[: p.buy], buy_pool[p.buy :]
        given, get_pool = get_pool[: p.get], get_pool[p.get :]
        off = sum((round_cents(units[i].left * percent / 100) for i in given), ZERO)
        deal = _set_deal(units, paid + given, off)
        if deal is not None:
            run.deals.append(deal)
    return run


def _bundle(p: Promotion, units: list[_Unit], free: list[int]) -> _Run:
    assert p.amount is not None
    run = _Run(p)
    pools = {
        c: [i for i in free if units[i].product_id == c and not units[i].weighed]
        for c, _ in p.components
    }
    while all(len(pools[c]) >= q for c, q in p.components):
        group: list[int] = []
        for c, q in p.components:
            group += pools[c][:q]
            pools[c] = pools[c][q:]
        deal = _set_deal(units, group, sum((units[i].left for i in group), ZERO) - p.amount)
        if deal is None:
            break
        run.deals.append(deal)
    return run


_ITEM_RULES = {
    PromotionKind.PERCENT_OFF: _per_unit,
    PromotionKind.AMOUNT_OFF: _per_unit,
    PromotionKind.FIXED_PRICE: _per_unit,
    PromotionKind.MIX_AND_MATCH: _mix_and_match,
    PromotionKind.BUY_X_GET_Y: _buy_x_get_y,
    PromotionKind.BUNDLE: _bundle,
}


def _not_met(p: Promotion, units: list[_Unit], winners: Mapping[str, str]) -> Verdict:
    covered = [
        u
        for u in units
        if (
            p.scope.covers(u.product_id, u.category_id)
            if p.kind is not PromotionKind.BUNDLE
            else any(u.product_id == c for c, _ in p.components)
        )
    ]
    taken = sorted({winners[u.product_id] for u in covered if u.product_id in winners})
    if not covered:
        reason = "none of its items is in the basket"
    elif taken:
        reason = f"its items went to {', '.join(taken)}, which saves the customer more"
    elif p.kind is PromotionKind.MIX_AND_MATCH:
        reason = f"needs {p.buy} of its items; the basket has {len(covered)}"
    elif p.kind is PromotionKind.BUY_X_GET_Y:
        reason = f"needs {p.buy} bought and {p.get} to get; the basket has {len(covered)}"
    elif p.kind is PromotionKind.BUNDLE:
        reason = "the basket does not hold every item of the bundle"
    else:
        reason = "its items already sell at or below its price"
    return Verdict(p.promotion_id, p.name, False, reason)
