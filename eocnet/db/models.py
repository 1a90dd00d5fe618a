"""The tables. Each model is plain data; rules live in ``domain/`` and writes in ``actions/``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from eocnet.db.types import UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Big integer ids that are still "INTEGER PRIMARY KEY" (rowid aliases) on SQLite.
BigId = BigInteger().with_variant(Integer, "sqlite")


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class, for hot paths that skip the ORM's unit of work."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
        list[dict[str, Any]]: JSON,
        list[dict[str, str]]: JSON,
    }


class Party(Base):
    __tablename__ = "party"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    eoc_name: Mapped[str] = mapped_column(String(300))
    time_zone: Mapped[str] = mapped_column(String(64))
    languages: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    network_version: Mapped[str] = mapped_column(String(40), default="")

    contacts: Mapped[list[ContactPoint]] = relationship(
        back_populates="party", cascade="all, delete-orphan", order_by="ContactPoint.id"
    )


class ContactPoint(Base):
    __tablename__ = "contact_point"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    party_code: Mapped[str] = mapped_column(
        ForeignKey("party.code", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(300))
    label: Mapped[str] = mapped_column(String(200), default="")
    always_on: Mapped[bool] = mapped_column(Boolean, default=True)

    party: Mapped[Party] = relationship(back_populates="contacts")


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    party_code: Mapped[str] = mapped_column(ForeignKey("party.code"), index=True)
    roles: Mapped[list[str]] = mapped_column(default=list)
    phone: Mapped[str] = mapped_column(String(60), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(16), default="en")
    time_zone: Mapped[str] = mapped_column(String(64), default="")
    totp_secret_enc: Mapped[str | None] = mapped_column(Text, default=None)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(default=None)
    totp_last_step: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    party: Mapped[Party] = relationship()


class RecoveryCode(Base):
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()


class WebSession(Base):
    __tablename__ = "web_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    second_factor_done: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_failure_at: Mapped[datetime | None] = mapped_column(default=None)


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    actor: Mapped[str] = mapped_column(String(254), default="")
    party_code: Mapped[str | None] = mapped_column(String(8), default=None)
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(60), default="")
    object_id: Mapped[str] = mapped_column(String(80), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_entry_party_at", "party_code", "at"),
        Index("ix_audit_entry_action", "action"),
    )


class DemoCredential(Base):
    """The generated demo password, kept only until the demo users change it."""

    __tablename__ = "demo_credential"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    password: Mapped[str] = mapped_column(String(200))


# ---------------------------------------------------------------- real-time exchange
#
# Audience columns, shared by events, channels, stream entries and search documents:
# ``visibility`` (network | partners | restricted), ``owner_party``, ``parties_key``
# (",IDN,KHM," so that SQL can test membership with LIKE on both databases) and, for
# direct-message channels, ``users_key`` (",12,34,": only these users).


class Event(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(300))
    hazard: Mapped[str] = mapped_column(String(200))
    icd_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(3))
    subdivision: Mapped[str] = mapped_column(String(10), default="")
    place: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(default=None)
    longitude: Mapped[float | None] = mapped_column(default=None)
    onset_date: Mapped[date | None] = mapped_column(Date, default=None)
    detection_date: Mapped[date | None] = mapped_column(Date, default=None)
    report_date: Mapped[date | None] = mapped_column(Date, default=None)
    cases_suspected: Mapped[int] = mapped_column(Integer, default=0)
    cases_probable: Mapped[int] = mapped_column(Integer, default=0)
    cases_confirmed: Mapped[int] = mapped_column(Integer, default=0)
    deaths_suspected: Mapped[int] = mapped_column(Integer, default=0)
    deaths_probable: Mapped[int] = mapped_column(Integer, default=0)
    deaths_confirmed: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="signal")
    severity: Mapped[str] = mapped_column(String(12), default="moderate")
    is_alert: Mapped[bool] = mapped_column(Boolean, default=False)
    alert_reasons: Mapped[list[str]] = mapped_column(default=list)
    visibility: Mapped[str] = mapped_column(String(12))
    parties: Mapped[list[str]] = mapped_column(default=list)
    parties_key: Mapped[str] = mapped_column(String(400), default=",")
    addressed: Mapped[list[str]] = mapped_column(default=list)
    owner_party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    ihr_deadline: Mapped[datetime | None] = mapped_column(default=None)
    ihr_notified_at: Mapped[datetime | None] = mapped_column(default=None)
    #: When the party first recorded an Annex 2 assessment: stops the 48-hour clock of
    #: IHR Annex 1 A.6(a)/B.1 (see actions.events.assessment_due).
    ihr_assessed_at: Mapped[datetime | None] = mapped_column(default=None)
    next_reminder_at: Mapped[datetime | None] = mapped_column(default=None)
    reminder_stage: Mapped[int] = mapped_column(Integer, default=0)

    acknowledgements: Mapped[list[Acknowledgement]] = relationship(
        back_populates="event", order_by="Acknowledgement.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_event_updated", "updated_at"),
        Index("ix_event_country_status", "country", "status"),
        Index("ix_event_reminder", "next_reminder_at"),
    )


class EventRevision(Base):
    """The event as it was before each change (edit history)."""

    __tablename__ = "event_revision"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column()
    changed_by: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Acknowledgement(Base):
    __tablename__ = "acknowledgement"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    party_code: Mapped[str] = mapped_column(ForeignKey("party.code"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship(back_populates="acknowledgements")
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("event_id", "party_code", name="uq_ack_event_party"),)


class EventUpdate(Base):
    """A threaded update on an event: text, changed figures, attachments."""

    __tablename__ = "event_update"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    party_code: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(default=None)

    author: Mapped[User] = relationship()
    revisions: Mapped[list[UpdateRevision]] = relationship(
        order_by="UpdateRevision.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        order_by="Attachment.id", cascade="all, delete-orphan"
    )


class UpdateRevision(Base):
    __tablename__ = "update_revision"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    update_id: Mapped[int] = mapped_column(
        ForeignKey("event_update.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaced_by: Mapped[int] = mapped_column(BigInteger)


class Attachment(Base):
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    update_id: Mapped[int] = mapped_column(
        ForeignKey("event_update.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class IhrAssessment(Base):
    __tablename__ = "ihr_assessment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    disease: Mapped[str] = mapped_column(String(200), default="")
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notifiable: Mapped[bool] = mapped_column(Boolean)
    rule: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(default=None)
    assessed_by: Mapped[int] = mapped_column(BigInteger)
    #: "assessment": the event's own party (IHR Article 6); "suggestion": another
    #: party's or the coordinator's advice, kept apart and never starting a clock.
    kind: Mapped[str] = mapped_column(String(12), default="assessment", server_default="assessment")
    party_code: Mapped[str] = mapped_column(String(8), default="", server_default="")


class IhrArticle9Report(Base):
    """A party's record that it informed WHO, under IHR Article 9.2, of a public health
    risk identified outside its territory shown by an event (or a tracing notice of it)."""

    __tablename__ = "ihr_article9_report"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    party_code: Mapped[str] = mapped_column(String(8))
    tracing_notice_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    informed_at: Mapped[datetime] = mapped_column(default=utcnow)
    informed_by: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (UniqueConstraint("event_id", "party_code", name="uq_article9_event_party"),)


class Channel(Base):
    __tablename__ = "channel"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12))  # network | event | group | direct
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), default=None, index=True
    )
    visibility: Mapped[str] = mapped_column(String(12))
    parties: Mapped[list[str]] = mapped_column(default=list)
    parties_key: Mapped[str] = mapped_column(String(400), default=",")
    users_key: Mapped[str] = mapped_column(String(200), default="")
    owner_party: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_id: Mapped[int] = mapped_column(BigInteger, default=0)


class Message(Base):
    __tablename__ = "message"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    party_code: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    reply_to_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    mentions: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(default=None)

    author: Mapped[User] = relationship()

    __table_args__ = (Index("ix_message_channel_id", "channel_id", "id"),)


class MessageRevision(Base):
    __tablename__ = "message_revision"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("message.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReadState(Base):
    __tablename__ = "read_state"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True
    )
    last_read_id: Mapped[int] = mapped_column(BigInteger, default=0)


class StreamEntry(Base):
    """The durable event log behind the live stream: written in the same transaction as
    the change it announces; ids strictly increase and never restart."""

    __tablename__ = "stream_entry"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    visibility: Mapped[str] = mapped_column(String(12))
    owner_party: Mapped[str] = mapped_column(String(8))
    parties_key: Mapped[str] = mapped_column(String(400), default=",")
    users_key: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[str] = mapped_column(Text)

    __table_args__ = ({"sqlite_autoincrement": True},)


class IdempotencyRecord(Base):
    """The answer to a POST sent with an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_record"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchDocument(Base):
    """One searchable text (event, update, message, advisory, fact check, risk
    assessment, laboratory, support request, meeting, action item or agreement) with
    its audience.

    ``terms`` holds the words of title and body as ``domain/search_text`` segments
    them (one space apart) and ``segmenter`` the segmentation that found them.
    Full-text indexing of ``terms`` is by database: an FTS5 table on SQLite, a
    generated tsvector column with a GIN index on PostgreSQL (both made in the
    migrations).
    """

    __tablename__ = "search_document"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))
    object_id: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    channel_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[str] = mapped_column(Text, default="", server_default="")
    segmenter: Mapped[str] = mapped_column(String(40), default="", server_default="")
    country: Mapped[str] = mapped_column(String(3), default="")
    hazard: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    visibility: Mapped[str] = mapped_column(String(12))
    owner_party: Mapped[str] = mapped_column(String(8))
    parties_key: Mapped[str] = mapped_column(String(400), default=",")
    users_key: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        UniqueConstraint("kind", "object_id", name="uq_search_document_kind_object"),
        Index("ix_search_document_created", "created_at"),
    )


# ---------------------------------------------------------------- notifications and webhooks


class NotificationPreference(Base):
    """How a user wants to be told; rows are created on first change (defaults apply)."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    email_alerts: Mapped[bool] = mapped_column(Boolean, default=True)
    email_mentions: Mapped[bool] = mapped_column(Boolean, default=True)
    email_direct: Mapped[bool] = mapped_column(Boolean, default=True)
    email_reports: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )


class OutboxEmail(Base):
    """E-mail waiting to be sent: written in the transaction of the change it reports,
    sent by the job after commit, retried on failure."""

    __tablename__ = "outbox_email"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_outbox_email_due", "sent_at", "next_attempt_at"),)


class Webhook(Base):
    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    party_code: Mapped[str] = mapped_column(ForeignKey("party.code"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret_sealed: Mapped[str] = mapped_column(Text)
    kinds: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_entry_id: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    __tablename__ = "webhook_delivery"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhook.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_hook", "webhook_id", "id"),
    )


class PushState(Base):
    """Web Push's one row (``id`` 1): the server's VAPID key pair, made at first start
    (the private key sealed with the secret key), and how far the push fan-out has
    followed the event log."""

    __tablename__ = "push_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    vapid_private_sealed: Mapped[str] = mapped_column(Text)
    #: The public key, uncompressed P-256 point, base64url: the page's applicationServerKey.
    vapid_public_key: Mapped[str] = mapped_column(String(120))
    last_entry_id: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PushSubscription(Base):
    """A browser's push subscription (one per device and browser profile)."""

    __tablename__ = "push_subscription"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    endpoint: Mapped[str] = mapped_column(String(2000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    #: Only log entries after this one are pushed to it (not what happened before).
    first_entry_id: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)


class PushDelivery(Base):
    """One push message to one subscription: the delivery log (kept, with the
    subscription's id emptied, when an expired subscription is removed)."""

    __tablename__ = "push_delivery"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("push_subscription.id", ondelete="SET NULL"), default=None
    )
    user_id: Mapped[int] = mapped_column(BigInteger)
    entry_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(40))
    #: pending, delivered, failed or expired (the push service said 404/410)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_push_delivery_due", "status", "next_attempt_at"),
        Index("ix_push_delivery_user", "user_id", "id"),
    )


# ---------------------------------------------------------------- contact tracing


class TracingNotice(Base):
    """A cross-border notice about persons. Only ``summary`` and the counts are
    personal-data free; everything personal is in ``TracedPerson.sealed``."""

    __tablename__ = "tracing_notice"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="contacts")
    sender_party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    created_by: Mapped[int] = mapped_column(BigInteger)
    parties: Mapped[list[str]] = mapped_column(default=list)
    parties_key: Mapped[str] = mapped_column(String(400), default=",")
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    purge_after: Mapped[datetime] = mapped_column()
    purged_at: Mapped[datetime | None] = mapped_column(default=None)
    key_id: Mapped[str] = mapped_column(String(32), default="")
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    #: the case whose contacts this notice lists: a person of an earlier notice who
    #: became a case (a link of a chain of transmission); None for a first notice
    source_person_id: Mapped[int | None] = mapped_column(BigInteger, default=None, index=True)

    persons: Mapped[list[TracedPerson]] = relationship(
        order_by="TracedPerson.id", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_tracing_notice_purge", "purged_at", "purge_after"),)


class TracedPerson(Base):
    __tablename__ = "traced_person"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("tracing_notice.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    receiving_party: Mapped[str] = mapped_column(String(8), default="")
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    tracer_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    outcome_date: Mapped[date | None] = mapped_column(Date, default=None)
    test_result: Mapped[str] = mapped_column(String(20), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the disease followed (a code of eocnet/data/follow_up.yaml, or as named)
    disease: Mapped[str] = mapped_column(String(40), default="", server_default="")
    #: the last day of follow-up (last exposure + the disease's period); the personal
    #: data is deleted a margin after it. None for persons sent before this existed.
    follow_up_until: Mapped[date | None] = mapped_column(Date, default=None)
    #: a followed contact who became a case (Go.Data's conversion of a contact to a
    #: case): since when, and suspected, probable or confirmed; "" while a contact
    case_since: Mapped[date | None] = mapped_column(Date, default=None)
    case_classification: Mapped[str] = mapped_column(String(12), default="", server_default="")

    __table_args__ = (Index("ix_traced_person_follow_up", "follow_up_until"),)


class FollowUpVisit(Base):
    """One day's follow-up of a traced person by the receiving party's tracers (a
    SORMAS visit): seen, not reached, symptomatic, lost or completed. No personal data;
    it stays when the person's data is deleted, for the follow-up figures."""

    __tablename__ = "follow_up_visit"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("traced_person.id", ondelete="CASCADE"))
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("tracing_notice.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    recorded_by: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("person_id", "day", name="uq_follow_up_visit_person_day"),)


class Disease(Base):
    """A disease the network reports on weekly (or daily), and how its signals
    are detected. Changed by the coordinator."""

    __tablename__ = "disease"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    icd_code: Mapped[str] = mapped_column(String(20), default="")
    schedule: Mapped[str] = mapped_column(String(12), default="iso_week")
    due_days: Mapped[int] = mapped_column(Integer, default=1)
    due_hour: Mapped[int] = mapped_column(Integer, default=12)
    method: Mapped[dict[str, Any]] = mapped_column(default=dict)
    share_with: Mapped[str] = mapped_column(String(12), default="network")
    #: the serial interval (days) for the reproduction number, daily schedules only
    si_mean: Mapped[float | None] = mapped_column(default=None)
    si_sd: Mapped[float | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AggregateReport(Base):
    """One reported stratum of one period. A re-submission marks the earlier
    row not current (``replaced_at``) and adds a new one: history is kept."""

    __tablename__ = "aggregate_report"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    disease: Mapped[str] = mapped_column(ForeignKey("disease.code"))
    period_start: Mapped[date] = mapped_column(Date)
    area: Mapped[str] = mapped_column(String(10), default="")
    age_group: Mapped[str] = mapped_column(String(16), default="")
    sex: Mapped[str] = mapped_column(String(1), default="")
    cases_suspected: Mapped[int] = mapped_column(Integer, default=0)
    cases_probable: Mapped[int] = mapped_column(Integer, default=0)
    cases_confirmed: Mapped[int] = mapped_column(Integer, default=0)
    deaths_suspected: Mapped[int] = mapped_column(Integer, default=0)
    deaths_probable: Mapped[int] = mapped_column(Integer, default=0)
    deaths_confirmed: Mapped[int] = mapped_column(Integer, default=0)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    submission: Mapped[str] = mapped_column(String(32))
    submitted_by: Mapped[int] = mapped_column(BigInteger)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaced_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (
        Index(
            "uq_aggregate_report_current",
            "party",
            "disease",
            "period_start",
            "area",
            "age_group",
            "sex",
            unique=True,
            sqlite_where=text("current"),
            postgresql_where=text("current"),
        ),
        Index("ix_aggregate_report_disease_period", "disease", "period_start"),
    )


class SurveillanceSignal(Base):
    """An alarm of the detection method in a reported period, and the event
    (status ``signal``) it opened."""

    __tablename__ = "surveillance_signal"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    disease: Mapped[str] = mapped_column(ForeignKey("disease.code"))
    period_start: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(32))
    observed: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float | None] = mapped_column(default=None)
    threshold: Mapped[float | None] = mapped_column(default=None)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("party", "disease", "period_start", "method"),)


class ReportReminder(Base):
    """A reminder sent about a report not yet received (each stage once)."""

    __tablename__ = "report_reminder"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    disease: Mapped[str] = mapped_column(ForeignKey("disease.code"))
    period_start: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(8))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("party", "disease", "period_start", "stage"),)


class RiskAssessment(Base):
    """A rapid risk assessment of an event: drafted by officers, signed off by
    the coordinator; every saved version is kept in ``RiskAssessmentRevision``."""

    __tablename__ = "risk_assessment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    hazard_assessment: Mapped[str] = mapped_column(Text, default="")
    exposure_assessment: Mapped[str] = mapped_column(Text, default="")
    context_assessment: Mapped[str] = mapped_column(Text, default="")
    likelihood: Mapped[str] = mapped_column(String(20))
    consequences: Mapped[str] = mapped_column(String(20))
    #: The overall risk: the assessors' override if they gave one, else the matrix cell.
    risk_level: Mapped[str] = mapped_column(String(12))
    #: The cell of the WHO risk matrix for the likelihood and consequences, always kept.
    matrix_risk_level: Mapped[str] = mapped_column(String(12), default="", server_default="")
    #: The level the assessors chose instead of the matrix cell ("" when none) ...
    risk_level_override: Mapped[str] = mapped_column(String(12), default="", server_default="")
    #: ... and why (required with an override).
    override_justification: Mapped[str] = mapped_column(Text, default="", server_default="")
    confidence: Mapped[str] = mapped_column(String(12))
    #: The risk question the fields above answer: the risk at the regional level, the
    #: network's own product.
    risk_question: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: The risk at the national and the global levels, when assessed: level -> its
    #: question, likelihood, consequences, confidence, matrix cell, override,
    #: justification and overall risk (see actions.risk_assessments.LevelFields).
    levels: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    uncertainties: Mapped[str] = mapped_column(Text, default="")
    recommendations: Mapped[str] = mapped_column(Text, default="")
    sharing: Mapped[str] = mapped_column(String(12), default="network")
    status: Mapped[str] = mapped_column(String(12), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    owner_party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_off_by: Mapped[int | None] = mapped_column(BigInteger, default=None)
    signed_off_at: Mapped[datetime | None] = mapped_column(default=None)


class RiskAssessmentComment(Base):
    """A contribution of WHO or a dialogue partner (or any party the assessment is shared
    with) to a rapid risk assessment; sign-off stays with the coordinator."""

    __tablename__ = "risk_assessment_comment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("risk_assessment.id", ondelete="CASCADE"), index=True
    )
    party_code: Mapped[str] = mapped_column(String(8))
    author_id: Mapped[int] = mapped_column(BigInteger)
    body: Mapped[str] = mapped_column(Text)
    #: the version of the assessment the comment was made on
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RiskAssessmentRevision(Base):
    """One saved version (or its sign-off), as it was."""

    __tablename__ = "risk_assessment_revision"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("risk_assessment.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    author_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Advisory(Base):
    """A public advisory: drafted, reviewed, approved, then published as CAP 1.2
    messages (``AdvisoryMessage``); the text lives in one translation per language."""

    __tablename__ = "advisory"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    event_type: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(12), default="Health")
    response_type: Mapped[str] = mapped_column(String(12), default="")
    urgency: Mapped[str] = mapped_column(String(12))
    severity: Mapped[str] = mapped_column(String(12))
    certainty: Mapped[str] = mapped_column(String(12))
    audience: Mapped[str] = mapped_column(String(300), default="")
    #: CAP <status>: Actual, or Exercise / Test for drills (never on the public site)
    cap_status: Mapped[str] = mapped_column(String(12), default="Actual", server_default="Actual")
    #: CAP <scope>: Public, or Restricted (with <restriction>) for drills and closed users
    scope: Mapped[str] = mapped_column(String(12), default="Public", server_default="Public")
    restriction: Mapped[str] = mapped_column(String(300), default="", server_default="")
    effective_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    areas: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    links: Mapped[list[dict[str, str]]] = mapped_column(default=list)
    countries_key: Mapped[str] = mapped_column(String(200), default=",")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"), default=None)
    risk_assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("risk_assessment.id"), default=None
    )
    source_reference: Mapped[str] = mapped_column(String(600), default="")
    review_note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    owner_party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by: Mapped[int | None] = mapped_column(BigInteger, default=None)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)

    translations: Mapped[list[AdvisoryTranslation]] = relationship(
        order_by="AdvisoryTranslation.id", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_advisory_status", "status", "updated_at"),)


class AdvisoryTranslation(Base):
    __tablename__ = "advisory_translation"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    advisory_id: Mapped[int] = mapped_column(ForeignKey("advisory.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(35))
    headline: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    instruction: Mapped[str] = mapped_column(Text, default="")
    #: CAP <audience> in this language ("" : the advisory's own audience)
    audience: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: CAP <areaDesc> of each area, in the advisory's order, in this language
    area_descriptions: Mapped[list[str]] = mapped_column(default=list, server_default="[]")

    __table_args__ = (UniqueConstraint("advisory_id", "language"),)


class AdvisoryMessage(Base):
    """A CAP 1.2 message issued for an advisory (Alert, Update or Cancel). Never
    changed once issued: the public site and feeds are built from these."""

    __tablename__ = "advisory_message"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    advisory_id: Mapped[int] = mapped_column(ForeignKey("advisory.id"), index=True)
    identifier: Mapped[str] = mapped_column(String(200), unique=True)
    msg_type: Mapped[str] = mapped_column(String(8))
    sent_at: Mapped[datetime] = mapped_column()
    reference: Mapped[str] = mapped_column(String(600))
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    xml: Mapped[str] = mapped_column(Text)
    issued_by: Mapped[int] = mapped_column(BigInteger)
    #: CAP status Actual and scope Public: shown on the public site and feeds. Drills
    #: (Exercise, Test) and Restricted messages never are.
    public: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class FactCheck(Base):
    """The network's answer to a circulating claim, published with its verdict."""

    __tablename__ = "fact_check"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    verdict: Mapped[str] = mapped_column(String(20))
    sources: Mapped[list[dict[str, str]]] = mapped_column(default=list)
    countries: Mapped[list[str]] = mapped_column(default=list)
    countries_key: Mapped[str] = mapped_column(String(200), default=",")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"), default=None)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    owner_party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    published: Mapped[dict[str, Any]] = mapped_column(default=dict)

    translations: Mapped[list[FactCheckTranslation]] = relationship(
        order_by="FactCheckTranslation.id", cascade="all, delete-orphan"
    )


class FactCheckTranslation(Base):
    __tablename__ = "fact_check_translation"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fact_check_id: Mapped[int] = mapped_column(ForeignKey("fact_check.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(35))
    claim: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("fact_check_id", "language"),)


class Rumour(Base):
    """A claim seen circulating, logged by an officer; never public."""

    __tablename__ = "rumour"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    claim: Mapped[str] = mapped_column(Text)
    seen_where: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    language: Mapped[str] = mapped_column(String(35), default="")
    country: Mapped[str] = mapped_column(String(3))
    first_seen: Mapped[date] = mapped_column(Date)
    reach: Mapped[int | None] = mapped_column(BigInteger, default=None)
    fact_check_id: Mapped[int | None] = mapped_column(ForeignKey("fact_check.id"), default=None)
    party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    reported_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# ---------------------------------------------------------------- coordination


class Laboratory(Base):
    """A laboratory of a party: what it tests, how much, how fast."""

    __tablename__ = "laboratory"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    party_code: Mapped[str] = mapped_column(ForeignKey("party.code"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(200), default="")
    biosafety_level: Mapped[int] = mapped_column(Integer, default=2)
    tests: Mapped[list[dict[str, str]]] = mapped_column(default=list)
    capacity_per_week: Mapped[int | None] = mapped_column(Integer, default=None)
    turnaround_days: Mapped[float | None] = mapped_column(default=None)
    contact: Mapped[str] = mapped_column(String(300), default="")
    accreditation: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupportRequest(Base):
    """A party asks the network for laboratory support."""

    __tablename__ = "support_request"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    requesting_party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"), default=None)
    needed_by: Mapped[date | None] = mapped_column(Date, default=None)
    visibility: Mapped[str] = mapped_column(String(12), default="network")
    parties: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(12), default="open")
    accepted_offer_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupportOffer(Base):
    __tablename__ = "support_offer"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_request.id"), index=True)
    party_code: Mapped[str] = mapped_column(ForeignKey("party.code"))
    laboratory_id: Mapped[int | None] = mapped_column(ForeignKey("laboratory.id"), default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="made")
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SpecimenShipment(Base):
    """Specimens sent from one laboratory to another, and the result coming back."""

    __tablename__ = "specimen_shipment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("support_request.id"), default=None)
    sender_lab_id: Mapped[int] = mapped_column(ForeignKey("laboratory.id"))
    receiver_lab_id: Mapped[int] = mapped_column(ForeignKey("laboratory.id"))
    sender_party: Mapped[str] = mapped_column(String(8))
    receiver_party: Mapped[str] = mapped_column(String(8))
    specimen_type: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer)
    packaging: Mapped[str] = mapped_column(String(10))
    shipped_on: Mapped[date | None] = mapped_column(Date, default=None)
    received_on: Mapped[date | None] = mapped_column(Date, default=None)
    tracking_ref: Mapped[str] = mapped_column(String(200), default="")
    result_returned_on: Mapped[date | None] = mapped_column(Date, default=None)
    result_summary: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StockItem(Base):
    """A stockpile line of a party: an item, its lot and expiry, where it is."""

    __tablename__ = "stock_item"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    party_code: Mapped[str] = mapped_column(ForeignKey("party.code"), index=True)
    item: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(40))
    lot: Mapped[str] = mapped_column(String(100), default="")
    expiry: Mapped[date | None] = mapped_column(Date, default=None)
    location: Mapped[str] = mapped_column(String(200), default="")
    updated_by: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StockRevision(Base):
    __tablename__ = "stock_revision"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    stock_item_id: Mapped[int] = mapped_column(ForeignKey("stock_item.id"), index=True)
    quantity: Mapped[int] = mapped_column(BigInteger)
    lot: Mapped[str] = mapped_column(String(100), default="")
    expiry: Mapped[date | None] = mapped_column(Date, default=None)
    location: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    changed_by: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CountermeasureRequest(Base):
    """A party asks for doses, antivirals, PPE or test kits."""

    __tablename__ = "countermeasure_request"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    party_code: Mapped[str] = mapped_column(ForeignKey("party.code"), index=True)
    item: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"), default=None)
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Pledge(Base):
    """What a party or partner offers: a donation, a loan, doses to share."""

    __tablename__ = "pledge"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    party_code: Mapped[str] = mapped_column(ForeignKey("party.code"), index=True)
    item: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="open")
    basis: Mapped[str] = mapped_column(String(12), default="")
    minimum: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PledgeAllocation(Base):
    """A pledge's share for one request, then its shipment and receipt."""

    __tablename__ = "pledge_allocation"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("countermeasure_request.id"), index=True)
    party_code: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[int] = mapped_column(BigInteger)
    shipped_quantity: Mapped[int | None] = mapped_column(BigInteger, default=None)
    shipped_on: Mapped[date | None] = mapped_column(Date, default=None)
    received_quantity: Mapped[int | None] = mapped_column(BigInteger, default=None)
    received_on: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(12), default="allocated")


class Mechanism(Base):
    """A regional mechanism the network follows up on."""

    __tablename__ = "mechanism"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    lead_party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    purpose: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Meeting(Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(300))
    mechanism_id: Mapped[int | None] = mapped_column(ForeignKey("mechanism.id"), default=None)
    starts_at: Mapped[datetime] = mapped_column()
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    video_url: Mapped[str] = mapped_column(String(1000), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[list[str]] = mapped_column(default=list)
    attachments: Mapped[list[dict[str, str]]] = mapped_column(default=list)
    parties: Mapped[list[str]] = mapped_column(default=list)
    owner_party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActionItem(Base):
    __tablename__ = "action_item"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(500))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), default=None)
    mechanism_id: Mapped[int | None] = mapped_column(ForeignKey("mechanism.id"), default=None)
    owner_party: Mapped[str] = mapped_column(ForeignKey("party.code"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActionNote(Base):
    __tablename__ = "action_note"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_item.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    progress: Mapped[int | None] = mapped_column(Integer, default=None)
    status: Mapped[str] = mapped_column(String(12), default="")
    party_code: Mapped[str] = mapped_column(String(8))
    author_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredFile(Base):
    """A file kept with a meeting (minutes, slides) or an agreement (its signed text).
    Seen by whoever may see what it is kept with."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    #: What the file is kept with: "meeting" or "agreement", and its id.
    subject: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by: Mapped[int] = mapped_column(BigInteger)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_stored_file_subject", "subject", "subject_id"),)


class Agreement(Base):
    """A cooperation agreement between parties, its plan and its indicators."""

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(300))
    parties: Mapped[list[str]] = mapped_column(default=list)
    signed_on: Mapped[date | None] = mapped_column(Date, default=None)
    expires_on: Mapped[date | None] = mapped_column(Date, default=None)
    areas: Mapped[list[str]] = mapped_column(default=list)
    documents: Mapped[list[dict[str, str]]] = mapped_column(default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    shared_with_network: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanActivity(Base):
    __tablename__ = "plan_activity"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    term: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    lead_party: Mapped[str] = mapped_column(String(8))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    budget: Mapped[float | None] = mapped_column(default=None)
    currency: Mapped[str] = mapped_column(String(3), default="")
    status: Mapped[str] = mapped_column(String(12), default="planned")


class Indicator(Base):
    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    baseline: Mapped[float] = mapped_column(default=0.0)
    target: Mapped[float] = mapped_column()
    unit: Mapped[str] = mapped_column(String(40), default="")
    period: Mapped[str] = mapped_column(String(10), default="quarter")


class IndicatorReport(Base):
    __tablename__ = "indicator_report"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    party_code: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(10))
    value: Mapped[float] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    reported_by: Mapped[int] = mapped_column(BigInteger)
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("indicator_id", "party_code", "period"),)


class ConnectivityCheck(Base):
    """One round of the focal-point connectivity test."""

    __tablename__ = "connectivity_check"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_by: Mapped[int | None] = mapped_column(BigInteger, default=None)


class ConnectivityProbe(Base):
    """The question sent to one party in a round, and when it was answered."""

    __tablename__ = "connectivity_probe"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("connectivity_check.id"), index=True)
    party_code: Mapped[str] = mapped_column(String(8), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by: Mapped[int | None] = mapped_column(BigInteger, default=None)


class Report(Base):
    """A situation report: an event report or the weekly regional report. A
    draft is rendered from live data each time it is read; issuing numbers the
    edition and keeps its HTML and PDF unchanged from then on."""

    __tablename__ = "report"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"), default=None)
    period: Mapped[str] = mapped_column(String(10), default="")
    language: Mapped[str] = mapped_column(String(35), default="en")
    title: Mapped[str] = mapped_column(String(400))
    narrative: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    progress_note: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    edition: Mapped[int | None] = mapped_column(Integer, default=None)
    visibility: Mapped[str] = mapped_column(String(12), default="network")
    parties: Mapped[list[str]] = mapped_column(default=list)
    owner_party: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by: Mapped[int | None] = mapped_column(BigInteger, default=None)
    issued_at: Mapped[datetime | None] = mapped_column(default=None)
    html: Mapped[str | None] = mapped_column(Text, default=None)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)

    __table_args__ = (Index("ix_report_kind_event", "kind", "event_id", "edition"),)


# ---- scheduled work


class JobSchedule(Base):
    """When each scheduled job last ran and next falls due: kept in the database so that
    several server processes (or a separate jobs process) share one schedule and a job
    with an interval of its own runs once per interval, not once per process."""

    __tablename__ = "job_schedule"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column()
    last_run_at: Mapped[datetime | None] = mapped_column(default=None)
    #: The outcome of the last run: a count, or "error".
    last_result: Mapped[str] = mapped_column(String(40), default="")


# ---------------------------------------------------------------- event-based surveillance
#
# Sources (feeds an operator configures), the signals taken in from them or reported by
# hand, and the verification requests (IHR Art. 10) made about a signal. Sources and
# signals carry the audience columns of events (see above); a signal has its source's.


class SignalSource(Base):
    """A feed polled for signals (RSS, Atom or JSON Feed), with its health."""

    __tablename__ = "signal_source"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(1000))
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(35))
    #: Admiralty scale source reliability, A (reliable) to F (cannot be judged).
    reliability: Mapped[str] = mapped_column(String(1), default="F")
    visibility: Mapped[str] = mapped_column(String(12))
    parties: Mapped[list[str]] = mapped_column(default=list)
    parties_key: Mapped[str] = mapped_column(String(400), default=",")
    owner_party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    etag: Mapped[str] = mapped_column(String(300), default="")
    last_modified: Mapped[str] = mapped_column(String(100), default="")
    #: new (never polled), ok, failing (errors, backing off)
    health: Mapped[str] = mapped_column(String(12), default="new")
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    malformed_count: Mapped[int] = mapped_column(Integer, default=0)
    items_count: Mapped[int] = mapped_column(Integer, default=0)
    last_polled_at: Mapped[datetime | None] = mapped_column(default=None)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)
    next_poll_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("owner_party", "url"),
        Index("ix_signal_source_next_poll", "next_poll_at"),
    )


class Signal(Base):
    """An item that may announce an event: from a source's feed or reported by hand."""

    __tablename__ = "signal"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("signal_source.id", ondelete="SET NULL"), default=None
    )
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    #: The link normalised for de-duplication ("" for signals without one).
    url_key: Mapped[str] = mapped_column(String(1000), default="")
    #: The title's words normalised (casefolded, sorted), for near-duplicates.
    title_key: Mapped[str] = mapped_column(String(500), default="")
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    language: Mapped[str] = mapped_column(String(35), default="")
    hazards: Mapped[list[str]] = mapped_column(default=list)
    countries: Mapped[list[str]] = mapped_column(default=list)
    countries_key: Mapped[str] = mapped_column(String(400), default=",")
    #: new, under_review, discarded, verified, linked
    status: Mapped[str] = mapped_column(String(12), default="new")
    assignee_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    #: Admiralty scale: source reliability A–F and information credibility 1–6.
    reliability: Mapped[str] = mapped_column(String(1), default="")
    credibility: Mapped[int | None] = mapped_column(Integer, default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"), default=None)
    #: The rumour of the rumour log this signal was promoted from.
    rumour_id: Mapped[int | None] = mapped_column(ForeignKey("rumour.id"), default=None)
    exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Items merged into this signal: [{"source_id", "url", "title"}].
    also_seen: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    visibility: Mapped[str] = mapped_column(String(12))
    parties: Mapped[list[str]] = mapped_column(default=list)
    parties_key: Mapped[str] = mapped_column(String(400), default=",")
    owner_party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    reported_by: Mapped[int | None] = mapped_column(BigInteger, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_signal_status_created", "status", "created_at"),
        Index("ix_signal_url_key", "url_key"),
        Index("ix_signal_source_created", "source_id", "created_at"),
    )


class VerificationRequest(Base):
    """A party asked to verify a signal (IHR Art. 10): acknowledge, then answer, each
    within its period from the request."""

    __tablename__ = "verification_request"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signal.id", ondelete="CASCADE"))
    requester_party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    requested_party: Mapped[str] = mapped_column(ForeignKey("party.code"))
    requested_by: Mapped[int] = mapped_column(BigInteger)
    question: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledge_by: Mapped[datetime] = mapped_column()
    respond_by: Mapped[datetime] = mapped_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by: Mapped[int | None] = mapped_column(BigInteger, default=None)
    responded_at: Mapped[datetime | None] = mapped_column(default=None)
    responded_by: Mapped[int | None] = mapped_column(BigInteger, default=None)
    #: "", confirmed, not_confirmed, under_investigation
    response_status: Mapped[str] = mapped_column(String(24), default="")
    response_text: Mapped[str] = mapped_column(Text, default="")
    #: 1 once reminded that the acknowledgement is late, 2 once the answer is late.
    reminder_stage: Mapped[int] = mapped_column(Integer, default=0)
    exercise: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_verification_request_signal", "signal_id"),
        Index("ix_verification_request_requested", "requested_party", "created_at"),
    )
