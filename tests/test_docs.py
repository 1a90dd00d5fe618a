"""Docs that must stay true: the CLI reference and the documents the README points to."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from tools import gen_stream_docs  # noqa: E402
from tools.gen_cli_docs import DOCS, render  # noqa: E402


def test_cli_reference_is_current():
    assert DOCS.read_text() == render(), "run: python tools/gen_cli_docs.py"


def test_stream_event_table_is_current():
    current = gen_stream_docs.DOCS.read_text()
    assert current == gen_stream_docs.render(current), "run: python -m tools.gen_stream_docs"


def test_readme_links_resolve():
    readme = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target


def test_readme_states_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme


def test_architecture_shows_the_checked_layers():
    """docs/architecture.md draws the layers import-linter checks (pyproject.toml)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    checked = [layer.replace("eocnet.", "") for layer in layers]
    doc = (ROOT / "docs/architecture.md").read_text()
    drawn = doc.split("## Layers", 1)[1].split("```", 2)[1].strip().splitlines()
    assert drawn == checked
