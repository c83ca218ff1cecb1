"""``sgpos-central seed-demo`` gives Orchard a points scheme and a few demo members."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from tests.migrations.central_support import fresh_database


def test_seed_demo_adds_members_and_a_loyalty_scheme_once(pg_server: str) -> None:
    with fresh_database(pg_server) as url:
        upgrade_central(url)
        engine = create_engine(url)
        try:
            seed_demo(engine, products=10)
            seed_demo(engine, products=10)  # again: nothing doubles
            with engine.connect() as conn:
                members = conn.execute(
                    text(
                        "SELECT c.member_no, c.company_name, c.address_lines, c.consent_contact, "
                        "o.code FROM sgpos.customer c JOIN sgpos.outlet o USING (outlet_id) "
                        "ORDER BY c.member_no"
                    )
                ).all()
                scheme = conn.execute(
                    text("SELECT loyalty FROM sgpos.outlet WHERE code = 'ORC'")
                ).scalar_one()
        finally:
            engine.dispose()
    assert [m.member_no for m in members] == [f"M-ORC-HO-0000{n}" for n in (1, 2, 3)]
    assert all(m.code == "ORC" and m.consent_contact for m in members)
    assert members[0].company_name == "Lim Trading Pte Ltd" and members[0].address_lines
    assert scheme["points_per_dollar"] == "1" and len(scheme["excluded_categories"]) == 1
