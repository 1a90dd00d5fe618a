"""The security probe of issue 24, at full size: ``make probe`` (``python -m tests.probe``).

Runs what the suite runs in small (tests/test_api_schema.py, test_access_matrix.py,
test_hostile_input.py) with many more cases, on a fresh database of the backend named by
``EOCNET_TEST_BACKEND`` (sqlite by default; postgresql uses ``EOCNET_TEST_PG_ADMIN_URL``
as the suite does), and prints one table: cases tried, server errors, schema
mismatches and leaks, per category; then the first failures, if any. Exits non-zero
when anything failed. ``--examples N`` sets schemathesis's examples per operation.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ["EOCNET_PROBE_FULL"] = "1"
os.environ.setdefault("EOCNET_VALIDATE_STREAM_EVENTS", "true")

from eocnet.db import migrate
from eocnet.db.database import Database
from tests import conftest
from tests.probe_world import Tally, build_world


def table(tally: Tally) -> str:
    rows = sorted(tally.tried)
    width = max(len(r) for r in [*rows, "category"])
    head = f"| {'category':<{width}} | tried | server errors | schema mismatches | leaks |"
    line = f"|{'-' * (width + 2)}|------:|--------------:|------------------:|------:|"
    out = [head, line]
    for row in [*rows, "total"]:
        pick = (lambda c: sum(c.values())) if row == "total" else (lambda c: c[row])
        out.append(
            f"| {row:<{width}} | {pick(tally.tried):>5} | {pick(tally.server_errors):>13} "
            f"| {pick(tally.mismatches):>17} | {pick(tally.leaks):>5} |"
        )
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=25, help="per operation (default 25)")
    parser.add_argument("--steps", type=int, default=10, help="per stateful sequence")
    parser.add_argument(
        "--text-share", type=int, default=1, help="1/N of the text corpus per field (default all)"
    )
    args = parser.parse_args()
    os.environ["EOCNET_PROBE_TEXT_SHARE"] = str(args.text_share)

    import logging
    import warnings

    warnings.simplefilter("error")  # as the suite has it
    logging.disable(logging.INFO)  # one line per request otherwise
    from tests import probe_schema, test_access_matrix, test_hostile_input

    backend = conftest.BACKEND
    if backend == "postgresql":
        name = conftest.create_pg_database()
        url = conftest.pg_url_for(name)
    else:
        name = ""
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='eocnet-probe-')) / 'probe.db'}"
    started = time.monotonic()
    try:
        migrate.upgrade(url)
        db = Database(url)
        total = Tally()
        with build_world(url, db) as world:
            steps = [
                ("access matrix", lambda: test_access_matrix.run_gets(world)),
                ("access matrix, writes", lambda: test_access_matrix.run_writes(world)),
                ("access matrix, stream", lambda: test_access_matrix.run_log(world)),
                ("hostile text", lambda: test_hostile_input.run_json_corpus(world)),
                ("hostile files", lambda: test_hostile_input.run_upload_corpus(world)),
                ("schemathesis", lambda: probe_schema.run_operations(world, args.examples)),
                (
                    "schemathesis, stateful",
                    lambda: probe_schema.run_stateful(
                        world, args.examples, args.steps, probe_schema.ROLES
                    ),
                ),
            ]
            for label, step in steps:
                print(f"... {label}", file=sys.stderr, flush=True)
                total.add(step())
        db.dispose()
    finally:
        if name:
            conftest.drop_pg_database(name)
    print(f"\nProbe on {backend}, {time.monotonic() - started:.0f} s\n")
    print(table(total))
    if total.failures:
        print(f"\n{len(total.failures)} failures, the first 30:")
        for failure in total.failures[:30]:
            print("  " + failure)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
