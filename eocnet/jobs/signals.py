"""Polling the signal sources: which are due is claimed through the door
(actions/signals.claim_due), each feed is fetched here, outside any transaction, with a
conditional request (If-None-Match, If-Modified-Since), and the outcome is recorded by
actions/signals.record_poll, which takes in the new items and backs off after errors.

A source's address is checked again before every request, and at every redirect: it
must not reach a loopback or private address unless EOCNET_SIGNAL_ALLOW_PRIVATE is on.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any

from eocnet.actions import signals
from eocnet.actions.errors import Invalid
from eocnet.actions.webhooks import check_outgoing_url
from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.interop import feeds

log = logging.getLogger(__name__)
MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = 20.0
MAX_SOURCES_PER_ROUND = 20
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml, */*;q=0.5"
)


def _check(url: str, settings: Settings) -> None:
    check_outgoing_url(
        url, settings, allow_private=settings.signal_allow_private, field="url",
        what="signal sources",
    )  # fmt: skip


def _opener(settings: Settings) -> urllib.request.OpenerDirector:
    class CheckedRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
            _check(newurl, settings)  # a redirect must not lead where the URL could not
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return urllib.request.build_opener(CheckedRedirect)


def fetch(work: signals.PollWork, settings: Settings) -> signals.PollOutcome:
    """One conditional request for a source's feed, parsed; never raises."""
    headers = {"User-Agent": "eocnet signal reader", "Accept": ACCEPT}
    if work.etag:
        headers["If-None-Match"] = work.etag
    if work.last_modified:
        headers["If-Modified-Since"] = work.last_modified
    try:
        _check(work.url, settings)
        request = urllib.request.Request(work.url, headers=headers)  # noqa: S310 (http(s), checked)
        with _opener(settings).open(request, timeout=TIMEOUT) as response:
            data = bytes(response.read(MAX_BYTES + 1))
            info: Any = response.headers
        if len(data) > MAX_BYTES:
            return signals.PollOutcome("error", error=f"larger than {MAX_BYTES // 2**20} MB")
        feed = feeds.parse(data, info.get("Content-Type", ""))
        return signals.PollOutcome(
            "ok", feed, info.get("ETag", "") or "", info.get("Last-Modified", "") or ""
        )
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return signals.PollOutcome("not_modified", etag=work.etag,
                                       last_modified=work.last_modified)  # fmt: skip
        return signals.PollOutcome("error", error=f"HTTP {exc.code}")
    except Invalid as exc:
        return signals.PollOutcome("error", error=exc.detail)
    except feeds.NotAFeed as exc:
        return signals.PollOutcome("error", error=str(exc))
    except Exception as exc:  # unreachable, reset, timeout, a parser's surprise
        return signals.PollOutcome("error", error=f"{type(exc).__name__}: {exc}"[:500])


def run(db: Database, settings: Settings, now: datetime) -> int:
    """Poll the sources that are due; returns how many new signals they gave."""
    with db.read() as session:  # a read when nothing is due: no turn at the write door
        if not signals.any_due(session, now):
            return 0
    work = db.run_sync(signals.claim_due, now, MAX_SOURCES_PER_ROUND)
    made = 0
    for item in work:
        outcome = fetch(item, settings)
        if outcome.status == "error":
            log.warning("signal source %s (%s): %s", item.source_id, item.url, outcome.error)
        made += db.run_sync(signals.record_poll, settings, item.source_id, now, outcome)
    return made


def remind(db: Database, settings: Settings, now: datetime) -> int:
    """Announce the verification requests that passed a deadline (each once)."""
    with db.read() as session:
        if not signals.any_overdue(session, now):
            return 0
    return db.run_sync(signals.remind_overdue, settings, now)
