"""Upgrading a store made by an earlier schema revision, and rolling back a failed upgrade."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from installer.report import Report
from installer.steps import StepFailed
from installer.upgrade import run_upgrade
from tests.installer.support import sgpos_install
from tests.migrations.stores import INITIAL, count, query, store_at_0001_with_sales
from till.store.migrate import MIGRATIONS_DIR, current_revision, head_revision

DATA = Path(__file__).resolve().parents[1] / "migrations" / "data" / "store-0001.sqlite"


def test_upgrade_brings_a_store_from_an_earlier_revision_to_head(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "till"
    data_dir.mkdir()
    shutil.copyfile(DATA, data_dir / "till.sqlite")  # written by the release with 0001
    sales = count(data_dir / "till.sqlite", "sale")

    ran = sgpos_install(capsys, "upgrade", "--data-dir", str(data_dir))
    assert ran.code == 0, ran.out
    assert f"the store is upgraded from {INITIAL} to {head_revision()}" in ran.out
    assert current_revision(data_dir / "till.sqlite") == head_revision()
    assert count(data_dir / "till.sqlite", "sale") == sales == 2
    # One backup, the installer's verified one: the store's own upgrade takes no second copy.
    [backup] = (data_dir / "backups").iterdir()
    assert backup.name.startswith("till-") and backup.name.endswith(".sqlite.gz")

    again = sgpos_install(capsys, "upgrade", "--data-dir", str(data_dir))
    assert again.code == 0 and "already at" in again.out


def test_a_failed_upgrade_puts_the_backup_back(tmp_path: Path) -> None:
    # A copy of the history with one more revision that fails half-way through.
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    parent = head_revision(migrations=scripts)
    (scripts / "versions" / "9999_breaks.py").write_text(
        f'''"""Test-only revision that fails."""
from alembic import op

revision = "9999_breaks"
down_revision = {parent!r}
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE sale SET total = 0")
    op.execute("SELECT no_such_column FROM sale")


def downgrade():
    pass
'''
    )
    data_dir = tmp_path / "till"
    data_dir.mkdir()
    store = store_at_0001_with_sales(data_dir / "till.sqlite", sales=3)
    totals = query(store, "SELECT sale_id, total FROM sale ORDER BY sale_id")

    with pytest.raises(StepFailed) as failed:
        run_upgrade(data_dir, Report.create(), migrations=scripts)
    problem = failed.value.problem
    assert "the upgrade failed" in problem and "9999_breaks" in problem
    assert f"so the till is as it was, at revision {INITIAL}" in problem
    assert current_revision(store) == INITIAL
    assert query(store, "SELECT sale_id, total FROM sale ORDER BY sale_id") == totals
    assert list((data_dir / "backups").glob("failed-upgrade-*/till.sqlite"))
