"""Translations: every text of the pages is translated in each catalogue."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from eocnet.render import i18n

ROOT = Path(__file__).parent.parent


def _extract(tmp_path):
    """The texts `make messages` would extract (same mapping as babel.cfg)."""
    method_map = [
        ("**.py", "python"),
        ("web/templates/**.html", "jinja2"),
        ("render/templates/**.html", "jinja2"),
    ]
    keywords = {"_": None, "t": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT / "eocnet"), method_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_english_and_indonesian_available():
    assert {"en", "id"} <= set(i18n.available())
    assert i18n.language_info("id").name == "Bahasa Indonesia"  # not the country's name


def test_every_catalogue_is_complete(tmp_path):
    wanted = _extract(tmp_path)
    assert len(wanted) > 50
    for po in (ROOT / "eocnet/render/translations").glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        missing = sorted(m for m in wanted if not (catalog.get(m) and catalog.get(m).string))
        assert missing == [], f"{po.parent.parent.name} lacks: {missing[:5]}"


def test_negotiation():
    assert i18n.negotiate("id-ID,id;q=0.9", "en") == "id"
    assert i18n.negotiate("fr-FR", "en") == "en"
    assert i18n.negotiate(None, "id") == "id"
