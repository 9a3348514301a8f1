"""The operational store's SQLite file: schema, migrations, one transaction per action.

Schema version 2 adds billing operations (disputes, adjustments and their notes, payments, the hash-chained audit
trail; see MIGRATIONS[2]).
Schema version 3 adds legal holds (retention; see MIGRATIONS[3]).

Tables (schema version 1):

* `rate_card_events`: append-only sign-offs (`approved`) and publications (`published`) of rate card versions,
  with who, when (ISO 8601 UTC) and the sha256 of the version's seed content at that moment;
* `published_rate_cards`, `published_rate_card_bundles`: the seed rows of each published version, copied at
  publication (text exactly as in the seed, stripped of surrounding blanks) with the publishing event's id.

Triggers refuse UPDATE and DELETE on all three, and a unique index allows one publication per version: a
published version is immutable in the database itself, not only in this code.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from orchestration.ops.errors import OpsError

# Seconds a writer waits for another writer (two people approving at once) before giving up.
BUSY_TIMEOUT_SECONDS = 10.0

APPEND_ONLY_TABLES = ("rate_card_events", "published_rate_cards", "published_rate_card_bundles")


def _append_only(table: str) -> tuple[str, ...]:
    return tuple(
        f"create trigger {table}_no_{verb} before {verb} on {table} "
        f"begin select raise(abort, '{table} is append-only'); end"
        for verb in ("update", "delete")
    )


# Each version's statements run once, in order, in the transaction of the first action that finds the store older.
# Never edit a released version: add the next one.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """
        create table rate_card_events (
            event_id integer primary key autoincrement,
            rate_card_version text not null,
            action text not null check (action in ('approved', 'published')),
            actor text not null,
            acted_at text not null,
            content_sha256 text not null,
            note text
        )
        """,
        "create index rate_card_events_by_version on rate_card_events (rate_card_version, event_id)",
        """
        create unique index rate_card_events_one_publication
        on rate_card_events (rate_card_version) where action = 'published'
        """,
        """
        create table published_rate_cards (
            rate_card_version text not null,
            fiscal_year text not null,
            valid_from text not null,
            valid_to text not null,
            it_service_id text not null,
            billing_currency text not null,
            rate_type text not null,
            unit text not null,
            unit_rate text not null,
            description text not null,
            published_event_id integer not null references rate_card_events (event_id),
            primary key (rate_card_version, it_service_id, billing_currency)
        )
        """,
        """
        create table published_rate_card_bundles (
            rate_card_version text not null,
            bundle_id text not null,
            bundle_name text not null,
            it_service_id text not null,
            discount_percent text not null,
            published_event_id integer not null references rate_card_events (event_id),
            primary key (rate_card_version, bundle_id, it_service_id)
        )
        """,
        *(statement for table in APPEND_ONLY_TABLES for statement in _append_only(table)),
    ),
}

# Billing operations (issue 6): the audit trail, disputes, adjustments with their decisions and issued notes, and
# imported payments. Every table is append-only: a dispute's lifecycle and an adjustment's approvals are new rows.
OPERATIONS_TABLES = (
    "audit_events",
    "disputes",
    "dispute_events",
    "adjustments",
    "adjustment_decisions",
    "adjustment_notes",
    "adjustment_note_documents",
    "payment_files",
    "payments",
)
MIGRATIONS[2] = (
    """
    create table audit_events (
        event_id integer primary key autoincrement,
        occurred_at text not null,
        actor text not null,
        actor_role text not null,
        action text not null,
        entity_type text not null,
        entity_id text not null,
        before_json text,
        after_json text,
        reason text,
        previous_sha256 text not null,
        event_sha256 text not null unique
    )
    """,
    "create index audit_events_by_entity on audit_events (entity_type, entity_id, event_id)",
    """
    create table disputes (
        dispute_id text primary key,
        opened_at text not null,
        opened_by text not null,
        target_type text not null check (target_type in ('invoice_line', 'chargeback_line')),
        invoice_number text,
        line_number integer,
        billing_period_start text,
        department_id text,
        cost_center_id text,
        service_id text,
        client_id text,
        disputed_amount text,
        currency text,
        description text not null,
        acknowledge_due_at text not null,
        investigate_due_at text not null,
        resolve_due_at text not null,
        check (
            (target_type = 'invoice_line' and invoice_number is not null and line_number is not null)
            or (target_type = 'chargeback_line' and billing_period_start is not null and department_id is not null
                and service_id is not null)
        )
    )
    """,
    """
    create table dispute_events (
        event_id integer primary key autoincrement,
        dispute_id text not null references disputes (dispute_id),
        action text not null check (action in ('acknowledged', 'assigned', 'commented', 'resolved', 'breach_alerted')),
        actor text not null,
        acted_at text not null,
        owner text,
        root_cause text check (root_cause in ('metering_error', 'misclassified_service', 'rate_error',
            'contract_interpretation', 'duplicate_charge', 'other')),
        outcome text check (outcome in ('upheld', 'rejected')),
        comment text
    )
    """,
    "create unique index dispute_events_one_resolution on dispute_events (dispute_id) where action = 'resolved'",
    """
    create unique index dispute_events_one_acknowledgment on dispute_events (dispute_id)
    where action = 'acknowledged'
    """,
    """
    create table adjustments (
        adjustment_id text primary key,
        proposed_at text not null,
        proposed_by text not null,
        kind text not null check (kind in ('credit_note', 'debit_note')),
        dispute_id text references disputes (dispute_id),
        invoice_number text not null,
        line_number integer not null,
        legal_entity_id text not null,
        client_id text not null,
        billing_period_start text not null,
        currency text not null,
        net_amount text not null,
        tax_amount text not null,
        gross_amount text not null,
        description text not null,
        reason text not null,
        required_approvals integer not null check (required_approvals in (1, 2))
    )
    """,
    """
    create table adjustment_decisions (
        decision_id integer primary key autoincrement,
        adjustment_id text not null references adjustments (adjustment_id),
        decision text not null check (decision in ('approved', 'rejected')),
        actor text not null,
        decided_at text not null,
        reason text,
        unique (adjustment_id, actor)
    )
    """,
    """
    create table adjustment_notes (
        document_number text primary key,
        series text not null,
        sequence_number integer not null,
        document_type text not null check (document_type in ('credit_note', 'debit_note')),
        adjustment_id text not null unique references adjustments (adjustment_id),
        legal_entity_id text not null,
        client_id text not null,
        original_invoice_number text not null,
        original_line_number integer not null,
        billing_period_start text not null,
        invoice_date text not null,
        due_date text not null,
        currency text not null,
        net_amount text not null,
        tax_category_code text not null,
        tax_rate text not null,
        tax_amount text not null,
        total text not null,
        issued_at text not null,
        issued_by text not null,
        content_sha256 text not null,
        unique (series, sequence_number)
    )
    """,
    """
    create table adjustment_note_documents (
        document_number text not null references adjustment_notes (document_number),
        kind text not null,
        file_name text not null,
        sha256 text not null,
        size_bytes integer not null,
        written_at text not null,
        primary key (document_number, file_name)
    )
    """,
    """
    create table payment_files (
        file_sha256 text primary key,
        file_name text not null,
        statement_format text not null,
        entries integer not null,
        skipped_debits integer not null,
        imported_at text not null,
        imported_by text not null
    )
    """,
    """
    create table payments (
        payment_id text primary key,
        file_sha256 text not null references payment_files (file_sha256),
        source_row integer not null,
        statement_format text not null,
        booking_date text not null,
        value_date text not null,
        amount text not null,
        currency text not null,
        payer_name text,
        payer_account text,
        remittance_information text,
        bank_reference text not null,
        imported_at text not null,
        imported_by text not null,
        unique (bank_reference, currency)
    )
    """,
    *(statement for table in OPERATIONS_TABLES for statement in _append_only(table)),
)
# Retention (issue 7): legal holds. A hold is placed by one row and released by another (both append-only, each with
# its audit event); a hold scopes a data class and optionally one billing period, source and/or client.
RETENTION_TABLES = ("legal_holds", "legal_hold_releases")
MIGRATIONS[3] = (
    """
    create table legal_holds (
        hold_id text primary key,
        placed_at text not null,
        placed_by text not null,
        data_class text not null,
        billing_period_start text,
        source text,
        client_id text,
        reason text not null
    )
    """,
    """
    create table legal_hold_releases (
        hold_id text primary key references legal_holds (hold_id),
        released_at text not null,
        released_by text not null,
        reason text not null
    )
    """,
    *(statement for table in RETENTION_TABLES for statement in _append_only(table)),
)
SCHEMA_VERSION = max(MIGRATIONS)


def _version(con: sqlite3.Connection) -> int:
    exists = con.execute("select 1 from sqlite_master where type = 'table' and name = 'schema_version'").fetchone()
    if not exists:
        return 0
    (version,) = con.execute("select coalesce(max(version), 0) from schema_version").fetchone()
    return int(version)


def _check_not_newer(path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise OpsError(
            f"the operational store {path} has schema version {version}, newer than this billing knows "
            f"({SCHEMA_VERSION}); upgrade billing before using it"
        )


def _migrate(con: sqlite3.Connection, path: Path) -> None:
    current = _version(con)
    _check_not_newer(path, current)
    if current == SCHEMA_VERSION:
        return
    con.execute("create table if not exists schema_version (version integer primary key, applied_at text not null)")
    for version in range(current + 1, SCHEMA_VERSION + 1):
        for statement in MIGRATIONS[version]:
            con.execute(statement)
        if version == 2:
            _backfill_audit_trail(con)
        applied_at = datetime.now(UTC).isoformat(timespec="seconds")
        con.execute("insert into schema_version (version, applied_at) values (?, ?)", [version, applied_at])


def _backfill_audit_trail(con: sqlite3.Connection) -> None:
    """Rate-card events recorded before the audit trail existed enter it first, in their order, as they are."""
    from orchestration.ops.audit_trail import record_row

    for event_id, action, actor, acted_at in con.execute(
        "select event_id, action, actor, acted_at from rate_card_events order by event_id"
    ).fetchall():
        record_row(
            con,
            table="rate_card_events",
            key="event_id",
            value=event_id,
            actor=actor,
            actor_role="unknown",
            action=f"rate_card.{action}",
            reason="recorded before the audit trail existed (schema version 2)",
            occurred_at=acted_at,
        )


def _failure(path: Path, error: sqlite3.Error) -> OpsError:
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    if "locked" in message or "busy" in message:
        return OpsError(f"the operational store {path} is busy (another action is writing: {message}); retry")
    return OpsError(
        f"the operational store {path} cannot be used ({message}); check the file and BILLING_OPS_STORE_PATH"
    )


@contextmanager
def write_transaction(path: Path) -> Iterator[sqlite3.Connection]:
    """One action = one transaction: created and migrated on first use, everything or nothing is recorded.

    `begin immediate` takes the write lock before anything is read, so the checks an action makes (approved
    with this hash? published already?) still hold when it writes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    except sqlite3.Error as error:
        raise _failure(path, error) from None
    try:
        con.execute("pragma foreign_keys = on")
        con.execute("begin immediate")
        try:
            _migrate(con, path)
            yield con
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")
    except sqlite3.Error as error:
        raise _failure(path, error) from None
    finally:
        con.close()


@contextmanager
def read_transaction(path: Path) -> Iterator[sqlite3.Connection | None]:
    """A consistent read of the store, never creating it; None when there is no store yet (nothing recorded)."""
    if not path.exists():
        yield None
        return
    try:
        con = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
        )
    except sqlite3.Error as error:
        raise _failure(path, error) from None
    try:
        con.execute("begin")
        version = _version(con)
        _check_not_newer(path, version)
        # A file without a schema has nothing recorded (actions create the schema in their own transaction). A
        # later schema version must keep what readers select here, or readers must migrate first.
        yield con if version else None
        con.execute("commit")
    except sqlite3.Error as error:
        raise _failure(path, error) from None
    finally:
        con.close()
