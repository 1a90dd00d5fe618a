"""Settings, read from ``EOCNET_*`` environment variables.

Every setting is declared here once, with its default and a help text; the
help text is what ``docs/configuration.md`` documents (a test checks that
every setting appears there). Unsafe values refuse to start in production.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "development-only"})


class UnsafeSettings(RuntimeError):
    """Raised when the settings are not fit for production."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EOCNET_", extra="ignore")

    env: Literal["development", "production"] = Field(
        "development",
        description="`development` or `production`. Production refuses a missing or "
        "placeholder secret key and a base URL that is not HTTPS.",
    )
    database_url: str = Field(
        "sqlite:///var/eocnet.db",
        description="Where the data lives: `sqlite:///PATH` (embedded, WAL mode) or "
        "`postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE` (production).",
    )
    secret_key: str = Field(
        "",
        description="Secret for signing cookies and CSRF tokens and for encrypting TOTP "
        "secrets. At least 32 characters in production. In development, when unset, a "
        "random key is generated once and kept in `var/dev-secret-key`.",
    )
    base_url: str = Field(
        "http://127.0.0.1:8000",
        description="The address users reach eocnet at; used in links, e-mails and "
        "feeds. Must be `https://` in production.",
    )
    session_hours: float = Field(
        12.0, description="How long a web login lasts, in hours, before a new login is needed."
    )
    max_body_bytes: int = Field(
        1_048_576,
        description="Largest request body the JSON API accepts, in bytes; larger "
        "bodies get a 413 problem response.",
    )
    login_max_failures: int = Field(
        5,
        description="Failed logins allowed per account before that account is locked "
        "out; each further failure doubles the lock-out.",
    )
    login_address_max_failures: int = Field(
        50,
        description="Failed logins allowed from one client address, whatever the "
        "accounts, before the address is locked out too; even then an account with no "
        "failures of its own still logs in from it (a NAT or a ministry proxy).",
    )
    trusted_proxies: str = Field(
        "",
        description="Addresses or networks (CIDR) of the reverse proxies whose "
        "`X-Forwarded-For` and `X-Forwarded-Proto` are trusted, separated by spaces or "
        "commas; empty trusts no forwarded header (the client address is the peer's).",
    )
    login_lockout_seconds: int = Field(
        60, description="The first lock-out after too many failed logins, in seconds."
    )
    login_lockout_max_seconds: int = Field(
        3600, description="The longest lock-out after failed logins, in seconds."
    )
    sqlite_synchronous: Literal["FULL", "NORMAL"] = Field(
        "FULL",
        description="SQLite `synchronous` pragma. FULL (default) keeps every answered "
        "write through a power loss; NORMAL is faster but may lose the last commits.",
    )
    default_language: str = Field(
        "en", description="Language (BCP 47 tag) for visitors who have not chosen one."
    )
    log_level: str = Field("INFO", description="Logging level: DEBUG, INFO, WARNING, ERROR.")
    alert_reannounce_minutes: int = Field(
        60,
        description="Minutes after which an alert not yet acknowledged by an addressed "
        "party is announced again to that party.",
    )
    alert_escalate_minutes: int = Field(
        240,
        description="Minutes after which an alert still not acknowledged is escalated to "
        "the party's focal points.",
    )
    attachment_max_bytes: int = Field(
        10_485_760,
        description="Largest attachment accepted on an event update, and largest file kept "
        "with a meeting or an agreement, in bytes (PDF, PNG, JPEG, GIF, WebP, CSV or plain "
        "text; the type is checked from the content).",
    )
    stream_heartbeat_seconds: int = Field(
        15,
        description="Seconds between heartbeat comments on an idle live stream, so that "
        "proxies do not close it.",
    )

    smtp_host: str = Field(
        "",
        description="SMTP server for e-mail notifications; empty (default) turns e-mail off "
        "(notifications still appear in the application).",
    )
    smtp_port: int = Field(587, description="SMTP port.")
    smtp_username: str = Field("", description="SMTP user name, if the server needs a login.")
    smtp_password: str = Field("", description="SMTP password (never logged).")
    smtp_starttls: bool = Field(True, description="Use STARTTLS on the SMTP connection.")
    smtp_from: str = Field(
        "eocnet <no-reply@eocnet.example>", description="Sender of notification e-mails."
    )
    jobs_in_server: bool = Field(
        True,
        description="Run the scheduled jobs (alert reminders, e-mail, webhooks) inside the "
        "server process. With several server processes, set false on all but one, or run "
        "`eocnet jobs run` on its own.",
    )
    report_reminder_before_hours: int = Field(
        24,
        ge=0,
        le=168,
        description="Hours before a surveillance report is due at which the reporting "
        "party's officers are reminded, if it has not arrived (0: no reminder before).",
    )
    report_reminder_after_hours: int = Field(
        2,
        ge=0,
        le=168,
        description="Hours after the due time at which the officers are reminded that "
        "the report is late.",
    )
    jobs_interval_seconds: float = Field(
        5.0, description="Seconds between two runs of the scheduled jobs."
    )
    webhook_allow_private: bool = Field(
        False,
        description="Allow webhooks to loopback and private network addresses (for tests "
        "and closed networks). Off by default so a webhook cannot reach internal services.",
    )
    webhook_timeout_seconds: float = Field(10.0, description="Timeout of one webhook delivery.")
    webhook_max_attempts: int = Field(
        8,
        description="Attempts before a webhook delivery is marked failed; waits double from "
        "30 s between attempts.",
    )

    push_allow_private: bool = Field(
        False,
        description="Allow Web Push subscriptions whose endpoint is at a loopback or "
        "private network address (for tests and closed networks), as "
        "EOCNET_WEBHOOK_ALLOW_PRIVATE does for webhooks.",
    )
    push_interval_seconds: float = Field(
        1.0,
        gt=0,
        description="Seconds between two looks for push messages to send; a commit in "
        "the same process wakes the sender at once.",
    )
    push_timeout_seconds: float = Field(10.0, description="Timeout of one push request.")
    push_max_attempts: int = Field(
        5,
        description="Attempts before a push message is marked failed; waits double from "
        "10 s between attempts. A 404 or 410 from the push service removes the "
        "subscription at once.",
    )
    push_ttl_seconds: int = Field(
        86_400,
        description="How long a push service keeps a message for a device that is "
        "offline (the TTL header), in seconds.",
    )
    push_contact: str = Field(
        "",
        description="The VAPID `sub` claim, a `mailto:` or `https:` address push "
        "services may contact about this server; empty means the base URL if https, "
        "else mailto:eocnet@ and its host.",
    )

    master_key: str = Field(
        "",
        description="Master key that wraps the data keys of personal data (tracing "
        "notices): 32 random bytes, base64 (`eocnet keys new`). Required in production "
        "(here or in EOCNET_MASTER_KEY_FILE). In development, when unset, one is made "
        "once and kept in `var/dev-master-key`.",
    )
    master_key_file: str = Field(
        "", description="A file holding the master key instead of EOCNET_MASTER_KEY."
    )
    stream_retention_days: int = Field(
        30,
        description="Days the live stream's event log keeps its entries; a client that "
        "comes back with an older id is told to reload instead of catching up.",
    )
    tracing_follow_up_margin_days: int = Field(
        14,
        ge=0,
        le=365,
        description="Days a traced person's personal data is kept after their follow-up "
        "ends (last exposure + the disease's period); then it is deleted, and with the "
        "notice's last person its data key is destroyed. The non-personal summary and "
        "follow-up counts stay.",
    )
    cap_sender: str = Field(
        "",
        description="The <sender> of the CAP messages eocnet issues (no spaces or commas); "
        "empty means eocnet@ and the host of EOCNET_BASE_URL.",
    )
    cap_feeds: str = Field(
        "",
        description="CAP sources to import as draft advisories, separated by spaces: URLs "
        "of CAP messages or of Atom/RSS feeds that link to them.",
    )
    cap_feeds_party: str = Field(
        "",
        description="The party whose drafts imported feed messages become (ISO3 or "
        "organisation code); empty means the coordinator.",
    )
    cap_feeds_interval_minutes: int = Field(
        10, description="Minutes between two reads of the CAP feeds."
    )

    signal_poll_seconds: int = Field(
        900,
        ge=10,
        description="Seconds between two polls of each signal source (RSS, Atom or JSON "
        "feed); a failing source waits twice as long after each error, at most a day.",
    )
    signal_allow_private: bool = Field(
        False,
        description="Allow signal sources at loopback and private network addresses (for "
        "tests and closed networks), as EOCNET_WEBHOOK_ALLOW_PRIVATE does for webhooks.",
    )
    signal_acknowledge_hours: float = Field(
        24.0,
        gt=0,
        description="Hours a party asked to verify a signal has to acknowledge the request "
        "(IHR Art. 10(2): 24).",
    )
    signal_respond_hours: float = Field(
        24.0,
        gt=0,
        description="Hours, from the request, a party asked to verify a signal has to answer "
        "with the information it has (IHR Art. 10(2): 24).",
    )

    connectivity_check_days: int = Field(
        30,
        description="Days between two focal-point connectivity checks started by the jobs; "
        "0 turns the schedule off (the coordinator can still start one).",
    )

    def cap_sender_id(self) -> str:
        if self.cap_sender:
            return self.cap_sender
        host = urlsplit(self.base_url).hostname or "localhost"
        return f"eocnet@{host}"

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        path = self.database_url.split("///", 1)[1] if "///" in self.database_url else ""
        return Path(path) if path and path != ":memory:" else None

    def check_safe(self) -> None:
        """Refuse to run production with settings that would expose users."""
        if not self.is_production:
            return
        problems = []
        if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 32:
            problems.append("EOCNET_SECRET_KEY is missing, a placeholder, or shorter than 32")
        if not self.base_url.startswith("https://"):
            problems.append("EOCNET_BASE_URL must start with https:// in production")
        if not (self.master_key or self.master_key_file):
            problems.append("EOCNET_MASTER_KEY or EOCNET_MASTER_KEY_FILE is required")
        if problems:
            raise UnsafeSettings("; ".join(problems))

    def proxies(self) -> list[str]:
        """The trusted proxies of ``trusted_proxies``, one per item."""
        return [p for p in re.split(r"[\s,]+", self.trusted_proxies) if p]

    def effective_secret(self) -> str:
        return self.secret_key or _development_secret()


DEV_SECRET_FILE = Path("var/dev-secret-key")
DEV_MASTER_KEY_FILE = Path("var/dev-master-key")


def _development_key(path: Path, make: Callable[[], str]) -> str:
    """A development-only key, made once and kept on disk (readable by its owner only)
    so that restarts keep logins, second factors and encrypted data working."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(make())
    return path.read_text().strip()


@lru_cache(maxsize=1)
def _development_secret() -> str:
    return _development_key(DEV_SECRET_FILE, lambda: secrets.token_urlsafe(48))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def master_key_text(settings: Settings) -> str:
    """The master key (base64), from the setting, the key file, or the development file."""
    if settings.master_key:
        return settings.master_key
    if settings.master_key_file:
        return Path(settings.master_key_file).read_text().strip()
    if settings.is_production:
        raise UnsafeSettings("EOCNET_MASTER_KEY or EOCNET_MASTER_KEY_FILE is required")
    return _development_key(DEV_MASTER_KEY_FILE, lambda: base64.b64encode(os.urandom(32)).decode())
