"""CSV import of product families and packs at head office: a good file makes the variants
and cartons (and a till's pull brings them); a bad file is refused whole, every bad row named
with its column and reason; the Families and packs pages show what was stored
(docs/variants.md)."""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import aiohttp
import pytest
from sqlalchemy import Engine, text

from shared.protocol import MasterEntity
from sync_service.central.admin.csv_import import ImportRefused
from sync_service.central.admin.family_import import import_families
from sync_service.central.pull import pull_page
from tests.central import add_outlet
from tests.dashboard.admin_support import actor, last_change, private_central, scalar, till_at
from tests.dashboard.conftest import Shop
from tests.dashboard.support import Page, Visitor

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine(pg_server: str) -> Iterator[Engine]:
    with private_central(pg_server) as engine:
        yield engine


def good_file(t: str) -> bytes:
    return (
        "sku,name,price,tax_code,barcode,category,family,options,pack_of,pack_units\n"
        f"{t}-S,Tee {t} Small,9.90,SR,{t}01,Apparel {t},Tee {t},Size=S; Colour=White,,\n"
        f"{t}-M,Tee {t} Medium,9.90,SR,{t}02,Apparel {t},Tee {t},Size=M; Colour=White,,\n"
        f"{t}-L,Tee {t} Large,10.90,SR,{t}03,Apparel {t},Tee {t},colour=White;size=L,,\n"
        f"{t}-C,Cola {t} 320ml,1.10,SR,{t}04,,,,,\n"
        f"{t}-C24,Cola {t} Carton of 24,19.90,SR,{t}05,,,,{t}-C,24\n"
    ).encode()


def bad_file(t: str, taken_pack: str) -> bytes:
    rows = [
        "sku,name,price,tax_code,family,options,pack_of,pack_units",
        f"{t}-1,Fine,1.00,SR,Mug {t},Colour=Red,,",  # 2: good
        f"{t}-2,No Options,1.00,SR,Mug {t},,,",  # 3
        f"{t}-3,Bad Options,1.00,SR,Mug {t},Colour Red,,",  # 4
        f"{t}-4,Other Names,1.00,SR,Mug {t},Size=L,,",  # 5
        f"{t}-5,Same Options,1.00,SR,Mug {t},colour=red,,",  # 6
        f"{t}-6,Half A Pack,1.00,SR,,,{t}-1,",  # 7
        f"{t}-7,Unknown Unit,1.00,SR,,,NOPE-{t},6",  # 8
        f"{t}-8,One Unit,1.00,SR,,,{t}-1,1",  # 9
        f"{t}-9,Plain,1.00,SR,,,,",  # 10
        f"{t}-10,Pack Of Pack,1.00,SR,,,{taken_pack},2",  # 11
        f"{t}-11,,-1,XX,Mug {t},Colour=Blue,,",  # 12: the products' own checks too
        f"{t}-12,Too Many,1.00,SR,Mug {t},A=1;B=2;C=3;D=4,,",  # 13
    ]
    return ("\n".join(rows) + "\n").encode()


EXPECTED = [
    (3, "options", "needs its options"),
    (4, "options", "'Colour Red' is not Name=Value"),
    (5, "options", "the same option names"),
    (6, "options", "row 2 has these options already"),
    (7, "pack_units", "a pack needs both pack_of and pack_units"),
    (8, "pack_of", "no product has SKU NOPE-"),
    (9, "pack_units", "'1': a whole number of units from 2"),
    (10, "(whole row)", "plain products go in the products import"),
    (11, "pack_of", "is itself a pack"),
    (12, "name", "missing"),
    (12, "price", "negative"),
    (12, "tax_code", "unknown tax code"),
    (13, "options", "at most 3 options"),
]


def check(problems: tuple[object, ...]) -> None:
    got = [(p.row, p.column, p.reason) for p in problems]  # type: ignore[attr-defined]
    assert len(got) == len(EXPECTED), got
    for (row, column, reason), (want_row, want_column, want) in zip(got, EXPECTED, strict=True):
        assert (row, column) == (want_row, want_column), got
        assert want in reason, (row, column, reason)


def test_a_good_file_makes_families_and_cartons_that_tills_pull(engine: Engine) -> None:
    t = uuid.uuid4().hex[:6].upper()
    till = till_at(add_outlet(engine))
    dry = import_families(engine, actor(), good_file(t), now=NOW, dry_run=True)
    assert dry.problems == () and dry.created == 5 and not dry.applied
    assert "3 variant(s) in 1 family(ies), 1 pack(s)" in dry.notes
    report = import_families(engine, actor(), good_file(t), now=NOW, dry_run=False)
    assert report.applied and report.created == 5
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT p.sku, v.family, v.options, u.sku AS unit, v.pack_units "
                "FROM sgpos.product_variant v JOIN sgpos.product p USING (product_id) "
                "LEFT JOIN sgpos.product u ON u.product_id = v.pack_of "
                "WHERE p.sku LIKE :t ORDER BY p.sku"
            ),
            {"t": f"{t}-%"},
        ).all()
    assert [tuple(r) for r in rows] == [
        (f"{t}-C24", None, {}, f"{t}-C", 24),
        (f"{t}-L", f"Tee {t}", {"colour": "White", "size": "L"}, None, None),
        (f"{t}-M", f"Tee {t}", {"Size": "M", "Colour": "White"}, None, None),
        (f"{t}-S", f"Tee {t}", {"Size": "S", "Colour": "White"}, None, None),
    ]
    with engine.connect() as conn:
        ours = {
            str(pid)
            for (pid,) in conn.execute(
                text("SELECT product_id FROM sgpos.product WHERE sku LIKE :t"), {"t": f"{t}-%"}
            )
        }
    page = pull_page(engine, till, "0", 5000, frozenset({MasterEntity.VARIANT}))
    # Other tests of the same database import families too: count this file's.
    variants = [c for c in page.changes if c.entity == MasterEntity.VARIANT and c.key in ours]
    assert len(variants) == 4 and all(c.op == "upsert" for c in variants)
    # The same file again changes nothing about the variants and is still accepted.
    again = import_families(engine, actor(), good_file(t), now=NOW, dry_run=False)
    assert again.applied and again.updated == 5
    # A carton's count never changes once written.
    changed = good_file(t).replace(f"{t}-C,24".encode(), f"{t}-C,12".encode())
    refused = import_families(engine, actor(), changed, now=NOW, dry_run=True)
    assert [(p.row, p.column) for p in refused.problems] == [(6, "pack_units")]
    assert "never change" in refused.problems[0].reason


def test_a_bad_file_names_every_bad_row_and_writes_nothing(engine: Engine) -> None:
    t = uuid.uuid4().hex[:6].upper()
    first = uuid.uuid4().hex[:6].upper()
    import_families(engine, actor(), good_file(first), now=NOW, dry_run=False)
    before = (last_change(engine), scalar(engine, "SELECT count(*) FROM sgpos.product"))
    data = bad_file(t, f"{first}-C24")
    report = import_families(engine, actor(), data, now=NOW, dry_run=True)
    check(report.problems)
    with pytest.raises(ImportRefused, match="11 row"):
        import_families(engine, actor(), data, now=NOW, dry_run=False)
    after = (last_change(engine), scalar(engine, "SELECT count(*) FROM sgpos.product"))
    assert after == before
    assert scalar(engine, "SELECT count(*) FROM sgpos.product WHERE sku LIKE :t", t=f"{t}-%") == 0


def upload(v: Visitor, fields: dict[str, str], data: bytes) -> Page:
    async def send() -> Page:
        form = aiohttp.FormData()
        for name, value in fields.items():
            form.add_field(name, value)
        form.add_field("file", data, filename="families.csv", content_type="text/csv")
        async with v.session.post("/ho/catalogue/import", data=form) as response:
            return Page(response.status, response.headers, await response.read(), str(response.url))

    return v.server.call(send())


def test_the_import_page_and_the_family_pages(
    shop: Shop, signed_in: Callable[[str], Visitor]
) -> None:
    admin = signed_in("admin")
    t = uuid.uuid4().hex[:6].upper()
    token = admin.get("/ho/catalogue/import", kind="families").csrf_token
    assert token is not None
    fields = {"csrf_token": token, "kind": "families"}
    bad = upload(admin, {**fields, "action": "check"}, bad_file(t, "NONE"))
    assert bad.status == 200 and 'data-row="2"' not in bad.text and 'data-row="13"' in bad.text
    assert "Colour Red" in html.unescape(bad.text)
    assert "is not Name=Value" in bad.text
    done = upload(admin, {**fields, "action": "import"}, good_file(t))
    assert done.status == 200 and "Imported 5 rows" in done.text

    listing = signed_in("analyst").get("/ho/catalogue/families")
    assert listing.status == 200
    assert f'data-family="Tee {t}"' in listing.text and f'data-pack="{t}-C24"' in listing.text
    carton = listing.text.split(f'data-pack="{t}-C24"')[1].split("</tr>")[0]
    assert "24 × " in carton and "0.83" in carton  # its price per unit: 19.90 / 24
    one = signed_in("analyst").get("/ho/catalogue/families", family=f"tee {t}")
    assert one.status == 200
    for sku in ("S", "M", "L"):
        assert f'data-variant="{t}-{sku}"' in one.text
    assert signed_in("analyst").get("/ho/catalogue/families", family="No such").status == 404
    with shop.engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT count(*) FROM sgpos.product_variant v JOIN sgpos.product p "
                "USING (product_id) WHERE p.sku LIKE :t"
            ),
            {"t": f"{t}-%"},
        ).scalar()
    assert stored == 4
