"""Stairway for the central history: every revision goes up, comes back down to exactly the
schema before it, and goes up again — so a failed release can be stepped back on the server."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import Script, ScriptDirectory

from sync_service.central.migrate import alembic_config, current_central_revision

from .central_support import fresh_database, schema

pytestmark = pytest.mark.postgres

REVISIONS = list(reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions())))
# Revisions that change rows, not the schema; each has a test of its data of its own.
DATA_ONLY = frozenset({"0021_goods_only_summaries"})


@pytest.mark.parametrize("revision", REVISIONS, ids=[r.revision for r in REVISIONS])
def test_revision_upgrades_downgrades_and_upgrades_again(revision: Script, pg_server: str):
    below = revision.down_revision
    assert below is None or isinstance(below, str), "the central history must stay linear"
    with fresh_database(pg_server) as url:
        config = alembic_config(url)
        if below:
            command.upgrade(config, below)
        schema_below = schema(url)

        command.upgrade(config, revision.revision)
        schema_above = schema(url)
        assert current_central_revision(url) == revision.revision
        assert (schema_above == schema_below) == (revision.revision in DATA_ONLY)

        command.downgrade(config, below or "base")
        assert current_central_revision(url) == below
        assert schema(url) == schema_below

        command.upgrade(config, revision.revision)
        assert current_central_revision(url) == revision.revision
        assert schema(url) == schema_above
