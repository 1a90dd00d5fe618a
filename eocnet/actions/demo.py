"""The demo network: the ASEAN parties and one user per role, sharing a generated password."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eocnet.actions import channels, directory, events, users
from eocnet.auth import passwords
from eocnet.config import Settings
from eocnet.db.models import DemoCredential, Party, User
from eocnet.db.types import utcnow
from eocnet.domain.actors import Actor

MAIN_DEMO_USER = "officer.idn@eocnet.example"
DOMAIN = "eocnet.example"


@dataclass(frozen=True)
class DemoUser:
    email: str
    party: str
    roles: tuple[str, ...]
    name: str


def demo_users(
    member_codes: list[str], partner_codes: list[str], coordinator: str
) -> list[DemoUser]:
    people = [
        DemoUser(f"officer.{c.lower()}@{DOMAIN}", c, ("officer",), f"Duty officer {c}")
        for c in member_codes
    ]
    people += [
        DemoUser(f"focal.{c.lower()}@{DOMAIN}", c, ("officer", "focal_point"), f"Focal point {c}")
        for c in member_codes
    ]
    people += [
        DemoUser(f"partner.{c.lower()}@{DOMAIN}", c, ("partner",), f"Partner liaison {c}")
        for c in partner_codes
    ]
    people.append(
        DemoUser(f"coordinator@{DOMAIN}", coordinator, ("coordinator",), "Regional coordinator")
    )
    people.append(DemoUser(f"admin@{DOMAIN}", coordinator, ("admin",), "Network administrator"))
    return people


def new_demo_password() -> str:
    words = secrets.token_urlsafe(12).replace("-", "x").replace("_", "y")
    return f"demo-{words}"


def is_empty(session: Session) -> bool:
    return session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def load_demo(session: Session) -> str | None:
    """Load the demo network into an empty database.

    Returns the generated demo password, or None when the database already has users.
    """
    if not is_empty(session):
        return None
    if session.execute(select(func.count()).select_from(Party)).scalar_one() == 0:
        directory.load_network(
            session, None, directory.read_network_file(directory.DEFAULT_NETWORK)
        )
    parties = session.execute(select(Party).where(Party.active.is_(True))).scalars().all()
    members = [p.code for p in parties if p.kind == "member"]
    partners = [p.code for p in parties if p.kind in ("partner", "organisation")]
    coordinator = next(p.code for p in parties if p.kind == "coordinator")
    password = new_demo_password()
    passwords.check_strength(password)
    for person in demo_users(members, partners, coordinator):
        users.create_user(
            session,
            None,
            email=person.email,
            party_code=person.party,
            roles=list(person.roles),
            password=password,
            name=person.name,
            language="id" if person.party == "IDN" else "en",
        )
        session.add(DemoCredential(email=person.email, password=password))
    if {"IDN", "KHM", "THA", "MYS"} <= set(members):
        _demo_exchange(session)
        _demo_risk_communication(session)
        _demo_coordination(session)
    _demo_surveillance(session, members, coordinator)
    return password


DEMO_DISEASES = (
    # code, name, ICD-10, weekly cases at the median, seasonal swing, sharing
    ("DEN", "Dengue", "A90", 60.0, 0.6, "partners"),
    ("MEA", "Measles", "B05", 4.0, 0.3, "network"),
    ("ILI", "Influenza-like illness", "J11", 150.0, 0.4, "network"),
)
DEMO_YEARS = 6


def _demo_daily_outbreak(
    session: Session, officer: Actor, settings: Settings, rng: Any, today: date, growing: bool
) -> None:
    """Eight weeks of daily counts of the emergency: an outbreak that grows
    (R above 1) or has turned (R below 1)."""
    from eocnet.actions import surveillance

    days = 56
    rows = []
    for i in range(days):
        if growing:
            mean = 3 * math.exp(0.06 * i)
        else:
            mean = 3 * math.exp(0.09 * min(i, 30) - 0.05 * max(0, i - 30))
        day = today - timedelta(days=days - i)
        rows.append(
            surveillance.ReportRow("ARI", day, counts=(int(rng.poisson(mean)), 0, 0, 0, 0, 0))
        )
    surveillance.submit(session, officer, settings, rows, source="demo")


def _demo_surveillance(session: Session, members: list[str], coordinator: str) -> None:
    """Six years of weekly reports for three diseases from every member
    state, mostly on time, with an outbreak of dengue in the latest week in
    the Philippines (so a signal opens), and a few reports missing or late."""
    import numpy as np
    from sqlalchemy import update

    from eocnet.actions import surveillance
    from eocnet.db.models import AggregateReport

    settings = Settings()
    admin = _actor(session, f"coordinator@{DOMAIN}")
    as_coordinator = Actor(admin.user_id, admin.email, coordinator, "coordinator", admin.roles)
    for code, name, icd, _, _, share in DEMO_DISEASES:
        surveillance.save_disease(
            session,
            as_coordinator,
            surveillance.DiseaseFields(code=code, name=name, icd_code=icd, share_with=share),
        )
    # an emergency reported daily, with the serial interval of COVID-19 estimated by
    # Nishiura, Linton & Akhmetzhanov (2020): mean 4.7 days, sd 2.9
    surveillance.save_disease(
        session,
        as_coordinator,
        surveillance.DiseaseFields(
            code="ARI",
            name="Severe acute respiratory infection (emergency)",
            icd_code="J22",
            schedule="daily",
            method={"name": "ears-c2"},
            si_mean=4.7,
            si_sd=2.9,
        ),
    )
    rng = np.random.default_rng(2026)
    today = utcnow().date()
    last = today - timedelta(days=today.weekday() + 7)  # the last complete ISO week
    weeks = [last - timedelta(weeks=i) for i in range(52 * DEMO_YEARS)][::-1]
    phase = np.arange(len(weeks)) / 52.18
    for party in members:
        officer = _actor(session, f"officer.{party.lower()}@{DOMAIN}")
        size = float(rng.uniform(0.3, 2.5))
        rows: list[surveillance.ReportRow] = []
        for code, _, _, level, swing, _ in DEMO_DISEASES:
            mean = level * size * (1 + swing * np.sin(2 * np.pi * (phase + rng.random())))
            counts = rng.negative_binomial(8, 8 / (8 + mean))
            if code == "DEN" and party == "PHL":
                counts[-1] = int(counts[-1] * 3 + 40)
            skip = {len(weeks) - 1} if party in ("MMR", "TLS") else set()
            for i, week in enumerate(weeks):
                if i in skip:
                    continue
                confirmed = int(counts[i] * 0.3)
                rows.append(
                    surveillance.ReportRow(
                        code,
                        week,
                        counts=(
                            int(counts[i]) - confirmed,
                            0,
                            confirmed,
                            0,
                            0,
                            int(rng.binomial(int(counts[i]), 0.002)),
                        ),
                    )
                )
        surveillance.submit(session, officer, settings, rows, source="demo")
        if party in ("PHL", "VNM"):
            _demo_daily_outbreak(session, officer, settings, rng, today, party == "PHL")
        # the demo's history was reported week by week: on the Monday after each
        # week, late (the Thursday after) now and then
        late = {w for w in weeks if rng.random() < 0.08}
        for week in weeks:
            days = 10 if week in late else 7
            session.execute(
                update(AggregateReport)
                .where(AggregateReport.party == party, AggregateReport.period_start == week)
                .values(
                    submitted_at=datetime.combine(
                        week + timedelta(days=days), datetime.min.time(), UTC
                    )
                    + timedelta(hours=2)
                )
            )


def _actor(session: Session, email: str) -> Actor:
    user = users.find_by_email(session, email)
    assert user is not None
    return users.actor_for(user)


def _demo_exchange(session: Session) -> None:
    """A few events, acknowledgements and conversations, so the pages are not empty."""
    settings = Settings()
    idn, khm = _actor(session, f"officer.idn@{DOMAIN}"), _actor(session, f"officer.khm@{DOMAIN}")
    tha, mys = _actor(session, f"officer.tha@{DOMAIN}"), _actor(session, f"officer.mys@{DOMAIN}")
    measles = events.create_event(
        session,
        idn,
        events.EventFields(
            title="Measles in two travellers arriving in Jakarta",
            hazard="Measles",
            icd_code="B05",
            country="IDN",
            subdivision="ID-JK",
            place="Soekarno-Hatta International Airport",
            summary="Two adult travellers tested positive (IgM) two days after arrival on the "
            "same flight. Passenger manifest requested; contacts being listed.",
            measures="Isolation of the cases; vaccination offered to household contacts.",
            needs="Contact details of co-passengers from the countries of departure.",
            alert=True,
            alert_reasons=["may_spread_to_other_countries"],
            severity="high",
            figures={"cases_confirmed": 2},
        ),
        settings,
    )
    for actor in (khm, tha):
        events.acknowledge(session, actor, measles)
    events.post_update(
        session,
        idn,
        measles,
        "Manifest received: 212 passengers, 31 "
        "residents of neighbouring countries. Notices to follow.",
        {"cases_confirmed": 2},
        [],
        settings,
    )
    dengue = events.create_event(
        session,
        mys,
        events.EventFields(
            title="Dengue increase in Selangor above the seasonal threshold",
            hazard="Dengue",
            icd_code="A90",
            country="MYS",
            subdivision="MY-10",
            summary="Weekly cases 38% above the 5-year mean for three consecutive weeks.",
            visibility="partners",
            status="verified",
            severity="moderate",
            figures={"cases_confirmed": 1840, "deaths_confirmed": 3},
        ),
        settings,
    )
    events.post_update(
        session, mys, dengue, "Vector control intensified in 12 districts.", {}, [], settings
    )
    events.create_event(
        session,
        khm,
        events.EventFields(
            title="Suspected diphtheria cluster near the border",
            hazard="Diphtheria",
            country="KHM",
            visibility="restricted",
            parties=["THA"],
            summary="Three suspected cases in one village; specimens sent for confirmation.",
            alert=True,
            alert_reasons=["serious", "may_need_coordinated_response"],
        ),
        settings,
    )
    duty = channels.create_channel(session, idn, "EOC duty officers", [])
    channels.post_message(session, idn, duty, "Good morning all, Jakarta EOC on duty today.")
    channels.post_message(session, tha, duty, "Bangkok EOC on duty. Nothing new overnight.")
    border = channels.create_channel(session, khm, "KHM–THA border coordination", ["THA"])
    channels.post_message(session, khm, border, "@THA specimens leave Battambang at 14:00.")


def demo_credentials(session: Session) -> tuple[str, str] | None:
    """The main demo login, if its generated password is still unchanged."""
    row = session.get(DemoCredential, MAIN_DEMO_USER)
    user = users.find_by_email(session, MAIN_DEMO_USER)
    if (
        row is None
        or user is None
        or not passwords.verify_password(user.password_hash, row.password)
    ):
        return None
    return row.email, row.password


def _demo_risk_communication(session: Session) -> None:
    """Published advisories in the languages of the countries concerned, one in
    review, rumours (two making the same claim) and a published fact check."""
    from eocnet.actions import advisories, fact_checks
    from eocnet.db.models import Event

    settings = Settings()
    mys = _actor(session, f"officer.mys@{DOMAIN}")
    idn = _actor(session, f"officer.idn@{DOMAIN}")
    tha = _actor(session, f"officer.tha@{DOMAIN}")
    coordinator = _actor(session, f"coordinator@{DOMAIN}")
    dengue = session.scalar(select(Event.id).where(Event.hazard == "Dengue"))
    measles = session.scalar(select(Event.id).where(Event.hazard == "Measles"))
    T = advisories.TranslationFields
    now = utcnow().replace(microsecond=0)

    def publish(actor: Actor, fields: advisories.AdvisoryFields, steps: int = 3) -> None:
        advisory = advisories.create(session, actor, fields)
        if steps >= 1:
            advisories.submit(session, actor, advisory)
        if steps >= 2:
            advisories.approve(session, coordinator, advisory)
        if steps >= 3:
            advisories.publish_advisory(session, coordinator, settings, advisory)

    publish(
        mys,
        advisories.AdvisoryFields(
            event_type="Dengue",
            urgency="Expected",
            severity="Moderate",
            certainty="Likely",
            audience="Residents of and visitors to Selangor",
            effective_at=now,
            expires_at=now + timedelta(days=28),
            event_id=dengue,
            areas=[advisories.AreaFields(countries=["MYS"], subdivisions=["MY-10"])],
            links=[{"title": "Ministry of Health Malaysia", "url": "https://www.moh.gov.my/"}],
            translations=[
                T(
                    "en",
                    "Dengue cases are rising in Selangor",
                    "Weekly dengue cases in Selangor have been **above the seasonal threshold** "
                    "for three weeks. Most cases are in urban districts.",
                    "Remove standing water around your home every week. Use repellent. See a "
                    "doctor if you have a high fever with headache or pain behind the eyes.",
                ),
                T(
                    "ms",
                    "Kes denggi meningkat di Selangor",
                    "Kes denggi mingguan di Selangor telah **melebihi paras bermusim** selama "
                    "tiga minggu.",
                    "Buang air bertakung di sekitar rumah setiap minggu. Dapatkan rawatan jika "
                    "demam panas.",
                ),
                T(
                    "zh-Hans",
                    "雪兰莪州骨痛热症病例上升",
                    "雪兰莪州每周骨痛热症病例连续三周高于季节性阈值。",
                    "每周清除住家周围的积水。如有高烧，请就医。",
                ),
                T(
                    "ta",
                    "சிலாங்கூரில் டெங்கு நோயாளிகள் அதிகரிப்பு",
                    "சிலாங்கூரில் டெங்கு நோயாளிகளின் எண்ணிக்கை மூன்று வாரங்களாக அதிகரித்துள்ளது.",
                    "வீட்டைச் சுற்றி தேங்கி நிற்கும் நீரை அகற்றவும்.",
                ),
            ],
        ),
    )
    publish(
        idn,
        advisories.AdvisoryFields(
            event_type="Measles",
            urgency="Immediate",
            severity="Moderate",
            certainty="Observed",
            audience="Passengers of flight QZ7521 and their households",
            event_id=measles,
            areas=[advisories.AreaFields(countries=["IDN"], subdivisions=["ID-JK", "ID-BT"])],
            translations=[
                T(
                    "en",
                    "Measles: passengers of a flight arriving in Jakarta should check their "
                    "vaccination",
                    "Two travellers who arrived at Soekarno-Hatta airport have measles. "
                    "Measles spreads through the air and is **very contagious**.",
                    "If you were on this flight and have a fever and rash within 21 days, call "
                    "your health centre before going there.",
                ),
                T(
                    "id",
                    "Campak: penumpang penerbangan tujuan Jakarta diminta memeriksa status "
                    "imunisasi",
                    "Dua pelaku perjalanan yang tiba di Bandara Soekarno-Hatta terkena campak. "
                    "Campak menular lewat udara dan **sangat menular**.",
                    "Jika Anda berada di penerbangan ini dan mengalami demam serta ruam dalam "
                    "21 hari, hubungi puskesmas sebelum datang.",
                ),
            ],
        ),
    )
    publish(
        tha,
        advisories.AdvisoryFields(
            event_type="Dengue",
            urgency="Future",
            severity="Minor",
            certainty="Possible",
            areas=[advisories.AreaFields(countries=["THA"])],
            translations=[
                T("th", "เตือนภัยโรคไข้เลือดออกช่วงฤดูฝน", "กำจัดแหล่งน้ำขังรอบบ้านทุกสัปดาห์"),
                T("en", "Dengue season warning", "Remove standing water around your home."),
            ],
        ),
        steps=1,
    )
    R = fact_checks.RumourFields
    today = now.date()
    for actor, fields in (
        (mys, R("Papaya leaf juice cures dengue in one day", "MYS", today - timedelta(days=6),
                "WhatsApp groups", language="ms", reach=48_000)),
        (idn, R("Drinking papaya leaf juice cures dengue in a day", "IDN",
                today - timedelta(days=4), "Facebook", language="id", reach=12_500)),
        (idn, R("The measles vaccine given at the airport contains a tracking chip", "IDN",
                today - timedelta(days=2), "TikTok", language="id", reach=3_200)),
    ):  # fmt: skip
        fact_checks.log_rumour(session, actor, fields)
    groups = fact_checks.groups(session, coordinator)
    check = fact_checks.create(
        session,
        coordinator,
        fact_checks.FactCheckFields(
            verdict="false",
            countries=["MYS", "IDN"],
            event_id=dengue,
            rumour_ids=groups[0].ids,
            sources=[
                {
                    "title": "WHO: Dengue and severe dengue",
                    "url": "https://www.who.int/news-room/fact-sheets/detail/dengue-and-severe-dengue",
                }
            ],
            translations=[
                fact_checks.FactCheckTranslationFields(
                    "en",
                    "Papaya leaf juice cures dengue in one day",
                    "There is **no cure** for dengue. Treatment is rest, fluids and medical "
                    "care; severe dengue needs a hospital. Papaya leaf extract has not been "
                    "shown to cure it, and waiting for it can delay care.",
                ),
                fact_checks.FactCheckTranslationFields(
                    "ms",
                    "Jus daun betik menyembuhkan denggi dalam sehari",
                    "Tiada ubat untuk denggi. Rawatan ialah rehat, air dan penjagaan perubatan.",
                ),
                fact_checks.FactCheckTranslationFields(
                    "id",
                    "Jus daun pepaya menyembuhkan demam berdarah dalam sehari",
                    "Tidak ada obat untuk demam berdarah. Pengobatannya istirahat, cairan, dan "
                    "perawatan medis.",
                ),
            ],
        ),
    )
    fact_checks.publish_check(session, coordinator, check)


def _demo_coordination(session: Session) -> None:
    """Laboratories and a support request, stockpiles, a shared pledge, the
    mechanisms the network follows, a meeting with its action items, the
    Indonesia–Cambodia agreement and a connectivity round."""
    from eocnet.actions import (
        agreements,
        connectivity,
        countermeasures,
        files,
        laboratories,
        meetings,
    )
    from eocnet.db.models import ConnectivityProbe, Event

    people = {c: _actor(session, f"officer.{c.lower()}@{DOMAIN}") for c in ("IDN", "KHM", "THA", "SGP", "MYS", "PHL", "VNM")}  # fmt: skip
    coordinator = _actor(session, f"coordinator@{DOMAIN}")
    today = utcnow().date()
    measles = session.scalar(select(Event.id).where(Event.hazard == "Measles"))

    L = laboratories.LabFields
    labs = {}
    for code, lab_fields in (
        ("THA", L("National Institute of Health, Department of Medical Sciences", "Nonthaburi", 3,
                  [{"agent": "Measles virus", "method": "RT-PCR"}, {"agent": "Measles virus", "method": "Genotyping (sequencing)"},
                   {"agent": "Dengue virus", "method": "RT-PCR"}], 600, 2, "nih@tha.eocnet.example", "ISO 15189; WHO regional reference laboratory")),
        ("IDN", L("National Laboratory for Disease Control (BKPK)", "Jakarta", 2,
                  [{"agent": "Measles virus", "method": "IgM ELISA"}, {"agent": "SARS-CoV-2", "method": "RT-PCR"}], 900, 2, "lab@idn.eocnet.example", "ISO 15189")),
        ("SGP", L("National Public Health Laboratory", "Singapore", 3,
                  [{"agent": "SARS-CoV-2", "method": "Whole-genome sequencing"}, {"agent": "Influenza A", "method": "Subtyping RT-PCR"}], 1500, 1, "nphl@sgp.eocnet.example", "ISO 15189; ISO/IEC 17025")),
        ("KHM", L("National Institute of Public Health laboratory", "Phnom Penh", 2,
                  [{"agent": "Corynebacterium diphtheriae", "method": "Culture"}], 80, 4, "lab@khm.eocnet.example", "")),
    ):  # fmt: skip
        labs[code] = laboratories.add_lab(session, people[code], lab_fields)
    support = laboratories.ask(
        session,
        people["IDN"],
        laboratories.SupportFields(
            "sequencing", "Genotype the measles specimens from flight QZ7521",
            "Twelve throat swabs (IgM positive cases and contacts). Genotype and lineage wanted to link the cases.",
            event_id=measles, needed_by=today + timedelta(days=10),
        ),
    )  # fmt: skip
    offer = laboratories.offer(
        session, people["THA"], support, "We can genotype within 5 working days.", labs["THA"].id
    )
    laboratories.accept(session, people["IDN"], support, offer.id)
    laboratories.send_specimens(
        session, people["IDN"],
        laboratories.ShipmentFields(labs["IDN"].id, labs["THA"].id, "Throat swab in viral transport medium", 12, "UN3373",
                                    today - timedelta(days=1), "DHL 1234567890", support.id),
    )  # fmt: skip
    khm_ask = laboratories.ask(
        session, people["KHM"],
        laboratories.SupportFields("confirmation", "Confirm suspected diphtheria isolates", "Three isolates; toxigenicity testing needed.",
                                   visibility="restricted", parties=["THA", "SGP"]),
    )  # fmt: skip
    laboratories.offer(
        session, people["SGP"], khm_ask, "Elek test and tox gene PCR available.", labs["SGP"].id
    )

    S = countermeasures.StockFields
    for code, stock_fields in (
        ("IDN", S("Measles-rubella vaccine", "vaccine", 180_000, "doses", "MR-2291", today + timedelta(days=60), "Jakarta central store")),
        ("IDN", S("Oseltamivir 75 mg", "antiviral", 40_000, "courses", "OS-118", today + timedelta(days=400), "Surabaya")),
        ("THA", S("Measles-rubella vaccine", "vaccine", 250_000, "doses", "MR-3307", today + timedelta(days=300), "Bangkok")),
        ("KHM", S("Diphtheria antitoxin", "antitoxin", 40, "vials", "DAT-17", today + timedelta(days=45), "Phnom Penh")),
        ("PHL", S("N95 respirators", "ppe", 1_200_000, "pieces", "", today + timedelta(days=900), "Manila")),
        ("VNM", S("Dengue NS1 rapid tests", "test_kit", 90_000, "tests", "NS1-44", today + timedelta(days=120), "Hanoi")),
    ):  # fmt: skip
        countermeasures.add_stock(session, people[code], stock_fields)
    for code, quantity in (("KHM", 30_000), ("PHL", 80_000), ("IDN", 40_000)):
        countermeasures.ask(
            session, people[code],
            countermeasures.NeedFields("Measles-rubella vaccine", "vaccine", quantity, "doses", "Outbreak response immunisation"),
        )  # fmt: skip
    partner = _actor(session, f"partner.jpn@{DOMAIN}")
    pledge = countermeasures.pledge(
        session, partner,
        countermeasures.PledgeFields("Measles-rubella vaccine", "vaccine", 100_000, "doses", "dose_sharing", "Through the ASEAN Plus Three cooperation"),
    )  # fmt: skip
    countermeasures.accept_plan(session, partner, pledge, "need", 10_000)

    M = meetings.MechanismFields
    mechanisms = {}
    for name, lead, purpose in (
        ("ASEAN EOC Network", "MYS", "Real-time exchange among the officers on duty in each member state's EOC."),
        ("EOC Network webinars with dialogue partners", "MYS", "Webinars on outbreak response with China, Japan, Korea, US CDC and UK HSA."),
        ("Cross-border travel notices", "IDN", "Real-time short messages on cross-border travel of suspected or confirmed patients."),
        ("Risk Assessment for International Dissemination", "ASEC", "Periodic reports of the ASEAN BioDiaspora Virtual Centre."),
        ("ARARC risk communication", "ASEC", "Risk communication through the ASEAN Risk Assessment and Risk Communication Centre."),
        ("Laboratory capacity support", "THA", "Testing, confirmation, sequencing, reagents and training between laboratories."),
    ):  # fmt: skip
        mechanisms[name] = meetings.save_mechanism(session, coordinator, M(name, lead, purpose))
    start = (utcnow() - timedelta(days=14)).replace(hour=2, minute=0, second=0, microsecond=0)
    somhd = meetings.schedule(
        session, coordinator,
        meetings.MeetingFields(
            "ASEAN Plus Three SOMHD video conference", start, 120, mechanisms["EOC Network webinars with dialogue partners"].id,
            "https://meet.eocnet.example/somhd", "1. Measles importations\n2. Dengue season\n3. Follow-up of regional mechanisms",
            minutes="More than 100 delegates from the member states, the secretariat and China, Japan and Korea.",
            decisions=["Share measles genotype data within 7 days of a result", "Map the regional mechanisms to follow up"],
            open_to_all=True,
        ),
    )  # fmt: skip
    meetings.attach_file(
        session,
        coordinator,
        somhd,
        files.Upload("SOMHD minutes (signed).pdf", "application/pdf", _minutes_pdf(somhd)),
        Settings().attachment_max_bytes,
    )
    A = meetings.ActionFields
    late = meetings.add_action(
        session,
        coordinator,
        A(
            "Share measles genotype results with the network",
            "THA",
            today - timedelta(days=2),
            somhd.id,
        ),
    )
    meetings.add_note(
        session, people["THA"], late, "Sequencing under way; results expected this week.", 60
    )
    meetings.add_action(
        session,
        coordinator,
        A(
            "Map the 27 regional mechanisms and their follow-up",
            "ASEC",
            today + timedelta(days=21),
            somhd.id,
        ),
    )
    meetings.add_action(
        session,
        coordinator,
        A(
            "Update the dengue risk communication toolkit",
            "MYS",
            today + timedelta(days=30),
            mechanism_id=mechanisms["ARARC risk communication"].id,
        ),
    )

    agreement = agreements.create(
        session, people["IDN"],
        agreements.AgreementFields(
            "Indonesia–Cambodia cooperation in health security", ["IDN", "KHM"], today - timedelta(days=200), today + timedelta(days=1625),
            ["workforce_exchange", "scholarships_and_internships", "training", "joint_research", "disease_reporting_system",
             "communication_network", "emergency_coordination", "health_product_trade", "health_education_of_citizens_abroad",
             "monitoring_and_evaluation"],
            summary="Joint action plan with short-, medium- and long-term activities, reviewed each year.",
        ),
    )  # fmt: skip
    P = agreements.ActivityFields
    for activity in (
        P("short", "Joint training on event-based surveillance", "IDN", today - timedelta(days=150), today - timedelta(days=60), 30_000, "USD", "done"),
        P("short", "Direct communication line between the two EOCs", "KHM", today - timedelta(days=120), today + timedelta(days=30), None, "", "in_progress"),
        P("medium", "Disease reporting system linking the two ministries", "IDN", today, today + timedelta(days=540), 250_000, "USD", "planned"),
        P("long", "Joint research on dengue vectors", "KHM", today + timedelta(days=365), today + timedelta(days=1400), 400_000, "USD", "planned"),
    ):  # fmt: skip
        agreements.add_activity(session, people["IDN"], agreement, activity)
    trained = agreements.add_indicator(
        session,
        people["IDN"],
        agreement,
        agreements.IndicatorFields(
            "Officers trained in event-based surveillance", 60, 0, "people", "quarter"
        ),
    )
    quarters = []
    for back in (3, 2, 1):
        day = today - timedelta(days=91 * back)
        quarters.append(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    for i, period in enumerate(dict.fromkeys(quarters)):
        agreements.report(session, people["IDN"], agreement, trained.id, period, 8 + 6 * i)
        agreements.report(session, people["KHM"], agreement, trained.id, period, 4 + 3 * i)

    # three monthly rounds; the last one still waits for some parties
    rounds = (
        (
            60,
            {
                "BRN": 35,
                "IDN": 6,
                "KHM": 70,
                "LAO": 95,
                "MYS": 9,
                "MMR": 180,
                "PHL": 30,
                "SGP": 3,
                "THA": 14,
                "TLS": 240,
                "VNM": 20,
            },
        ),
        (
            30,
            {
                "BRN": 22,
                "IDN": 5,
                "KHM": 41,
                "LAO": 60,
                "MYS": 12,
                "PHL": 26,
                "SGP": 2,
                "THA": 18,
                "TLS": 150,
                "VNM": 15,
            },
        ),
        (0, {"IDN": 4, "MYS": 11, "SGP": 2, "THA": 25, "PHL": 48, "VNM": 16}),
    )
    for days_ago, answered in rounds:
        check = connectivity.start(session, coordinator, Settings().base_url)
        check.started_at = check.started_at - timedelta(days=days_ago)
        for probe in session.scalars(
            select(ConnectivityProbe).where(ConnectivityProbe.check_id == check.id)
        ):
            probe.sent_at = check.started_at
            if probe.party_code in answered:
                probe.acknowledged_at = probe.sent_at + timedelta(
                    minutes=answered[probe.party_code]
                )


def _minutes_pdf(meeting: Any) -> bytes:
    """A one-page PDF of a meeting's minutes, so that the demo meeting has a file."""
    import io

    from matplotlib.figure import Figure

    figure = Figure(figsize=(8.27, 11.69))  # A4
    lines = [meeting.title, meeting.starts_at.strftime("%d %B %Y, %H:%M UTC"), ""]
    lines += ["Agenda", *meeting.agenda.splitlines(), "", "Minutes", meeting.minutes, ""]
    lines += ["Decisions", *(f"{i}. {d}" for i, d in enumerate(meeting.decisions, 1))]
    for i, line in enumerate(lines):
        figure.text(0.08, 0.94 - i * 0.028, line, fontsize=13 if i == 0 else 10, wrap=True)
    out = io.BytesIO()
    figure.savefig(out, format="pdf")
    return out.getvalue()
