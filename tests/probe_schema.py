"""Schemathesis over every operation of the API, in process against the ASGI app, with a
token of each role, and stateful sequences along the links schemathesis infers from the
schema (create, then read, update, act on what was created). Shared by
``tests/test_api_schema.py`` (few examples) and ``make probe`` (many).

A case counts as a server error when the answer is a 5xx, as a schema mismatch when
its status code, content type or body is not what the OpenAPI document says.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, given
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.probe_world import Tally, World

# Under CI the examples are the same every run, so a landing is never decided by luck;
# locally each run explores new ones (this is how a CSV crash was found).
IN_CI = os.environ.get("CI", "").lower() == "true"
MISMATCH = [status_code_conformance, content_type_conformance, response_schema_conformance]
SKIP = {"/api/v1/stream"}  # an endless event stream; tested in test_stream.py
# a token of each role (tests/probe_world.PEOPLE); the read-only token as well
ROLES = ("owner", "owner_fp", "owner_admin", "coordinator", "partner", "owner_readonly")


def _settings(examples: int, **kw: Any) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=IN_CI,
        suppress_health_check=list(HealthCheck),
        **kw,
    )


def _judge(tally: Tally, category: str, case: Any, response: Any) -> None:
    tally.tried[category] += 1
    where = f"{case.method} {case.formatted_path} -> {response.status_code}"
    try:
        case.validate_response(response, checks=[not_a_server_error])
    except Exception as exc:  # a schemathesis Failure (or a group of them)
        tally.fail(tally.server_errors, category, f"{where}: {exc}"[:400])
        return
    try:
        case.validate_response(response, checks=MISMATCH)
    except Exception as exc:
        tally.fail(tally.mismatches, category, f"{where}: {exc}"[:400])


def category_of(path: str) -> str:
    """One row for all operations (a failure names its operation)."""
    return "schemathesis: every operation, every role"


def run_operations(world: World, examples: int, roles: tuple[str, ...] = ROLES) -> Tally:
    """Every operation, ``examples`` generated cases, each with every role's token."""
    tally = Tally()
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", world.client.app)
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIP:
            continue
        headers = [world.people[role].headers for role in roles]
        _check(operation, headers, examples, tally)()
    return tally


def _check(operation: Any, headers: list[dict[str, str]], examples: int, tally: Tally) -> Any:
    """One operation's cases, each sent with every role's token."""
    category = category_of(operation.path)

    @given(case=operation.as_strategy())
    @_settings(examples)
    def check(case: Any) -> None:
        for who in headers:
            _judge(tally, category, case, case.call(headers=who))

    return check


def run_stateful(world: World, examples: int, steps: int, roles: tuple[str, ...]) -> Tally:
    """Sequences along the inferred links (a created record's id fed to the operations
    that take it), for each role."""
    tally = Tally()
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", world.client.app)
    base = schema.exclude(path=list(SKIP)).as_state_machine()
    for role in roles:
        headers = world.people[role].headers
        machine = _machine(base, headers, lambda case, response: _judge(
            tally, "schemathesis: stateful sequences", case, response))  # fmt: skip
        machine.run(settings=_settings(examples, stateful_step_count=steps))
    return tally


def _machine(base: type, headers: dict[str, str], judge: Callable[[Any, Any], None]) -> type:
    class Machine(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any, *a: Any, **kw: Any) -> None:
            judge(case, response)

    return Machine
