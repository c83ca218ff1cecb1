"""Fixtures for migration tests: a store path, a backup folder, and a private copy of the
migration history to which a test may add revisions of its own."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from till.store.migrate import MIGRATIONS_DIR, head_revision

from .stores import AddRevision


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite"


@pytest.fixture
def backups(tmp_path: Path) -> Path:
    return tmp_path / "backups"


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    """A copy of migrations_local; the real history is never touched by a test."""
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.fixture
def add_revision(scripts: Path) -> AddRevision:
    """Append a revision after the copy's head: ``add_revision(id, upgrade_body,
    downgrade_body)``; the bodies are indented Python with ``op``, ``sa`` and ``fts`` in scope.
    Returns the id of the revision it follows."""

    def add(revision: str, upgrade: str, downgrade: str = "pass") -> str:
        parent = head_revision(migrations=scripts)
        source = f'''\
"""Test-only revision."""

import sqlalchemy as sa
from alembic import op

from till.store import fts

revision = {revision!r}
down_revision = {parent!r}
branch_labels = None
depends_on = None


def upgrade():
{textwrap.indent(textwrap.dedent(upgrade).strip(), "    ")}


def downgrade():
{textwrap.indent(textwrap.dedent(downgrade).strip(), "    ")}
'''
        (scripts / "versions" / f"{revision}.py").write_text(source)
        return parent

    return add
