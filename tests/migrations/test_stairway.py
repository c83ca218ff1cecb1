"""Stairway: every revision goes up, comes back down to exactly the schema before it, and goes
up again — so a technician can always step a till back to the previous release."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.script import Script, ScriptDirectory

from till.store.migrate import alembic_config, current_revision

from .stores import query, schema

REVISIONS = list(reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions())))


@pytest.mark.parametrize("revision", REVISIONS, ids=[r.revision for r in REVISIONS])
def test_revision_upgrades_downgrades_and_upgrades_again(revision: Script, store: Path):
    config = alembic_config(store)
    below = revision.down_revision
    assert below is None or isinstance(below, str), "the till's history must stay linear"
    if below:
        command.upgrade(config, below)
    schema_below = schema(store) if store.exists() else []

    command.upgrade(config, revision.revision)
    schema_above = schema(store)
    assert current_revision(store) == revision.revision
    assert schema_above != schema_below

    command.downgrade(config, below or "base")
    assert current_revision(store) == below
    assert schema(store) == schema_below

    command.upgrade(config, revision.revision)
    assert current_revision(store) == revision.revision
    assert schema(store) == schema_above
    assert query(store, "PRAGMA foreign_key_check") == []
