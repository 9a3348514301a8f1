"""`billing rates approve|publish|list`: only approved content is published, a published version never changes,
and every refusal is one `error:` line that leaves nothing recorded."""

from __future__ import annotations

import csv
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.demo.rate_card_sign_off import publish_demo_rate_card
from orchestration.ops.rate_card_seeds import BundleLine, RateCardLine, content_sha256
from orchestration.settings import SEEDS_DIR, load_settings

RATE_CARDS = """\
rate_card_version,fiscal_year,valid_from,valid_to,it_service_id,billing_currency,rate_type,unit,unit_rate,description
RC-FY2026.1,2026,2026-01-01,2027-01-01,IT-COMPUTE,USD,cost_recovery,,1.000000,Recovered at cost
RC-FY2026.1,2026,2026-01-01,2027-01-01,IT-CONTAINERS,USD,unit_price,vCPU-hour,0.060000,Priced per vCPU-hour
RC-FY2026.1,2026,2026-01-01,2027-01-01,IT-BACKUP,USD,unit_price,GB-month,0.090000,"Per protected GB-month, backups"
RC-FY2027.1,2027,2027-01-01,2028-01-01,IT-COMPUTE,USD,cost_recovery,,1.000000,Recovered at cost
"""
BUNDLES = """\
rate_card_version,bundle_id,bundle_name,it_service_id,discount_percent
RC-FY2026.1,BND-PLATFORM,Platform bundle,IT-CONTAINERS,10.00
RC-FY2026.1,BND-PLATFORM,Platform bundle,IT-BACKUP,10.00
"""
# The rate-card tests' people: finance controllers may approve and publish; ana (an analyst) may not.
USERS = """\
user_id,display_name,role,department_id,client_id,email,active
alice,Alice,finance_controller,,,alice@ebts.example,true
bob,Bob,finance_controller,,,bob@ebts.example,true
carol,Carol,finance_controller,,,carol@ebts.example,true
ana,Ana Alvarez,billing_analyst,,,ana@ebts.example,true
"""

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

Billing = Callable[..., tuple[int, str, str]]


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    directory = tmp_path / "seeds"
    directory.mkdir()
    (directory / "rate_cards.csv").write_text(RATE_CARDS, encoding="utf-8")
    (directory / "rate_card_bundles.csv").write_text(BUNDLES, encoding="utf-8")
    (directory / "billing_users.csv").write_text(USERS, encoding="utf-8")
    return directory


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "data" / "ops" / "ops.sqlite"


@pytest.fixture
def billing(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Billing]:
    """`billing ...` in-process as alice, against the tmp seeds; each action is 5 minutes after the last."""
    monkeypatch.setenv("BILLING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BILLING_SEEDS_DIR", str(seeds))
    monkeypatch.setenv("BILLING_USER", "alice")
    monkeypatch.delenv("BILLING_OPS_STORE_PATH", raising=False)
    ticks = iter(START + timedelta(minutes=5 * n) for n in range(100))
    monkeypatch.setattr("orchestration.ops.rate_cards.utc_now", lambda: next(ticks))

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.argv", ["billing", *args])
        code = 0
        try:
            main()  # returns on success, exits with status 1 after an `error:` line
        except SystemExit as done:
            code = int(done.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    yield run


def _rows(store: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(store) as con:
        return con.execute(sql).fetchall()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _seed_sha(version: str = "RC-FY2026.1") -> str:
    """The hash computed from the fixture's text, independently of how the command read the files."""
    rates = [RateCardLine(*row) for row in csv.reader(RATE_CARDS.splitlines()[1:]) if row[0] == version]
    bundles = [BundleLine(*row) for row in csv.reader(BUNDLES.splitlines()[1:]) if row[0] == version]
    return content_sha256(rates, bundles)


def test_approve_then_publish_freezes_the_approved_rows_and_records_who_and_when(
    billing: Billing, store: Path, seeds: Path
) -> None:
    sha = _seed_sha()
    assert billing("rates", "approve", "RC-FY2026.1", "--note", "checked against the FY2026 plan") == (
        0,
        f"approved RC-FY2026.1 (3 rate lines, content sha256 {sha[:12]}) as alice at 2026-12-01 10:00:00 UTC; "
        "next: billing rates publish RC-FY2026.1\n",
        "",
    )
    assert billing("rates", "publish", "RC-FY2026.1", "--as", "bob") == (
        0,
        "published RC-FY2026.1: 3 rate lines and 2 bundle lines, valid 2026-01-01 to 2027-01-01 (approved by alice "
        "at 2026-12-01 10:00:00 UTC, published by bob at 2026-12-01 10:05:00 UTC); months closed from now on charge "
        "with it\n",
        "",
    )
    assert _rows(store, "select * from rate_card_events order by event_id") == [
        (1, "RC-FY2026.1", "approved", "alice", "2026-12-01T10:00:00+00:00", sha, "checked against the FY2026 plan"),
        (2, "RC-FY2026.1", "published", "bob", "2026-12-01T10:05:00+00:00", sha, None),
    ]
    # The seed's text exactly (no float, no reformatting), tied to the publication event.
    assert _rows(store, "select * from published_rate_cards order by it_service_id") == [
        ("RC-FY2026.1", "2026", "2026-01-01", "2027-01-01", "IT-BACKUP", "USD", "unit_price", "GB-month", "0.090000",
         "Per protected GB-month, backups", 2),
        ("RC-FY2026.1", "2026", "2026-01-01", "2027-01-01", "IT-COMPUTE", "USD", "cost_recovery", "", "1.000000",
         "Recovered at cost", 2),
        ("RC-FY2026.1", "2026", "2026-01-01", "2027-01-01", "IT-CONTAINERS", "USD", "unit_price", "vCPU-hour",
         "0.060000", "Priced per vCPU-hour", 2),
    ]  # fmt: skip
    assert _rows(store, "select * from published_rate_card_bundles order by it_service_id") == [
        ("RC-FY2026.1", "BND-PLATFORM", "Platform bundle", "IT-BACKUP", "10.00", 2),
        ("RC-FY2026.1", "BND-PLATFORM", "Platform bundle", "IT-CONTAINERS", "10.00", 2),
    ]
    assert billing("rates", "list") == (
        0,
        "version      FY    valid from  valid to    status     lines  approved by  approved at              "
        "published by  published at\n"
        "RC-FY2026.1  2026  2026-01-01  2027-01-01  published      3  alice        2026-12-01 10:00:00 UTC  "
        "bob           2026-12-01 10:05:00 UTC\n"
        "RC-FY2027.1  2027  2027-01-01  2028-01-01  draft          1  -            -                        "
        "-             -\n",
        "",
    )


def test_a_published_version_never_changes_when_its_seed_rows_are_edited(
    billing: Billing, store: Path, seeds: Path
) -> None:
    billing("rates", "approve", "RC-FY2026.1")
    billing("rates", "publish", "RC-FY2026.1")
    _edit(seeds / "rate_cards.csv", "vCPU-hour,0.060000", "vCPU-hour,0.070000")

    code, out, _ = billing("rates", "list")
    assert code == 0
    assert out.splitlines()[1].split()[4] == "published*"
    assert out.splitlines()[-1] == (
        "* RC-FY2026.1: edited after publishing — draft a new version; the published rows still charge"
    )
    assert billing("rates", "approve", "RC-FY2026.1") == (
        1,
        "",
        "error: rate card RC-FY2026.1 is already published (by alice at 2026-12-01 10:05:00 UTC) and a published "
        "version never changes; draft a new version in the seeds instead\n",
    )
    assert billing("rates", "publish", "RC-FY2026.1")[2].startswith("error: rate card RC-FY2026.1 is already published")
    assert _rows(store, "select count(*) from rate_card_events") == [(2,)]
    assert _rows(store, "select unit_rate from published_rate_cards where it_service_id = 'IT-CONTAINERS'") == [
        ("0.060000",)
    ]


def test_publishing_without_an_approval_is_refused_and_records_nothing(billing: Billing, store: Path) -> None:
    assert billing("rates", "publish", "RC-FY2026.1") == (
        1,
        "",
        "error: rate card RC-FY2026.1 has not been approved; finance signs it off first with "
        "`billing rates approve RC-FY2026.1`, then publish it\n",
    )
    assert not store.exists()


def test_publishing_content_changed_since_its_approval_is_refused(billing: Billing, store: Path, seeds: Path) -> None:
    billing("rates", "approve", "RC-FY2026.1")
    _edit(seeds / "rate_card_bundles.csv", "IT-BACKUP,10.00", "IT-BACKUP,10.0")
    _edit(seeds / "rate_card_bundles.csv", "IT-CONTAINERS,10.00", "IT-CONTAINERS,10.0")

    assert billing("rates", "publish", "RC-FY2026.1") == (
        1,
        "",
        "error: rate card RC-FY2026.1 changed since it was approved by alice at 2026-12-01 10:00:00 UTC; approve it "
        "again\n",
    )
    assert _rows(store, "select action from rate_card_events") == [("approved",)]
    assert _rows(store, "select count(*) from published_rate_cards") == [(0,)]
    out = billing("rates", "list")[1]
    assert out.splitlines()[1].split()[4] == "approved*"
    assert out.splitlines()[-1] == "* RC-FY2026.1: changed since it was approved — approve it again before publishing"
    # Approving the content as it is now makes it publishable.
    assert billing("rates", "approve", "RC-FY2026.1", "--as", "carol")[0] == 0
    assert billing("rates", "publish", "RC-FY2026.1")[0] == 0
    assert _rows(store, "select distinct discount_percent from published_rate_card_bundles") == [("10.0",)]


def test_the_content_hash_ignores_row_order_and_line_numbers_but_not_a_value() -> None:
    line = RateCardLine("RC", "2026", "2026-01-01", "2027-01-01", "IT-A", "USD", "cost_recovery", "", "1", "x")
    other = RateCardLine("RC", "2026", "2026-01-01", "2027-01-01", "IT-B", "USD", "cost_recovery", "", "1", "x")
    moved = RateCardLine(*line.values(), line=7)
    assert content_sha256([line, other], []) == content_sha256([other, moved], [])
    changed = RateCardLine("RC", "2026", "2026-01-01", "2027-01-01", "IT-B", "USD", "cost_recovery", "", "1.0", "x")
    assert content_sha256([line, other], []) != content_sha256([line, changed], [])


REFUSALS = {
    "outside the fiscal year": (
        ("rate_cards.csv", "2026,2026-01-01,2027-01-01", "2026,2026-01-01,2027-02-01"),
        "error: rate card RC-FY2026.1: validity 2026-01-01 to 2027-02-01 is not inside fiscal year 2026 (2026-01-01 "
        "to 2027-01-01) (rate_cards.csv line 2); a rate card belongs to one fiscal year: keep it within 2026-01-01 "
        "and 2027-01-01, or change fiscal_year; nothing was approved",
    ),
    "open-ended": (
        ("rate_cards.csv", "2026,2026-01-01,2027-01-01", "2026,2026-01-01,"),
        "error: rate card RC-FY2026.1: validity 2026-01-01 to open-ended is not inside fiscal year 2026 (2026-01-01 "
        "to 2027-01-01) (rate_cards.csv line 2); a rate card belongs to one fiscal year: keep it within 2026-01-01 "
        "and 2027-01-01, or change fiscal_year; nothing was approved",
    ),
    "rows disagree": (
        ("rate_cards.csv", "2026-01-01,2027-01-01,IT-BACKUP", "2026-04-01,2027-01-01,IT-BACKUP"),
        "error: rate card RC-FY2026.1: rows disagree on valid_from (2026-01-01 on rate_cards.csv line 2, 2026-04-01 "
        "on line 4); every row of a version has the same fiscal_year, valid_from and valid_to; nothing was approved",
    ),
    "duplicate service and currency": (
        ("rate_cards.csv", "IT-BACKUP,USD", "IT-COMPUTE,USD"),
        "error: rate card RC-FY2026.1 prices IT-COMPUTE USD twice (rate_cards.csv lines 2 and 4); keep one row per "
        "service and currency (1 more problem(s) after this one); nothing was approved",
    ),
    "unit price without a unit": (
        ("rate_cards.csv", "unit_price,vCPU-hour,", "unit_price,,"),
        "error: rate card RC-FY2026.1: IT-CONTAINERS USD is unit_price without a unit (rate_cards.csv line 3); fill "
        "in the unit it is priced per, or make it cost_recovery; nothing was approved",
    ),
    "decimal comma": (
        ("rate_cards.csv", ",0.060000,", ',"0,06",'),
        "error: rate card RC-FY2026.1: unit_rate '0,06' of IT-CONTAINERS USD is not a decimal number "
        "(rate_cards.csv line 3); write a decimal number >= 0 such as 0.060000; nothing was approved",
    ),
    "negative rate": (
        ("rate_cards.csv", ",0.060000,", ",-0.06,"),
        "error: rate card RC-FY2026.1: unit_rate '-0.06' of IT-CONTAINERS USD is negative (rate_cards.csv line 3); "
        "write a decimal number >= 0 such as 0.060000; nothing was approved",
    ),
    "exponent notation": (
        ("rate_cards.csv", ",0.060000,", ",6E-2,"),
        "error: rate card RC-FY2026.1: unit_rate '6E-2' of IT-CONTAINERS USD is not a plain decimal number "
        "(rate_cards.csv line 3); write a decimal number >= 0 such as 0.060000; nothing was approved",
    ),
    "unknown rate type": (
        (
            "rate_cards.csv",
            "cost_recovery,,1.000000,Recovered at cost\nRC-FY2026.1",
            "at_cost,,1.000000,x\nRC-FY2026.1",
        ),
        "error: rate card RC-FY2026.1: IT-COMPUTE USD has rate_type 'at_cost' (rate_cards.csv line 2); use one of "
        "unit_price, cost_recovery; nothing was approved",
    ),
    "bundle member not priced": (
        ("rate_card_bundles.csv", "IT-BACKUP,10.00", "IT-GPU,10.00"),
        "error: rate card RC-FY2026.1: bundle BND-PLATFORM includes IT-GPU, which the version does not price "
        "(rate_card_bundles.csv line 3); price it in rate_cards.csv or remove it from the bundle; nothing was approved",
    ),
    "mismatched bundle discount": (
        ("rate_card_bundles.csv", "IT-BACKUP,10.00", "IT-BACKUP,15.00"),
        "error: rate card RC-FY2026.1: bundle BND-PLATFORM has different discounts ('10.00' on rate_card_bundles.csv "
        "line 2, '15.00' on line 3); give every row of a bundle the same discount_percent; nothing was approved",
    ),
    "discount of 100": (
        ("rate_card_bundles.csv", ",10.00\n", ",100\n"),
        "error: rate card RC-FY2026.1: discount_percent '100' of bundle BND-PLATFORM is not below 100 "
        "(rate_card_bundles.csv line 2); write a percentage from 0 up to (not including) 100; nothing was approved",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_approval_of_an_invalid_version_is_refused_and_records_nothing(
    case: str, billing: Billing, store: Path, seeds: Path
) -> None:
    (file_name, old, new), message = REFUSALS[case]
    _edit(seeds / file_name, old, new)
    assert billing("rates", "approve", "RC-FY2026.1") == (1, "", message + "\n")
    assert not store.exists()


def test_a_refusal_leaves_earlier_records_of_other_versions_as_they_were(
    billing: Billing, store: Path, seeds: Path
) -> None:
    billing("rates", "approve", "RC-FY2027.1")
    _edit(seeds / "rate_cards.csv", "unit_price,vCPU-hour,", "unit_price,,")
    assert billing("rates", "approve", "RC-FY2026.1")[0] == 1
    assert billing("rates", "approve", "RC-FY2099.1") == (
        1,
        "",
        f"error: rate card RC-FY2099.1 is not in {seeds / 'rate_cards.csv'} (versions there: RC-FY2026.1, "
        "RC-FY2027.1); draft its rows there first\n",
    )
    assert _rows(store, "select rate_card_version, action from rate_card_events") == [("RC-FY2027.1", "approved")]


def test_the_store_itself_refuses_to_rewrite_a_publication(billing: Billing, store: Path) -> None:
    billing("rates", "approve", "RC-FY2026.1")
    billing("rates", "publish", "RC-FY2026.1")
    with sqlite3.connect(store) as con:
        for statement in (
            "update published_rate_cards set unit_rate = '0' where it_service_id = 'IT-CONTAINERS'",
            "delete from published_rate_card_bundles",
            "update rate_card_events set actor = 'mallory'",
            "insert into rate_card_events (rate_card_version, action, actor, acted_at, content_sha256) "
            "values ('RC-FY2026.1', 'published', 'x', '2026-12-02T00:00:00+00:00', 'x')",
        ):
            with pytest.raises(sqlite3.IntegrityError):
                con.execute(statement)
    assert _rows(store, "select version from schema_version") == [(1,), (2,), (3,)]
    assert _rows(store, "select actor from rate_card_events") == [("alice",), ("alice",)]


def test_the_ops_store_path_follows_its_setting(
    billing: Billing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "shared" / "billing-ops.sqlite"
    monkeypatch.setenv("BILLING_OPS_STORE_PATH", str(elsewhere))
    assert load_settings().ops_store_path == elsewhere
    assert billing("rates", "approve", "RC-FY2027.1")[0] == 0
    assert _rows(elsewhere, "select rate_card_version from rate_card_events") == [("RC-FY2027.1",)]
    assert not (tmp_path / "data" / "ops").exists()


def test_the_demo_publishes_its_rate_card_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILLING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BILLING_SEEDS_DIR", raising=False)
    monkeypatch.delenv("BILLING_OPS_STORE_PATH", raising=False)
    settings = load_settings()
    assert settings.seeds_dir == SEEDS_DIR
    first = publish_demo_rate_card(settings)
    assert first.startswith("rate card RC-FY2026.1 approved and published as fiona")
    second = publish_demo_rate_card(settings)
    assert second.startswith("rate card RC-FY2026.1 already published (by fiona at ")
    store = settings.ops_store_path
    assert _rows(store, "select action, actor, note from rate_card_events order by event_id") == [
        ("approved", "fiona", "demo sign-off"),
        ("published", "fiona", None),
    ]
    seed_lines = (SEEDS_DIR / "rate_cards.csv").read_text(encoding="utf-8").count("\nRC-FY2026.1,")
    assert _rows(store, "select count(*) from published_rate_cards") == [(seed_lines,)]


def test_finance_signs_off_while_a_close_holds_the_warehouse(billing: Billing, tmp_path: Path, store: Path) -> None:
    """The reason the store is not in DuckDB: another process (a close) holding the writer lock blocks nothing."""
    warehouse = tmp_path / "data" / "warehouse" / "billing.duckdb"
    warehouse.parent.mkdir(parents=True)
    hold = f"import duckdb, sys; c = duckdb.connect({str(warehouse)!r}); print('held', flush=True); sys.stdin.read()"
    holder = subprocess.Popen([sys.executable, "-c", hold], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(duckdb.IOException):
            duckdb.connect(str(warehouse), read_only=True)
        assert billing("rates", "approve", "RC-FY2026.1")[0] == 0
        assert billing("rates", "publish", "RC-FY2026.1")[0] == 0
    finally:
        holder.communicate("")
    assert _rows(store, "select action from rate_card_events order by event_id") == [("approved",), ("published",)]


def test_only_a_finance_role_signs_off_a_rate_card(billing: Billing, store: Path) -> None:
    assert billing("rates", "approve", "RC-FY2026.1", "--as", "ana") == (
        1,
        "",
        "error: ana (billing_analyst) may not approve a rate card; that takes the role finance_controller\n",
    )
    assert billing("rates", "approve", "RC-FY2026.1", "--as", "zoe") == (
        1,
        "",
        f"error: 'zoe' is not an active user in {store.parent.parent.parent / 'seeds' / 'billing_users.csv'} (users: "
        "alice, ana, bob, carol); act as one of them or ask finance to add the user with a role\n",
    )
    assert not store.exists()
