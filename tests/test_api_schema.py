"""Property-based tests of the whole API against its OpenAPI document (schemathesis):
every operation, with a token of each role (officer, focal point, admin, coordinator,
partner, read-only), and stateful sequences along the links schemathesis infers (create,
then read, update and act on what was created): no 5xx, and every response matches the
documented status codes, types and schemas. ``make probe`` runs the same with many more
examples (tests/probe_schema.py)."""

from collections.abc import Iterator

import pytest

from tests.probe_schema import ROLES, run_operations, run_stateful
from tests.probe_world import World, build_world


@pytest.fixture(scope="module")
def world(database_url, shared_db) -> Iterator[World]:  # type: ignore[no-untyped-def]
    with build_world(database_url, shared_db) as w:
        yield w


def test_every_operation_with_every_role(world: World) -> None:
    tally = run_operations(world, examples=1)
    paths = world.client.app.openapi()["paths"]
    operations = sum(len(methods) for methods in paths.values())
    assert operations >= 150
    assert sum(tally.tried.values()) >= len(ROLES) * (operations - 10)
    assert not tally.failures, "\n".join(tally.failures[:40])


def test_stateful_sequences(world: World) -> None:
    tally = run_stateful(world, examples=6, steps=6, roles=("owner", "coordinator"))
    assert sum(tally.tried.values()) >= 12
    assert not tally.failures, "\n".join(tally.failures[:40])
