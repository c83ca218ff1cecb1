"""One naming convention for constraints and indexes, used by the till's and central metadata.

SQLite batch migrations can only drop or alter a constraint that has a name, and both Alembic
histories compare names in ``alembic check``; so every constraint gets a predictable one.
"""

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
