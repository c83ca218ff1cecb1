"""The hostile-till world, built once per run in a database of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.security.world import World, build_world


@pytest.fixture(scope="session")
def world(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from build_world(pg_server, tmp_path_factory.mktemp("hostile-world"))
