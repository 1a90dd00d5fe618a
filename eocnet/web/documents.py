"""Documents rendered from templates: HTML for reading and printing, PDF by
WeasyPrint from the same HTML (no browser involved)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from eocnet.db.models import Event, Party, RiskAssessment
from eocnet.domain import risk_assessment as rules
from eocnet.web import i18n
from eocnet.web.rendering import TEMPLATES


def risk_assessment_html(session: Session, rra: RiskAssessment, lang: str) -> str:
    translations = i18n.translator(lang)
    event = session.get(Event, rra.event_id)
    party = session.get(Party, rra.owner_party)
    context: dict[str, Any] = {
        "_": translations.gettext,
        "term": lambda value: translations.gettext(str(value).replace("_", " ")),
        "lang": lang,
        "rra": rra,
        "event": event,
        "party": party,
        "matrix": rules.matrix(),
        "consequences": rules.CONSEQUENCES,
    }
    return TEMPLATES.env.get_template("documents/risk_assessment.html").render(context)


def risk_assessment_pdf(html: str) -> bytes:
    return html_to_pdf(html)


def dissemination_html(report: Any, lang: str) -> str:
    translations = i18n.translator(lang)
    context: dict[str, Any] = {
        "_": translations.gettext,
        "term": lambda value: translations.gettext(str(value).replace("_", " ")),
        "lang": lang,
        "report": report,
    }
    return TEMPLATES.env.get_template("documents/dissemination.html").render(context)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # loads Pango on first use

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
