"""Documents rendered from templates: HTML for reading and printing, PDF by
WeasyPrint from the same HTML (no browser involved)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from eocnet.db.models import Event, Party, RiskAssessment
from eocnet.domain import risk_assessment as rules
from eocnet.render.i18n import language_context

TEMPLATE_DIR = Path(__file__).parent / "templates"
# the documents' own templates (documents/*.html); the pages' environment also reads
# this folder, so a page can include a part of a document (the risk matrix)
_ENV = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=select_autoescape())


def _document(template: str, lang: str, **context: Any) -> str:
    return _ENV.get_template(template).render(**language_context(lang), **context)


def risk_assessment_html(session: Session, rra: RiskAssessment, lang: str) -> str:
    return _document(
        "documents/risk_assessment.html",
        lang,
        rra=rra,
        event=session.get(Event, rra.event_id),
        party=session.get(Party, rra.owner_party),
        matrix=rules.matrix(),
        consequences=rules.CONSEQUENCES,
        scales=rules.by_scale(rra),
    )


def dissemination_html(report: Any, lang: str) -> str:
    return _document("documents/dissemination.html", lang, report=report)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # loads Pango on first use

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def follow_up_html(report: dict[str, Any], lang: str) -> str:
    """The one-page follow-up report of a regional mechanism."""
    return _document("documents/follow_up.html", lang, **report)


REPORT_SECTIONS = {
    "sitrep": (
        ("summary", "Summary"),
        ("figures", "Cases and deaths"),
        ("updates", "Updates"),
        ("surveillance", "Surveillance"),
        ("risk", "Risk assessment"),
        ("importation", "Risk of international spread by air"),
        ("coordination", "Response and coordination"),
        ("sources", "Data sources and licences"),
    ),
    "weekly": (
        ("highlights", "Highlights"),
        ("events", "Events"),
        ("surveillance", "Surveillance"),
        ("risk", "Risk assessments signed off"),
        ("importation", "Risk of international spread by air"),
        ("coordination", "Coordination"),
        ("outlook", "Outlook"),
        ("sources", "Data sources and licences"),
    ),
    "dissemination": (
        ("method", "Method"),
        ("events", "Open events"),
        ("sources", "Data sources and licences"),
    ),
}
TEMPLATES_BY_KIND = {
    "sitrep": "documents/sitrep.html",
    "weekly": "documents/weekly.html",
    "dissemination": "documents/dissemination_report.html",
}


def report_html(
    context: dict[str, Any],
    lang: str,
    *,
    texts: dict[str, str],
    edition: int | None,
    generated_at: Any,
    issued_at: Any = None,
    network: str = "",
) -> str:
    """A situation report (event or weekly) as one self-contained HTML document."""
    from eocnet.domain.places import country_name
    from eocnet.render.markdown import to_html

    translate = language_context(lang)["_"]
    kind = str(context["kind"])
    heading = context["title"]
    if kind == "weekly":
        heading = translate("Weekly regional report %(week)s") % {"week": context["week"]}
    elif kind == "dissemination":
        heading = translate("Risk assessment for international dissemination %(week)s") % {
            "week": context["period"]
        }
    values = {**context, "country_name": country_name}
    return _document(
        TEMPLATES_BY_KIND[kind],
        lang,
        **values,
        heading=heading,
        toc=[(anchor, translate(title)) for anchor, title in REPORT_SECTIONS[kind]],
        texts=texts,
        edition=edition,
        generated_at=generated_at,
        issued_at=issued_at,
        network=network,
        markdown=to_html,
    )
