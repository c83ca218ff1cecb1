"""Central migrations newer than the release that set the online rule must be safe to run while
servers of the previous release keep serving tills (docs/operations.md, "Upgrading").

``sgpos-central migrate`` runs while ``serve`` is up: tills keep pushing into the tables a
migration alters. A statement that rewrites or scans a big table under an ACCESS EXCLUSIVE lock
stalls every push for as long as it takes, and one that removes what the running release still
reads breaks it. This test reads each new migration's code and names such statements; a
migration that truly needs the servers stopped says so with ``online_safe = False`` at module
level, and the release notes say "stop head office's servers, migrate, start".
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from sync_service.central.migrate import MIGRATIONS_DIR, alembic_config

# The head when the rule was introduced; every revision after it is checked.
RULE_SINCE = "0008_unbounded_sums"
# Tables that grow with trade: what a lock on them costs is counted in pushes refused.
BIG_TABLES = frozenset(
    {
        "inbox",
        "quarantine",
        "sale",
        "sale_line",
        "tender",
        "refund",
        "refund_line",
        "shift",
        "cash_movement",
        "stock_movement",
        "stock_on_hand",
        "audit_record",
        "change_log",
        "ho_audit",
        "sales_by_hour",
        "sales_by_tax",
        "sales_by_tender",
        "security_event",
    }
)
_SQL_RULES = (
    (re.compile(r"ALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b", re.I), "ALTER COLUMN … TYPE"),
    (re.compile(r"\bSET\s+NOT\s+NULL\b", re.I), "SET NOT NULL"),
    (re.compile(r"CREATE\s+(UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY)", re.I), "CREATE INDEX"),
    (
        re.compile(r"ADD\s+COLUMN\b(?![^,;]*\bDEFAULT\b)[^,;]*\bNOT\s+NULL\b", re.I),
        "ADD COLUMN NOT NULL",
    ),
    (re.compile(r"\bDROP\s+(COLUMN|TABLE)\b|\bRENAME\b", re.I), "DROP/RENAME"),
)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is(node: ast.expr | None, value: object) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


def _table(call: ast.Call) -> str | None:
    first = call.args[0] if call.args else _keyword(call, "table_name")
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def unsafe_statements(source: str) -> list[str]:
    """What in a migration's upgrade path would stall or break a running head office."""
    tree = ast.parse(source)
    if any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "online_safe" for t in node.targets)
        and _is(node.value, False)
        for node in tree.body
    ):
        return []
    found: list[str] = []
    upgrade_path = [
        node
        for node in tree.body
        if not (isinstance(node, ast.FunctionDef) and node.name == "downgrade")
    ]
    for top in upgrade_path:
        for node in ast.walk(top):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            name, line = node.func.attr, node.lineno
            if name == "alter_column":
                if _keyword(node, "type_") is not None:
                    found.append(f"line {line}: alter_column(type_=…) rewrites the table")
                if _is(_keyword(node, "nullable"), False):
                    found.append(f"line {line}: alter_column(nullable=False) scans the table")
                if _keyword(node, "new_column_name") is not None:
                    found.append(f"line {line}: renaming a column the running release reads")
            elif name == "add_column":
                column = next(
                    (a for a in node.args if isinstance(a, ast.Call) and _called(a, "Column")),
                    None,
                )
                if (
                    column is not None
                    and _is(_keyword(column, "nullable"), False)
                    and _keyword(column, "server_default") is None
                ):
                    found.append(f"line {line}: add_column NOT NULL without a server_default")
            elif name == "create_index":
                table = node.args[1] if len(node.args) > 1 else _keyword(node, "table_name")
                big = isinstance(table, ast.Constant) and table.value in BIG_TABLES
                if big and not _is(_keyword(node, "postgresql_concurrently"), True):
                    found.append(
                        f"line {line}: create_index on {table.value} without "  # type: ignore[union-attr]
                        "postgresql_concurrently=True"
                    )
            elif name in {"drop_column", "drop_table", "rename_table"}:
                found.append(f"line {line}: {name} of what the running release still uses")
            elif name == "execute":
                for text in _strings(node):
                    found += [
                        f"line {line}: {what} in SQL"
                        for rule, what in _SQL_RULES
                        if rule.search(text)
                    ]
    return found


def _called(call: ast.Call, name: str) -> bool:
    f = call.func
    return (isinstance(f, ast.Attribute) and f.attr == name) or (
        isinstance(f, ast.Name) and f.id == name
    )


def _strings(call: ast.Call) -> list[str]:
    return [
        n.value
        for a in call.args
        for n in ast.walk(a)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def revisions_after(since: str) -> list[Path]:
    """Migration files later in the history than ``since``."""
    later = []
    for script in ScriptDirectory.from_config(alembic_config()).walk_revisions():  # head first
        if script.revision == since:
            return [Path(path) for path in later]
        later.append(script.path)
    raise AssertionError(f"{since} is not a revision any more; update RULE_SINCE")


def test_migrations_since_the_rule_are_safe_while_servers_run():
    problems = {
        path.name: found
        for path in revisions_after(RULE_SINCE)
        if (found := unsafe_statements(path.read_text(encoding="utf-8")))
    }
    assert not problems, (
        "these migrations would stall pushes or break the running release during an online "
        f"upgrade: {problems}. Make them online-safe (docs/operations.md, 'Upgrading') or mark "
        "the module online_safe = False and say in the release notes that servers must stop"
    )


def test_the_check_flags_the_last_offline_migration():
    """0008 retyped the summary tables' columns in place: fine with servers stopped, and
    exactly what the check exists to catch."""
    last = MIGRATIONS_DIR / "versions" / f"{RULE_SINCE}.py"
    assert revisions_after("0006_till_trust_and_accounts")[-1] == last  # the walk finds files
    found = unsafe_statements(last.read_text())
    assert found and all("alter_column(type_=…)" in f for f in found)


@pytest.mark.parametrize(
    ("code", "flagged"),
    [
        ('op.add_column("sale", sa.Column("n", sa.Integer(), nullable=False))', "NOT NULL"),
        (
            'op.add_column("sale", sa.Column("n", sa.Integer(), nullable=False, '
            'server_default="0"))',
            None,
        ),
        ('op.add_column("sale", sa.Column("n", sa.Integer(), nullable=True))', None),
        ('op.create_index("ix", "inbox", ["till_id"], schema="sgpos")', "create_index on inbox"),
        (
            'op.create_index("ix", "inbox", ["till_id"], schema="sgpos", '
            "postgresql_concurrently=True)",
            None,
        ),
        ('op.create_index("ix", "outlet", ["name"], schema="sgpos")', None),
        ('op.alter_column("sale", "note", nullable=False, schema="sgpos")', "scans"),
        ('op.drop_column("sale", "note", schema="sgpos")', "drop_column"),
        ('op.execute("ALTER TABLE sgpos.sale ALTER COLUMN note TYPE text")', "ALTER COLUMN"),
        ('op.execute("CREATE INDEX ix_a ON sgpos.sale (note)")', "CREATE INDEX"),
        ('op.execute("CREATE INDEX CONCURRENTLY ix_a ON sgpos.sale (note)")', None),
        ('op.execute("ALTER TABLE sgpos.sale ADD COLUMN n int NOT NULL")', "ADD COLUMN"),
        ('op.execute("ALTER TABLE sgpos.sale ADD COLUMN n int NOT NULL DEFAULT 0")', None),
    ],
)
def test_the_check_reads_each_unsafe_statement(code: str, flagged: str | None):
    source = f"def upgrade() -> None:\n    {code}\n\n\ndef downgrade() -> None:\n    pass\n"
    found = unsafe_statements(source)
    if flagged is None:
        assert found == []
    else:
        assert len(found) == 1 and flagged in found[0], found
        declared = "online_safe = False\n" + source
        assert unsafe_statements(declared) == []
        # The same statement in downgrade() is not run during an upgrade.
        reverse = source.replace(f"    {code}\n", "    pass\n", 1).replace(
            "def downgrade() -> None:\n    pass", f"def downgrade() -> None:\n    {code}"
        )
        assert unsafe_statements(reverse) == []
