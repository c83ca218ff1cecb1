"""Full-text search over the catalogue: an FTS5 index kept in step with ``product`` by triggers.

``remove_diacritics 2`` lets "creme" find "Crème"; prefix indexes of 2 and 3 characters keep
type-ahead fast on a 100,000-product catalogue. The migration that creates these objects and
the lookup that queries them both use the statements below, so they cannot drift apart.

Revision 0002 imports these statements: changing the index means a new revision with its own
copy of the new SQL, never an edit here that would rewrite history.
"""

CREATE = (
    """CREATE VIRTUAL TABLE product_fts USING fts5(
        name, sku, content='product', content_rowid='product_no',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE TRIGGER product_fts_insert AFTER INSERT ON product BEGIN
        INSERT INTO product_fts(rowid, name, sku) VALUES (new.product_no, new.name, new.sku);
    END""",
    """CREATE TRIGGER product_fts_delete AFTER DELETE ON product BEGIN
        INSERT INTO product_fts(product_fts, rowid, name, sku)
        VALUES ('delete', old.product_no, old.name, old.sku);
    END""",
    """CREATE TRIGGER product_fts_update AFTER UPDATE OF name, sku ON product BEGIN
        INSERT INTO product_fts(product_fts, rowid, name, sku)
        VALUES ('delete', old.product_no, old.name, old.sku);
        INSERT INTO product_fts(rowid, name, sku) VALUES (new.product_no, new.name, new.sku);
    END""",
    # Products that existed before the index (an upgraded store) are indexed once here.
    "INSERT INTO product_fts(product_fts) VALUES ('rebuild')",
)

DROP = (
    "DROP TRIGGER IF EXISTS product_fts_update",
    "DROP TRIGGER IF EXISTS product_fts_delete",
    "DROP TRIGGER IF EXISTS product_fts_insert",
    "DROP TABLE IF EXISTS product_fts",
)

# Names Alembic must not try to manage as models (FTS5 creates shadow tables too).
TABLE_PREFIX = "product_fts"
