"""The demo shop's promotions: seeded once at head office, every one valid, and priced as the
demo's shelf labels say."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from shared.demo_catalogue import demo_catalogue
from shared.demo_promotions import demo_promotions
from shared.gst import SINGAPORE
from sync_service.central.admin.promotions import SampleItem, price_sample, promotions_in_force
from sync_service.central.seed import seed_demo
from tests.dashboard.admin_support import private_central

D = Decimal
SATURDAY_9AM = datetime(2026, 3, 7, 9, 0, tzinfo=SINGAPORE)


def test_every_kind_is_seeded_once_and_prices_as_labelled(pg_server: str) -> None:
    expected = demo_promotions(demo_catalogue(60))
    assert {p.kind for p in expected} == {
        "buy_x_get_y",
        "mix_and_match",
        "fixed_price",
        "amount_off",
        "bundle",
        "spend_and_save",
        "percent_off",
    }
    assert any(p.member_only for p in expected)
    with private_central(pg_server) as engine:
        assert seed_demo(engine, products=60, promotions=True).promotions == len(expected)
        assert seed_demo(engine, products=60, promotions=True).promotions == 0
        with engine.connect() as conn:
            assert len(promotions_in_force(conn)) == len(expected)
        skus = {p.name: p.sku for p in demo_catalogue(60).products}

        def cart(*names: str) -> list[SampleItem]:
            return [SampleItem(skus[n], D(1)) for n in names]

        tea = "Yeo's Chrysanthemum Tea 250ml x6"
        three_teas = price_sample(engine, cart(tea, tea, tea), SATURDAY_9AM, "ORC")
        assert (three_teas.total, three_teas.promotion_saving) == (D("9.00"), D("4.50"))
        bread = "Gardenia Enriched White Bread 600g"
        breakfast = price_sample(engine, cart(bread), SATURDAY_9AM, "ORC")
        assert breakfast.total == D("2.50")  # $2.95, $2.50 before 10 am
        lunch = price_sample(engine, cart(bread), SATURDAY_9AM.replace(hour=12), "ORC")
        assert lunch.total == D("2.95")
        bananas = price_sample(
            engine, [SampleItem(skus["Bananas (per kg)"], D("1.000"))], SATURDAY_9AM, "ORC"
        )
        assert bananas.total == D("2.61")  # 10% off fresh produce at the weekend
        # Seeding without promotions (the default) adds none.
    with private_central(pg_server) as engine:
        assert seed_demo(engine, products=60).promotions == 0
