"""Write docs/cli.md from the real --help of every command: python tools/gen_cli_docs.py"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from eocnet.cli import app

DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
HEADER = """# The command line

Generated from the real `--help` of each command by `tools/gen_cli_docs.py`; a test
fails when it is out of date. Every command reads its settings from `EOCNET_*`
environment variables (docs/configuration.md). An error is one line on stderr,
`error: ...`, and exit status 1; a bad command line (an unknown command or option, a
missing argument, a value of the wrong kind such as a word for a number or
`--week 2026-W99`) prints the usage and the problem on stderr, with exit status 2.
"""


def _walk(command: Any, path: list[str]) -> Iterator[list[str]]:
    yield path
    if hasattr(command, "list_commands"):
        for name in command.list_commands(None):
            yield from _walk(command.commands[name], [*path, name])


def render() -> str:
    runner = CliRunner()
    parts = [HEADER]
    for path in _walk(typer.main.get_command(app), []):
        result = runner.invoke(
            app,
            [*path, "--help"],
            prog_name="eocnet",
            env={"COLUMNS": "90", "TERM": "dumb", "NO_COLOR": "1"},
        )
        title = " ".join(["eocnet", *path])
        parts.append(f"## {title}\n\n```\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    DOCS.write_text(render())
    sys.stdout.write(f"wrote {DOCS}\n")
