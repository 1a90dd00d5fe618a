"""The command line: ``eocnet --help`` lists everything an operator can do."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session
from typer._click.exceptions import ClickException

from eocnet import __version__
from eocnet.actions import audit, demo, directory, tokens, users
from eocnet.actions.errors import ActionError
from eocnet.config import Settings, UnsafeSettings, get_settings
from eocnet.db import migrate
from eocnet.db.database import Database
from eocnet.db.models import User
from eocnet.domain.actors import Actor

if TYPE_CHECKING:
    from eocnet.actions.reports import DraftFields

app = typer.Typer(
    help="eocnet: the secure, real-time exchange of a regional network of public-health "
    "Emergency Operations Centres. Settings come from EOCNET_* environment variables "
    "(see docs/configuration.md).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _group(help_text: str) -> typer.Typer:
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)


db_app = _group("Create and migrate the database.")
demo_app = _group("The demo network for trying eocnet out.")
user_app = _group("Manage user accounts.")
token_app = _group("Personal API tokens.")
audit_app = _group("The tamper-evident audit trail.")
directory_app = _group("Parties of the network and their EOCs.")
jobs_app = _group("Scheduled work: alert reminders, e-mail, webhooks, retention.")
keys_app = _group("The master key that protects personal data.")
surveillance_app = _group("Weekly surveillance reports.")
risk_app = _group("Risk of international spread by air (OpenFlights routes or your own volumes).")
analyze_app = _group(
    "Signal detection and the reproduction number on CSV files, with the same numbers "
    "as R's surveillance and EpiEstim packages. No database needed."
)
cap_app = _group(
    "CAP 1.2 alert messages: check them against the OASIS standard and its schema, "
    "and import them as draft advisories."
)
report_app = _group(
    "Situation reports from live data: an event's report or the weekly regional report, "
    "as PDF or HTML."
)
for sub, name in [
    (db_app, "db"),
    (demo_app, "demo"),
    (user_app, "user"),
    (token_app, "token"),
    (audit_app, "audit"),
    (directory_app, "directory"),
    (jobs_app, "jobs"),
    (keys_app, "keys"),
    (surveillance_app, "surveillance"),
    (risk_app, "risk"),
    (analyze_app, "analyze"),
    (cap_app, "cap"),
    (report_app, "report"),
]:
    app.add_typer(sub, name=name)


class CliError(Exception):
    """A failure to report as one line on stderr with exit status 1."""


def fail(message: str) -> NoReturn:
    raise CliError(message)


@contextmanager
def database() -> Iterator[tuple[Settings, Database]]:
    settings = get_settings()
    db = Database(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        yield settings, db
    finally:
        db.dispose()


def _find_user(session: Session, email: str) -> User:
    user = users.find_by_email(session, email)
    if user is None:
        fail(f"no user with e-mail {email}")
    return user


# ---------------------------------------------------------------- serve, version


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes, each with its own socket on the port; about one per "
            "CPU core. With SQLite their writes take turns on the database file.",
        ),
    ] = 1,
) -> None:
    """Serve the web pages and the API."""
    from eocnet import workers as server_processes

    settings = get_settings()
    try:
        settings.check_safe()
    except UnsafeSettings as exc:
        fail(f"refusing to start: {exc}")
    with database() as (_, db):
        try:
            current = migrate.is_current(db.engine)
        except OperationalError as exc:
            fail(f"cannot reach the database: {exc.orig}")
        if not current:
            fail("the database is not migrated; run 'eocnet db upgrade' first")
        with db.read() as session:
            has_demo = users.find_by_email(session, demo.MAIN_DEMO_USER) is not None
    url = f"http://{host}:{port}"
    typer.echo(f"eocnet {__version__} serving at {url}  (API reference: {url}/api/v1/docs)")
    if has_demo:
        typer.echo(f"demo login: {demo.MAIN_DEMO_USER}  (password: 'eocnet demo credentials')")
    status = server_processes.serve(
        # forwarded headers are trusted by the app, from EOCNET_TRUSTED_PROXIES only
        host,
        port,
        workers,
        log_level=settings.log_level.lower(),
        proxy_headers=False,
    )
    if status:
        raise typer.Exit(status)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


# ---------------------------------------------------------------- db


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database or bring it to the latest schema."""
    settings = get_settings()
    try:
        migrate.upgrade(settings.database_url)
    except OperationalError as exc:
        fail(f"cannot migrate the database: {exc.orig}")
    typer.echo(f"database at schema {migrate.head_revision()}")


@db_app.command("current")
def db_current() -> None:
    """Show the schema revision of the database and whether it is the latest."""
    with database() as (_, db):
        current = migrate.current_revision(db.engine)
    head = migrate.head_revision()
    typer.echo(f"{current or 'empty'} ({'latest' if current == head else 'latest is ' + head})")


# ---------------------------------------------------------------- demo


@demo_app.command("load")
def demo_load() -> None:
    """Load the demo network into an empty database and print the demo login."""
    with database() as (_, db):
        password = db.run_sync(demo.load_demo)
    if password is None:
        typer.echo(
            "the database already has users; demo not loaded. "
            "Run 'eocnet demo credentials' for the demo login."
        )
        return
    typer.echo("demo network loaded")
    typer.echo(f"demo login: {demo.MAIN_DEMO_USER}")
    typer.echo(f"password:   {password}")
    typer.echo("(the same password works for every demo user: 'eocnet user list')")


@demo_app.command("credentials")
def demo_credentials() -> None:
    """Print the demo login again, while its password is unchanged."""
    with database() as (_, db), db.read() as session:
        found = demo.demo_credentials(session)
    if found is None:
        fail("no demo credentials: the demo is not loaded or its password was changed")
    typer.echo(f"demo login: {found[0]}")
    typer.echo(f"password:   {found[1]}")


# ---------------------------------------------------------------- directory


@directory_app.command("load")
def directory_load(
    file: Annotated[Path, typer.Argument(help="A network file (YAML), see docs/directory.md.")],
) -> None:
    """Load or update the parties from a network file."""
    with database() as (_, db):
        spec = directory.read_network_file(file)
        counts = db.run_sync(directory.load_network, None, spec)
    typer.echo(
        f"{spec.name} {spec.version}: {counts['created']} created, "
        f"{counts['updated']} updated, {counts['deactivated']} deactivated"
    )


# ---------------------------------------------------------------- users


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Argument(help="The user's e-mail, used to log in.")],
    party: Annotated[str, typer.Option(help="The party code, e.g. IDN.")],
    role: Annotated[
        list[str],
        typer.Option(
            help="Role: officer, focal_point, coordinator, partner or admin; repeat for several."
        ),
    ],
    name: Annotated[str, typer.Option(help="Full name.")] = "",
    phone: Annotated[str, typer.Option(help="Phone, shown to focal-point contacts.")] = "",
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from standard input (no prompt)."),
    ] = False,
) -> None:
    """Create a user. Without --password-stdin the password is asked for twice."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)

    def create(session: Session) -> str:
        user = users.create_user(
            session,
            None,
            email=email,
            party_code=party,
            roles=role,
            password=password,
            name=name,
            phone=phone,
        )
        return f"created user {user.id} {user.email} ({user.party_code}: {', '.join(user.roles)})"

    with database() as (_, db):
        typer.echo(db.run_sync(create))


@user_app.command("list")
def user_list(
    party: Annotated[str | None, typer.Option(help="Only this party's users.")] = None,
) -> None:
    """List users: e-mail, party, roles, and whether active and with a second factor."""
    with database() as (_, db), db.read() as session:
        query = select(User).order_by(User.party_code, User.email)
        if party:
            query = query.where(User.party_code == party.upper())
        for u in session.execute(query).scalars():
            flags = ("active" if u.is_active else "disabled") + (
                ", 2fa" if u.totp_enabled_at else ""
            )
            typer.echo(f"{u.email}\t{u.party_code}\t{','.join(u.roles)}\t{flags}")


def _set_active(email: str, active: bool) -> None:
    with database() as (_, db):
        db.run_sync(
            lambda session: users.set_active(session, None, _find_user(session, email), active)
        )
    typer.echo(f"{email} {'enabled' if active else 'disabled'}")


@user_app.command("disable")
def user_disable(email: str) -> None:
    """Disable a user: their sessions end and their tokens stop working."""
    _set_active(email, False)


@user_app.command("enable")
def user_enable(email: str) -> None:
    """Enable a disabled user again."""
    _set_active(email, True)


@user_app.command("reset-2fa")
def user_reset_2fa(email: str) -> None:
    """Remove a user's second factor (lost phone); they set up a new one at next login."""
    with database() as (_, db):
        db.run_sync(
            lambda session: users.reset_second_factor(session, None, _find_user(session, email))
        )
    typer.echo(f"second factor of {email} removed; they will set up a new one at next login")


# ---------------------------------------------------------------- tokens


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="Whose token it is.")],
    scope: Annotated[str, typer.Option(help="read or write.")] = "read",
    name: Annotated[str, typer.Option(help="A label to recognise it by.")] = "",
) -> None:
    """Create an API token and print only the token (it is not shown again)."""

    def create(session: Session) -> str:
        _, raw = tokens.create_token(
            session, None, _find_user(session, email), scope=scope, name=name or "cli"
        )
        return raw

    with database() as (_, db):
        raw = db.run_sync(create)
    typer.echo(raw)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="The token's id.")]) -> None:
    """Revoke an API token by id (see 'eocnet token list')."""
    with database() as (_, db):
        db.run_sync(tokens.revoke_token, None, token_id)
    typer.echo(f"token {token_id} revoked")


@token_app.command("list")
def token_list(email: str) -> None:
    """List a user's tokens: id, prefix, scope, state."""
    from eocnet.db.models import ApiToken

    with database() as (_, db), db.read() as session:
        user = _find_user(session, email)
        for t in session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
        ).scalars():
            state = "revoked" if t.revoked_at else "active"
            typer.echo(f"{t.id}\t{t.prefix}…\t{t.scope}\t{state}\t{t.name}")


# ---------------------------------------------------------------- audit


@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            help="A checkpoint saved by 'eocnet audit checkpoint': the trail must still "
            "hold its entries and head, which detects a trail cut short or rehashed.",
        ),
    ] = None,
) -> None:
    """Check the audit trail's hash chain; name the first broken entry."""
    saved = None
    if checkpoint is not None:
        try:
            saved = json.loads(checkpoint.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            fail(f"cannot read the checkpoint {checkpoint}: {exc}")
        if not isinstance(saved, dict):
            fail(f"{checkpoint} is not an audit checkpoint")
    with database() as (_, db), db.read() as session:
        report = audit.verify_chain(session)
        problem = (
            audit.check_checkpoint(session, get_settings().secret_key, saved) if saved else None
        )
    if not report.intact:
        fail(f"audit chain broken at entry {report.broken_id}: {report.reason}")
    if problem:
        fail(f"audit trail does not match the checkpoint: {problem}")
    suffix = f", extending the checkpoint of {saved['at']}" if saved else ""
    typer.echo(f"audit chain intact: {report.checked} entries{suffix}")


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Print a signed checkpoint of the trail's head (entries, newest id and hash) as
    JSON. Run it daily and keep the output where this host cannot rewrite it (the
    coordinator, another node, an e-mail address, a file the operator keeps)."""
    with database() as (_, db), db.read() as session:
        saved = audit.checkpoint(session, get_settings().secret_key)
    typer.echo(json.dumps(saved, indent=2))


@jobs_app.command("run")
def jobs_run(
    once: Annotated[bool, typer.Option("--once", help="One round, then exit.")] = False,
) -> None:
    """Run the scheduled jobs in this process (when servers run with
    EOCNET_JOBS_IN_SERVER=false)."""
    import time

    from eocnet.jobs import runner

    with database() as (settings, db):
        while True:
            done = runner.run_once(db, settings)
            typer.echo(" ".join(f"{k}={v}" for k, v in done.items()))
            if once:
                return
            time.sleep(settings.jobs_interval_seconds)


@jobs_app.command("purge")
def jobs_purge(
    now: Annotated[
        str | None,
        typer.Option(help="Count the retention period from this time (ISO 8601) instead of now."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list what would be deleted.")
    ] = False,
) -> None:
    """Delete the personal data of tracing notices past their retention period."""
    from datetime import UTC, datetime

    from eocnet.actions import tracing

    when = datetime.now(UTC)
    if now:
        try:
            when = datetime.fromisoformat(now)
        except ValueError:
            fail(f"--now must be an ISO 8601 date-time, not {now!r}")
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    with database() as (_, db):
        ids = db.run_sync(tracing.purge, when, dry_run=dry_run)
        if ids and not dry_run:
            db.checkpoint_wal()  # the deleted keys and ciphertexts leave the files now
    verb = "would delete" if dry_run else "deleted"
    typer.echo(
        f"{verb} the personal data of {len(ids)} notice(s)"
        + (f": {', '.join(str(i) for i in ids)}" if ids else "")
    )


@keys_app.command("new")
def keys_new() -> None:
    """Print a new random master key (base64 of 32 bytes) for EOCNET_MASTER_KEY."""
    from eocnet.vault.envelope import new_master_key

    typer.echo(new_master_key())


@keys_app.command("rotate")
def keys_rotate(
    old_key_file: Annotated[
        Path,
        typer.Option(
            help="File holding the previous master key; the current one (EOCNET_MASTER_KEY "
            "or EOCNET_MASTER_KEY_FILE) becomes the key of every notice."
        ),
    ],
) -> None:
    """Re-wrap the data key of every notice under the current master key. Set the new
    key in the configuration first, run this with the old one, then discard the old."""
    from eocnet.actions import tracing
    from eocnet.config import master_key_text
    from eocnet.vault.envelope import MasterKey, VaultError

    try:
        old = MasterKey.from_base64(old_key_file.read_text())
    except OSError as exc:
        fail(f"cannot read {old_key_file}: {exc.strerror}")
    except VaultError as exc:
        fail(f"{old_key_file}: {exc}")
    with database() as (settings, db):
        try:
            new = MasterKey.from_base64(master_key_text(settings))
        except VaultError as exc:
            fail(f"the current master key: {exc}")
        try:
            changed = db.run_sync(tracing.rotate_master_key, old, new)
        except VaultError as exc:
            fail(f"the old key does not open the notices' data keys: {exc}")
    typer.echo(f"re-wrapped the data keys of {changed} notice(s) under key {new.key_id}")


# ---------------------------------------------------------------- surveillance


@surveillance_app.command("import")
def surveillance_import(
    input_file: Annotated[
        str, typer.Argument(metavar="FILE.csv", help="Report rows (CSV); - for stdin.")
    ],
    user: Annotated[str, typer.Option(help="E-mail of the officer submitting for their party.")],
    drop_invalid: Annotated[
        bool, typer.Option(help="Save the valid rows and leave out the invalid ones.")
    ] = False,
) -> None:
    """Submit a party's aggregate reports from a CSV file (any size).

    Columns as for uploads: disease, period, and any of area, age_group, sex
    and the six counts. Nothing is saved while a row is invalid, unless
    --drop-invalid; the first invalid rows are listed. Signal detection runs
    on the series that changed.
    """
    from eocnet.actions import surveillance
    from eocnet.interop.report_files import iter_report_csv
    from eocnet.interop.tables import TableError

    text = _read_input(input_file)

    def save(
        session: Session, settings: Settings
    ) -> tuple[Actor, surveillance.RowCheck, surveillance.Submission | None]:
        """The rows checked, and saved unless some are invalid (without --drop-invalid)."""
        actor = users.actor_for(_find_user(session, user))
        surveillance.require_reporter(actor)
        diseases = {d.code: d for d in surveillance.list_diseases(session)}
        try:
            check = surveillance.check_rows(diseases, actor.party_code, iter_report_csv(text))
        except TableError as exc:
            fail(f"{input_file}: {exc}")
        if check.errors and not drop_invalid:
            return actor, check, None
        if not check.rows:
            fail("no valid row to save")
        return actor, check, surveillance.submit(session, actor, settings, check.rows, source="cli")

    with database() as (settings, db):
        actor, check, saved = db.run_sync(save, settings)
    if saved is None:
        for e in check.errors[:10]:
            typer.echo(f"row {e['row']}: {e['field']}: {e['detail']}", err=True)
        fail(f"{len(check.errors)} of {check.total} rows are invalid; nothing was saved")
    typer.echo(
        f"saved {saved.saved} rows for {actor.party_code} (replaced {saved.replaced}; "
        f"{len(check.errors)} invalid left out; signals: "
        f"{', '.join(f'event {e}' for e in saved.signals) or 'none'})"
    )


# ---------------------------------------------------------------- risk


@risk_app.command("importation")
def risk_importation(
    origin: Annotated[str, typer.Option(help="Origin airport(s), IATA codes separated by commas.")],
    origin_weights: Annotated[
        str | None,
        typer.Option(help="One weight per origin (e.g. its cases) for the shares, by commas."),
    ] = None,
    volumes: Annotated[
        str | None,
        typer.Option(
            help="CSV origin,destination,passengers (per month, final "
            "destinations); replaces the OpenFlights weights."
        ),
    ] = None,
    origin_prevalence: Annotated[
        str | None,
        typer.Option(
            help="Prevalence at each origin, one per --origin, separated by commas: the "
            "share of its population infectious while travelling this month (e.g. daily "
            "new infections x infectious days / population), NOT cumulative reported cases "
            "/ population. Needs --volumes."
        ),
    ] = None,
    prevalence: Annotated[
        float | None,
        typer.Option(help="The same for a single origin (0-1)."),
    ] = None,
    cases: Annotated[
        int | None,
        typer.Option(
            help="A single origin: people infectious there now, not cumulative reported "
            "cases (with --population)."
        ),
    ] = None,
    population: Annotated[int | None, typer.Option(help="Population at the origin.")] = None,
    by: Annotated[str, typer.Option(help="airport or country (ISO alpha-3).")] = "airport",
    output: Annotated[str, typer.Option("-o", "--output", help="Output CSV; - for stdout.")] = "-",
) -> None:
    """Rank destinations by the risk that infected travellers reach them.

    Columns: destination,share,expected_importations,probability_at_least_one,
    effective_distance,rank. The share (rank 1 = highest; the origins' own
    airports, or country, left out): without --volumes, of the origins' direct
    airline routes (OpenFlights, June 2014, weighted by the number of airlines:
    no passenger counts); with --volumes, of their passengers. With --volumes
    and a prevalence p_i per origin: expected_importations = sum_i p_i x V_ij
    infected travellers in a month, probability_at_least_one = 1 - exp(-expected);
    the origins then count in the shares by their expected infected travellers
    unless --origin-weights is given. The effective distance is Brockmann &
    Helbing's (2013).
    """
    from eocnet.analytics.importation import importation_risk
    from eocnet.interop import openflights
    from eocnet.interop.importation_files import write_importation

    if by not in ("airport", "country"):
        fail(f"--by must be airport or country, not {by!r}")
    single = prevalence is not None or cases is not None or population is not None
    if single and origin_prevalence is not None:
        fail("give either --origin-prevalence or --prevalence (or --cases and --population)")
    if prevalence is not None and (cases is not None or population is not None):
        fail("give either --prevalence or --cases and --population")
    if (cases is None) != (population is None):
        fail("--cases and --population go together")
    if cases is not None and population is not None:
        if cases < 0 or population <= 0 or cases > population:
            fail("--cases must lie between 0 and --population, which must be positive")
        prevalence = cases / population
    if prevalence is not None and not 0 <= prevalence <= 1:
        fail(f"--prevalence must lie between 0 and 1, not {prevalence}")
    prevalences: list[float] | None = None if prevalence is None else [prevalence]
    if origin_prevalence is not None:
        try:
            prevalences = [float(p) for p in origin_prevalence.split(",")]
        except ValueError:
            fail(f"--origin-prevalence must be numbers separated by commas: {origin_prevalence!r}")
        bad = [p for p in prevalences or [] if not 0 <= p <= 1]
        if bad:
            fail(f"--origin-prevalence values must lie between 0 and 1, not {bad[0]:g}")
    airports = openflights.default_airports()
    try:
        origins = openflights.parse_codes(origin, airports)
        if prevalences is not None and len(prevalences) != len(origins):
            if origin_prevalence is None:
                fail(
                    "--prevalence and --cases/--population are for one origin; with "
                    f"{len(origins)} give --origin-prevalence, one value per origin"
                )
            fail(
                f"--origin-prevalence needs one value per origin: {len(origins)} origins, "
                f"{len(prevalences)} values"
            )
        if prevalences is not None and volumes is None:
            fail(
                "a prevalence needs --volumes (passengers per month): the OpenFlights "
                "network counts airlines per direct route, not travellers"
            )
        weights = None
        if origin_weights is not None:
            try:
                weights = [float(w) for w in origin_weights.split(",")]
            except ValueError:
                fail(f"--origin-weights must be numbers separated by commas: {origin_weights!r}")
        network = openflights.network_for(None if volumes is None else _read_input(volumes))
        table = importation_risk(
            network,
            origins,
            origin_weights=weights,
            prevalence=prevalences,
            absolute=volumes is not None,
            by=by,  # type: ignore[arg-type]
        )
    except (openflights.AirDataError, ValueError) as exc:
        fail(str(exc))
    _write_output(output, write_importation(table))
    if volumes is None:
        typer.echo(openflights.ATTRIBUTION, err=True)
        if network.skipped:
            typer.echo(
                f"warning: {network.skipped} OpenFlights route rows name airports without a "
                "known IATA code and were left out",
                err=True,
            )


# ---------------------------------------------------------------- analyze


def _read_input(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}")
    return ""


def _write_output(path: str, text: str) -> None:
    if path == "-":
        sys.stdout.write(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror}")


@analyze_app.command("aberration")
def analyze_aberration(
    input_file: Annotated[
        str, typer.Argument(metavar="INPUT.csv", help="Columns series,period,count; - for stdin.")
    ],
    method: Annotated[
        str,
        typer.Option(help="ears-c1, ears-c2, ears-c3 or farrington-flexible."),
    ] = "farrington-flexible",
    output: Annotated[str, typer.Option("-o", "--output", help="Output CSV; - for stdout.")] = "-",
    b: Annotated[int | None, typer.Option("--b", help="Farrington: years back (R: 5).")] = None,
    w: Annotated[
        int | None, typer.Option("--w", help="Farrington: half-window in weeks (R: 3).")
    ] = None,
    alpha: Annotated[
        float | None,
        typer.Option(
            help="Significance level (R: 0.001 for EARS C1 and C2, 0.025 for C3, "
            "0.05 for Farrington)."
        ),
    ] = None,
    no_periods: Annotated[
        int | None,
        typer.Option(help="Farrington: blocks per year for the seasonal factor (R: 1)."),
    ] = None,
    past_weeks_not_included: Annotated[
        int | None,
        typer.Option(help="Farrington: recent weeks left out of the fit (R: w)."),
    ] = None,
    threshold_method: Annotated[
        str | None,
        typer.Option(help="Farrington: delta, nbPlugin or muan (R: delta)."),
    ] = None,
    baseline: Annotated[
        int | None, typer.Option(help="EARS: periods in the baseline (R: 7).")
    ] = None,
    min_sigma: Annotated[
        float | None, typer.Option(help="EARS: smallest standard deviation used (R: 0).")
    ] = None,
) -> None:
    """Flag unusual counts in weekly series, as R's earsC or farringtonFlexible.

    INPUT has columns series,period,count: one or more series, period the ISO
    date of the week's first day, rows in any order, gaps allowed. The output
    has columns series,period,count,expected,threshold,alarm, one row per
    input row; threshold and alarm are empty where the method has too little
    history. Options left out take R's defaults.
    """
    from eocnet.analytics.aberration import AberrationMethod
    from eocnet.interop.series_files import SeriesFileError, read_weekly_series, write_detections

    if threshold_method is not None and threshold_method not in ("delta", "nbPlugin", "muan"):
        fail(f"--threshold-method must be delta, nbPlugin or muan, not {threshold_method!r}")
    try:
        chosen = AberrationMethod(
            name=method,  # type: ignore[arg-type]
            b=b,
            w=w,
            alpha=alpha,
            no_periods=no_periods,
            past_weeks_not_included=past_weeks_not_included,
            threshold_method=threshold_method,  # type: ignore[arg-type]
            baseline=baseline,
            min_sigma=min_sigma,
        )
    except ValueError as exc:
        fail(str(exc))
    try:
        data = read_weekly_series(_read_input(input_file))
    except SeriesFileError as exc:
        fail(f"{input_file}: {exc}")
    names = list(data.series)
    results = chosen.detect_many([(data.series[n].dates, data.series[n].counts) for n in names])
    _write_output(output, write_detections(data, dict(zip(names, results, strict=True))))


@analyze_app.command("rt")
def analyze_rt(
    input_file: Annotated[
        str, typer.Argument(metavar="INPUT.csv", help="Columns date,count (daily); - for stdin.")
    ],
    si_mean: Annotated[
        float | None, typer.Option(help="Mean of the serial interval in days (parametric).")
    ] = None,
    si_sd: Annotated[
        float | None, typer.Option(help="Its standard deviation in days (parametric).")
    ] = None,
    si_distribution: Annotated[
        str | None,
        typer.Option(help="CSV with columns day,p from day 0 (non-parametric)."),
    ] = None,
    output: Annotated[str, typer.Option("-o", "--output", help="Output CSV; - for stdout.")] = "-",
) -> None:
    """Estimate the reproduction number, as R's EpiEstim::estimate_R.

    Cori et al. (2013) over 7-day sliding windows with a gamma prior of mean 5
    and sd 5. Give the serial interval either as --si-mean and --si-sd
    (offset gamma, "parametric_si") or as --si-distribution
    ("non_parametric_si"). Missing days count as 0. The output has columns
    window_start,window_end,mean,std,q025,median,q975; empty where EpiEstim
    gives NA (windows ending before the mean serial interval).
    """
    from eocnet.analytics.rt import estimate_rt, estimate_rt_parametric
    from eocnet.interop.series_files import (
        SeriesFileError,
        read_daily_incidence,
        read_si_distribution,
        write_rt,
    )

    parametric = si_mean is not None or si_sd is not None
    if parametric == (si_distribution is not None):
        fail("give either --si-mean and --si-sd, or --si-distribution")
    if parametric and (si_mean is None or si_sd is None):
        fail("--si-mean and --si-sd go together")
    try:
        incidence = read_daily_incidence(_read_input(input_file))
    except SeriesFileError as exc:
        fail(f"{input_file}: {exc}")
    try:
        if si_distribution is not None:
            try:
                si = read_si_distribution(_read_input(si_distribution))
            except SeriesFileError as exc:
                fail(f"{si_distribution}: {exc}")
            estimate = estimate_rt(incidence.counts, si)
        else:
            assert si_mean is not None and si_sd is not None
            estimate = estimate_rt_parametric(incidence.counts, si_mean, si_sd)
    except ValueError as exc:
        fail(str(exc))
    _write_output(output, write_rt(incidence.first, estimate))


# ---------------------------------------------------------------- CAP 1.2


@cap_app.command("validate")
def cap_validate(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="CAP messages to check.")],
    require_signature: Annotated[
        bool,
        typer.Option(help="Also require a valid XML signature by a trusted certificate."),
    ] = False,
    trust: Annotated[
        list[Path] | None,
        typer.Option(
            metavar="CERT.pem",
            help="A trusted certificate (PEM; repeat for several). A signing certificate "
            "is trusted when it is one of these or was issued by one of them.",
        ),
    ] = None,
) -> None:
    """Check CAP 1.2 messages: the OASIS XML schema, then the standard's rules the
    schema cannot express (identifiers, references of updates and cancellations,
    closed polygons, circles, times).

    Prints one line per problem, "FILE:LINE: [rule] message", and "FILE: valid"
    for each good file. Exits 0 only when every file is valid. Documents with a
    DTD or entity declarations are refused before parsing (XXE)."""
    from eocnet.interop import cap, cap_signature

    trusted = []
    if require_signature:
        if not trust:
            fail("--require-signature needs the trusted certificate(s): --trust CERT.pem")
        try:
            trusted = cap_signature.load_trusted(list(trust or []))
        except (OSError, ValueError) as exc:
            fail(f"cannot read the trusted certificates: {exc}")
    invalid = 0
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            typer.echo(f"{path}: cannot be read: {exc.strerror or exc}")
            invalid += 1
            continue
        root, problems = cap.check(data)
        if not problems and require_signature and root is not None:
            problems = cap_signature.check(data, root, trusted)
        for problem in problems:
            typer.echo(f"{path}:{problem.line}: [{problem.rule}] {problem.message}")
        if problems:
            invalid += 1
        else:
            typer.echo(
                f"{path}: valid"
                + (" and signed by a trusted certificate" if require_signature else "")
            )
    if invalid:
        typer.echo(f"{invalid} of {len(files)} file(s) invalid", err=True)
        raise typer.Exit(1)


def _import_cap(session: Session, email: str, data: bytes) -> int:
    """The id of the draft advisory made of a CAP message."""
    from eocnet.actions import advisories

    actor = users.actor_for(_find_user(session, email))
    return advisories.import_cap(session, actor, data).id


@cap_app.command("import")
def cap_import(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="CAP messages.")],
    user: Annotated[str, typer.Option(help="E-mail of the officer whose party drafts them.")],
) -> None:
    """Import CAP 1.2 messages as draft advisories (each is validated first).

    Every file is imported in its own transaction: a valid one becomes a draft
    even when another is refused. Exits 1 if any file was refused."""
    from eocnet.actions.errors import ActionError

    refused = 0
    with database() as (_, db):
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                typer.echo(f"{path}: cannot be read: {exc.strerror or exc}", err=True)
                refused += 1
                continue
            try:
                advisory_id = db.run_sync(_import_cap, user, data)
                typer.echo(f"{path}: draft advisory {advisory_id}")
            except ActionError as exc:
                refused += 1
                for problem in exc.errors or [{"detail": exc.detail}]:
                    typer.echo(f"{path}: {problem['detail']}", err=True)
    if refused:
        fail(f"{refused} of {len(files)} file(s) not imported")


# ---------------------------------------------------------------- reports


def _report_user(session: Session, email: str | None) -> User:
    if email:
        return _find_user(session, email)
    from sqlalchemy import select

    from eocnet.db.models import Party

    user = session.scalars(
        select(User)
        .join(Party, Party.code == User.party_code)
        .where(Party.kind == "coordinator", User.is_active.is_(True))
        .order_by(User.id)
    ).first()
    if user is None:
        fail("no coordinator account to write the report as; give --user EMAIL")
    return user


def _write_report(draft: DraftFields, output: Path, issue: bool, user: str | None) -> None:
    from eocnet.actions import reports
    from eocnet.reports import editions

    if output.suffix.lower() not in (".pdf", ".html"):
        fail("the output file ends in .pdf or .html")

    def create(session: Session) -> tuple[Actor, int]:
        actor = users.actor_for(_report_user(session, user))
        return actor, reports.create(session, actor, draft).id

    with database() as (settings, db):
        actor, report_id = db.run_sync(create)
        if issue:
            built = editions.issue_now(db, actor, report_id, settings.base_url)
            html, pdf = built.html or "", built.pdf or b""
            typer.echo(f"issued edition {built.edition} of report {report_id}", err=True)
        else:
            from eocnet.render.documents import html_to_pdf

            with db.read() as session:
                html = editions.render(session, reports.access(session, actor, report_id))
            pdf = html_to_pdf(html) if output.suffix.lower() == ".pdf" else b""
            typer.echo(f"draft report {report_id} (not issued)", err=True)
    try:
        if output.suffix.lower() == ".pdf":
            output.write_bytes(pdf)
        else:
            output.write_text(html, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    typer.echo(str(output))


@report_app.command("sitrep")
def report_sitrep(
    event: Annotated[int, typer.Option(help="The event's number.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="FILE.pdf or FILE.html")],
    lang: Annotated[str, typer.Option(help="en or id")] = "en",
    issue: Annotated[
        bool, typer.Option(help="Issue a numbered edition (kept and distributed).")
    ] = False,
    user: Annotated[
        str | None, typer.Option(help="Write it as this user (default: the coordinator).")
    ] = None,
) -> None:
    """The situation report of an event, from the data as it is now."""
    from eocnet.actions import reports

    _write_report(reports.DraftFields("sitrep", event_id=event, language=lang), output, issue, user)


def _iso_week(value: str) -> str:
    """--week checked on the command line: a bad week is a usage error."""
    from eocnet.domain.weeks import parse_week

    try:
        parse_week(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


@report_app.command("weekly")
def report_weekly(
    week: Annotated[str, typer.Option(help="ISO week, e.g. 2026-W47.", callback=_iso_week)],
    output: Annotated[Path, typer.Option("-o", "--output", help="FILE.pdf or FILE.html")],
    lang: Annotated[str, typer.Option(help="en or id")] = "en",
    issue: Annotated[
        bool, typer.Option(help="Issue a numbered edition (kept and distributed).")
    ] = False,
    user: Annotated[
        str | None, typer.Option(help="Write it as this coordinator (default: the first).")
    ] = None,
) -> None:
    """The weekly regional report of an ISO week."""
    from eocnet.actions import reports

    _write_report(reports.DraftFields("weekly", week=week, language=lang), output, issue, user)


def main() -> None:
    try:
        # without standalone mode, click returns typer.Exit's code instead of exiting
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            raise SystemExit(code)
    except CliError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    except ActionError as exc:
        where = f" ({exc.field})" if exc.field else ""
        typer.echo(f"error: {exc.detail}{where}", err=True)
        raise SystemExit(1) from None
    except (OperationalError, ProgrammingError) as exc:
        typer.echo(
            f"error: database problem ({str(exc.orig).splitlines()[0]}); "
            "is it migrated? run 'eocnet db upgrade'",
            err=True,
        )
        raise SystemExit(1) from None
    except UnsafeSettings as exc:
        typer.echo(f"error: refusing to start: {exc}", err=True)
        raise SystemExit(1) from None
    except typer.Abort:
        typer.echo("aborted", err=True)
        raise SystemExit(1) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except ClickException as exc:
        # A bad command line (unknown command or option, missing argument, bad
        # value): the usage, a one-line reason and exit status 2, no traceback.
        # typer carries its own copy of click, whose exceptions these are.
        exc.show()
        raise SystemExit(exc.exit_code) from None


if __name__ == "__main__":
    main()
