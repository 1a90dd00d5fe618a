"""Words that pages show from data (statuses, kinds, criteria), listed so that the
translation tools find them. Templates show them with ``term(value)``, which turns
``very_high`` into the translation of "very high"."""

from __future__ import annotations


def N_(text: str) -> str:
    return text


WORDS = [
    # event status and severity
    N_("signal"),
    N_("verified"),
    N_("ongoing"),
    N_("closed"),
    N_("discarded"),
    N_("low"),
    N_("moderate"),
    N_("high"),
    N_("very high"),
    # alert criteria
    N_("unusual or unexpected"),
    N_("serious"),
    N_("may spread to other countries"),
    N_("may need coordinated response"),
    # IHR Annex 2 criteria
    N_("unusual"),
    N_("international spread"),
    N_("trade restrictions"),
    # channel and search kinds
    N_("network"),
    N_("group"),
    N_("event"),
    N_("direct"),
    N_("update"),
    N_("message"),
    # tracing
    N_("case"),
    N_("contact"),
    N_("co traveller"),
    N_("pending"),
    N_("reached"),
    N_("not reached"),
    N_("tested"),
    N_("quarantined"),
    N_("isolated"),
    N_("left country"),
    N_("lost to follow up"),
    N_("positive"),
    N_("negative"),
    N_("not tested"),
    # person fields, as shown when matching manifest columns
    N_("full name"),
    N_("sex"),
    N_("date of birth"),
    N_("age"),
    N_("nationality"),
    N_("document number"),
    N_("phone"),
    N_("email"),
    N_("address"),
    N_("exposure type"),
    N_("exposure date"),
    N_("exposure place"),
    N_("travel mode"),
    N_("travel number"),
    N_("travel date"),
    N_("seat"),
    N_("origin"),
    N_("destination"),
    N_("expected arrival"),
    N_("receiving facility"),
    N_("condition"),
    # figures
    N_("cases suspected"),
    N_("cases probable"),
    N_("cases confirmed"),
    N_("deaths suspected"),
    N_("deaths probable"),
    N_("deaths confirmed"),
    # reporting status of a period
    N_("on time"),
    N_("late"),
    N_("missing"),
    N_("not due"),
    # reporting schedules and sharing of surveillance figures
    N_("iso week"),
    N_("mmwr week"),
    N_("daily"),
    N_("partners"),
    N_("party"),
    # rapid risk assessment: likelihood, consequences, status
    N_("very unlikely"),
    N_("unlikely"),
    N_("likely"),
    N_("highly likely"),
    N_("almost certain"),
    N_("minimal"),
    N_("minor"),
    N_("major"),
    N_("severe"),
    N_("draft"),
    N_("signed off"),
    # advisories: workflow, CAP urgency, severity, certainty and message types
    N_("in review"),
    N_("approved"),
    N_("published"),
    N_("cancelled"),
    N_("withdrawn"),
    N_("immediate"),
    N_("expected"),
    N_("future"),
    N_("past"),
    N_("unknown"),
    N_("extreme"),
    N_("observed"),
    N_("possible"),
    N_("alert"),
    N_("cancel"),
    # fact-check verdicts
    N_("false"),
    N_("misleading"),
    N_("missing context"),
    N_("unproven"),
    N_("true"),
]
