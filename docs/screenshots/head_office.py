"""Screenshots of the head-office dashboard, taken by headless Chromium from a real server.

Run from the checkout: ``.venv/bin/python docs/screenshots/head_office.py [OUTDIR]`` (default:
this folder). It needs PostgreSQL (``SGPOS_TEST_PG_URL``, a server on 127.0.0.1:5432, or the
installed binaries), Debian's ``chromium`` and ``chromium-driver``. It creates a throwaway
database, loads the demo company, enrols two tills (Orchard and Toa Payoh) through a real
``sgpos-central serve``, rings a day of sales on each, syncs them with ``sgpos-sync once``,
creates an admin, signs in and saves ``ho-*.png``. The browser test reuses these functions.
"""

from __future__ import annotations

import base64
import sys
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402
from sqlalchemy import Engine, select, text  # noqa: E402

from shared.demo_catalogue import DEMO_STAFF  # noqa: E402
from shared.gst import SINGAPORE  # noqa: E402
from sync_service.central.db import central_engine  # noqa: E402
from sync_service.central.migrate import upgrade_central  # noqa: E402
from sync_service.central.seed import seed_demo  # noqa: E402
from sync_service.central.users import create_user  # noqa: E402
from tests.e2e.central_process import CentralProcess, running_central  # noqa: E402
from tests.e2e.support_tills import CHILD_ENV, AgentTill, enrolled_agent_till, sgpos_sync  # noqa: E402
from till.services.stock import StockLine  # noqa: E402
from till.store.models import StockDocument, StockMovement  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PASSWORD = "demo password 2025"  # noqa: S105 - a throwaway demo database
WIDTH, HEIGHT = 1400, 900
# (hour of the day, sales rung then): a shop's day, busier at lunch and after work.
TRADING_DAY = ((8, 3), (10, 4), (12, 8), (13, 6), (15, 3), (17, 6), (19, 5))


def chromium(download_dir: Path | None = None) -> WebDriver:
    """Headless Chromium; files it downloads land in ``download_dir``."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # CI runs as root, where Chromium's sandbox cannot start; /dev/shm is small in containers.
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=en-SG"):
        options.add_argument(flag)
    options.add_argument(f"--window-size={WIDTH},{HEIGHT}")
    if download_dir is not None:
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(download_dir),
                "download.prompt_for_download": False,
                "download.directory_upgrade": True,
            },
        )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    if download_dir is not None:
        driver.execute_cdp_cmd(
            "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)}
        )
    return driver


def sign_in(driver: WebDriver, base: str, email: str, password: str = PASSWORD) -> None:
    driver.get(f"{base}/ho/login")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    try:  # the sign-out form shows once the dashboard has let us in
        WebDriverWait(driver, 30).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "form.who"))
        )
    except TimeoutException:
        raise RuntimeError(f"signing in as {email} failed: {driver.title}") from None


def screenshot(driver: WebDriver, path: Path, width: int = WIDTH) -> Path:
    """The whole page, not only the window (Chromium's DevTools capture beyond the viewport)."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {
                "x": 0,
                "y": 0,
                "width": max(width, size["width"]),
                "height": min(size["height"], 8000),
                "scale": 1,
            },
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def capture(driver: WebDriver, base: str, outdir: Path, start: date, end: date) -> list[Path]:
    """Every dashboard page the signed-in user may open, as ``outdir/ho-*.png``."""
    outdir.mkdir(parents=True, exist_ok=True)
    period = f"from={start}&to={end}"
    shots: list[Path] = []

    def shot(name: str, path: str) -> None:
        driver.get(base + path)
        shots.append(screenshot(driver, outdir / f"ho-{name}.png"))

    shot("overview", f"/ho/?{period}")
    shot("sales", f"/ho/sales?date_from={start}&date_to={end}&size=25")
    first_sale = driver.find_element(By.CSS_SELECTOR, "table.sales tbody a").get_attribute("href")
    shot("sale", str(first_sale).removeprefix(base))
    shot("gst", f"/ho/gst?{period}")
    shot("gst-f5", f"/ho/gst/f5?quarter={_quarter(start)}")
    shot("journal", f"/ho/journal?{period}")
    shot("stock", "/ho/stock?size=30")
    first_product = driver.find_element(By.CSS_SELECTOR, "td a[href^='/ho/stock/']")
    shot("stock-movements", str(first_product.get_attribute("href")).removeprefix(base))
    shot("stock-transfers", "/ho/stock/transfers")
    if driver.find_elements(By.LINK_TEXT, "Purchasing"):  # buyers only
        shot("purchase-orders", "/ho/purchase-orders")
        orders = driver.find_elements(By.CSS_SELECTOR, "table#orders tbody a")
        if orders:
            shot("purchase-order", str(orders[-1].get_attribute("href")).removeprefix(base))
        shot("reorder", "/ho/reorder?outlet=ORC")
    shot("stock-valuation", "/ho/stock/valuation")
    shot("audit", "/ho/audit?size=25")
    shot("reports", f"/ho/reports?by=item&{period}")
    shot("reports-staff", f"/ho/reports?by=staff&{period}")
    shot("shifts", f"/ho/shifts?{period}")
    shot("exceptions", f"/ho/exceptions?{period}")
    menu = {a.text: a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "nav a")}
    for label in ("Fleet", "Catalogue", "Staff", "Users"):  # editing pages, when present
        if label in menu:
            shot(label.lower(), str(menu[label]).removeprefix(base))
            if label == "Fleet":
                refused = driver.find_elements(By.CSS_SELECTOR, "a.alarm")
                if refused:  # a till that sent another till's data: its page
                    shot("fleet-till", str(refused[0].get_attribute("href")).removeprefix(base))
            if label == "Users":
                user = driver.find_element(By.CSS_SELECTOR, "table.users tbody a")
                shot("user", str(user.get_attribute("href")).removeprefix(base))
    shot("account", "/ho/account")
    return shots


PHONE = (390, 844)


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def capture_phone(driver: WebDriver, base: str, outdir: Path, start: date, end: date) -> list[Path]:
    """The pages people open on a phone, 390 px wide, as ``outdir/ho-phone-*.png``."""
    period = f"from={start}&to={end}"
    pages = (
        ("overview", f"/ho/?{period}"),
        ("reports", f"/ho/reports?by=item&{period}"),
        ("shifts", f"/ho/shifts?{period}"),
        ("exceptions", f"/ho/exceptions?{period}"),
        ("gst-f5", f"/ho/gst/f5?quarter={_quarter(start)}"),
        ("sales", f"/ho/sales?date_from={start}&date_to={end}&size=25"),
        ("audit", "/ho/audit?size=25"),
    )
    driver.set_window_size(*PHONE)
    try:
        shots = []
        for name, path in pages:
            driver.get(base + path)
            shots.append(screenshot(driver, outdir / f"ho-phone-{name}.png", width=PHONE[0]))
        return shots
    finally:
        driver.set_window_size(WIDTH, HEIGHT)


def hostile_till(shop: DemoHeadOffice) -> None:
    """A till enrolled at the first outlet whose software squats on the receipt number the
    second outlet's till prints next and closes its shift: refused, and red on the fleet."""
    from tests.security.hostile import Attack, HostileTill

    attack = Attack.on(shop.tills[1])
    HostileTill(shop.engine, shop.central, outlet=shop.tills[0].outlet_code, till="T09").push(
        *attack.events()
    )


def login_screenshot(driver: WebDriver, base: str, outdir: Path) -> Path:
    driver.get(f"{base}/ho/login")
    return screenshot(driver, outdir / "ho-login.png")


@dataclass
class DemoHeadOffice:
    engine: Engine
    central: CentralProcess
    tills: list[AgentTill]
    admin_email: str
    day: date


def ring_a_day(till: AgentTill, day: date, seed: int) -> None:
    """The day's sales, each hour with its stock documents: deliveries before anything runs
    out, and after selling a shelf count, a breakage and a transfer to the other outlet."""
    for n, (hour, sales) in enumerate(TRADING_DAY):
        till.clock.now = datetime.combine(day, time(hour, 5 * n), tzinfo=SINGAPORE)
        till.ring(sales, seed=seed * 100 + n, stock=True)


def take_in_transfers(sender: AgentTill, receiver: AgentTill) -> str:
    """The receiver scans in the sender's transfer one unit short; the transfer number."""
    with sender.opened() as till, till.store.read() as s:
        number, product_id, quantity = s.execute(
            select(StockDocument.number, StockMovement.product_id, StockMovement.quantity)
            .join(StockMovement, StockMovement.document_id == StockDocument.document_id)
            .where(StockDocument.kind == "transfer_out")
            .limit(1)
        ).one()
    with receiver.opened() as till:
        manager = next(m for m in DEMO_STAFF if m.role == "manager")
        who = till.staff.sign_in(manager.code, manager.pin)
        product = till.catalogue.by_id(product_id)
        assert product is not None
        line = StockLine(product, -quantity - 1)
        till.stock().receive_transfer(who, [line], number)
    return str(number)


def sync(till: AgentTill) -> None:
    done = sgpos_sync(till.data_dir, "once")
    if done.returncode != 0:
        raise RuntimeError(f"sgpos-sync once failed for {till.till_code}: {done.stderr}")


def staff_at(engine: Engine, outlet_codes: Sequence[str]) -> None:
    """The demo staff work at every outlet named (the demo's own two already have them)."""
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL sgpos.actor = 'demo-setup'"))
        conn.execute(
            text(
                "INSERT INTO sgpos.staff_outlet (staff_id, outlet_id) SELECT s.staff_id, "
                "o.outlet_id FROM sgpos.staff s, sgpos.outlet o WHERE s.staff_id = ANY(:staff) "
                "AND o.code = ANY(:codes) ON CONFLICT DO NOTHING"
            ),
            {"staff": [m.staff_id for m in DEMO_STAFF], "codes": list(outlet_codes)},
        )


@contextmanager
def demo_head_office(
    db_url: str, workdir: Path, *, outlet_codes: Sequence[str] = ("ORC", "TPY"), day: date
) -> Iterator[DemoHeadOffice]:
    """A migrated central database with the demo catalogue, a running ``sgpos-central`` and
    one till per outlet that rang ``day``'s sales and synced them over HTTP."""
    upgrade_central(db_url)
    engine = central_engine(db_url, pool_size=2)
    try:
        seed_demo(engine, products=60, variants=True)
        staff_at(engine, outlet_codes)
        email = f"admin-{uuid.uuid4().hex[:6]}@example.com"
        create_user(engine, email=email, password=PASSWORD, role="admin", outlet_code=None)
        with running_central(db_url, workdir, env=CHILD_ENV) as central:
            tills = []
            for n, code in enumerate(outlet_codes, start=1):
                till = enrolled_agent_till(
                    engine,
                    central.url,
                    workdir / f"till-{code}",
                    outlet_code=code,
                    till_code="T01",
                )
                ring_a_day(till, day, seed=n)
                till.refund_latest_sale()  # a customer brings something back
                tills.append(till)
            if len(tills) >= 2:
                take_in_transfers(tills[0], tills[1])
            for till in tills:
                sync(till)
            yield DemoHeadOffice(engine, central, tills, email, day)
    finally:
        engine.dispose()


def main(argv: Sequence[str]) -> int:
    from tests import pgserver
    from tests.migrations.central_support import fresh_database

    outdir = Path(argv[0]).resolve() if argv else Path(__file__).resolve().parent
    day = datetime.now(SINGAPORE).date()
    with (
        pgserver.server_url() as server,
        fresh_database(server) as db_url,
        tempfile.TemporaryDirectory(prefix="sgpos-shots-") as work,
        demo_head_office(db_url, Path(work), day=day) as shop,
    ):
        driver = chromium()
        try:
            shots = [login_screenshot(driver, shop.central.url, outdir)]
            hostile_till(shop)
            sign_in(driver, shop.central.url, shop.admin_email)
            shots += capture(driver, shop.central.url, outdir, day, day)
            shots += capture_phone(driver, shop.central.url, outdir, day, day)
        finally:
            driver.quit()
    for path in shots:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
