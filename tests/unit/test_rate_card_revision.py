"""`billing rates revise`: a closed quarter's proposals become a draft version appended to the seeds — existing
lines untouched byte for byte — and the change per service is printed for finance to review."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.ops.rate_card_seeds import appended_bytes
from orchestration.settings import SEEDS_DIR

# CRLF line endings and a quoted description: appended lines must follow the file's own style.
RATE_CARDS = (
    "rate_card_version,fiscal_year,valid_from,valid_to,it_service_id,billing_currency,rate_type,unit,unit_rate,"
    "description\r\n"
    "RC-FY2026.1,2026,2026-01-01,2027-01-01,IT-COMPUTE,USD,cost_recovery,,1.000000,Recovered at cost\r\n"
    "RC-FY2026.1,2026,2026-01-01,2027-01-01,IT-CONTAINERS,USD,unit_price,vCPU-hour,0.060000,Per vCPU-hour\r\n"
    'RC-FY2026.1,2026,2026-01-01,2027-01-01,IT-BACKUP,USD,unit_price,GB-month,0.090000,"Per GB-month, protected"\r\n'
)
BUNDLES = (
    "rate_card_version,bundle_id,bundle_name,it_service_id,discount_percent\r\n"
    "RC-FY2026.1,BND-PLATFORM,Platform bundle,IT-CONTAINERS,10.00\r\n"
    "RC-FY2026.1,BND-PLATFORM,Platform bundle,IT-BACKUP,10.00\r\n"
)
MART = """
create schema marts;
create table marts.fct_rate_card_revisions (
    quarter_start date, fiscal_year integer, it_service_id varchar, it_service_name varchar,
    billing_currency varchar, rate_type varchar, unit varchar, current_rate_card_version varchar,
    current_unit_rate decimal(38, 10), quarter_cost decimal(38, 10), quarter_quantity decimal(38, 10),
    derived_unit_cost decimal(38, 10), proposed_unit_rate decimal(38, 10), change_percent decimal(38, 10),
    months_closed integer, basis varchar
);
insert into marts.fct_rate_card_revisions values
    ('2026-10-01', 2026, 'IT-CONTAINERS', 'Container platform', 'USD', 'unit_price', 'vCPU-hour', 'RC-FY2026.1',
     0.06, 1512.40, 24000, 0.0630166667, 0.0630166667, 5.0277778333, 3, 'FY2026 Q4 unit cost: cost / vCPU-hours'),
    ('2026-10-01', 2026, 'IT-COMPUTE', 'Compute', 'USD', 'cost_recovery', null, 'RC-FY2026.1',
     1, 8200.00, null, null, 1, 0, 3, 'Recovered at cost, unchanged'),
    ('2026-07-01', 2026, 'IT-CONTAINERS', 'Container platform', 'USD', 'unit_price', 'vCPU-hour', 'RC-FY2026.1',
     0.06, 1400, 25000, 0.056, 0.056, -6.6666666667, 3, 'FY2026 Q3');
"""

Billing = Callable[..., tuple[int, str, str]]


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    directory = tmp_path / "seeds"
    directory.mkdir()
    (directory / "rate_cards.csv").write_bytes(RATE_CARDS.encode())
    (directory / "rate_card_bundles.csv").write_bytes(BUNDLES.encode())
    shutil.copyfile(SEEDS_DIR / "billing_users.csv", directory / "billing_users.csv")
    return directory


@pytest.fixture
def billing(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Billing]:
    data = tmp_path / "data"
    (data / "warehouse").mkdir(parents=True)
    with duckdb.connect(str(data / "warehouse" / "billing.duckdb")) as con:
        con.execute(MART)
    monkeypatch.setenv("BILLING_DATA_DIR", str(data))
    monkeypatch.setenv("BILLING_SEEDS_DIR", str(seeds))
    monkeypatch.delenv("BILLING_OPS_STORE_PATH", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.argv", ["billing", *args])
        code = 0
        try:
            main()
        except SystemExit as done:
            code = int(done.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    yield run


def test_a_quarter_becomes_a_draft_version_appended_to_the_seeds(billing: Billing, seeds: Path) -> None:
    code, out, err = billing("rates", "revise", "--quarter", "2026-Q4", "--new-version", "RC-FY2027.1")
    assert (code, err) == (0, "")
    assert out == (
        "rate card revision from 2026-Q4:\n"
        "service        cur  unit       current rate  derived unit cost  proposed rate  change\n"
        "IT-COMPUTE     USD  -                     1                  -              1   0.00%\n"
        "IT-CONTAINERS  USD  vCPU-hour          0.06       0.0630166667   0.0630166667  +5.03%\n"
        "note: bundle BND-PLATFORM member IT-BACKUP was not copied: RC-FY2027.1 does not price it\n"
        f"drafted RC-FY2027.1 (fiscal year 2027, 2027-01-01 to 2028-01-01): 2 rate lines appended to "
        f"{seeds / 'rate_cards.csv'}, 1 bundle lines copied from RC-FY2026.1; review them, then: billing rates "
        "approve RC-FY2027.1\n"
    )
    # Append only: the existing bytes are a prefix, the new lines use the file's CRLF and minimal quoting.
    assert (seeds / "rate_cards.csv").read_bytes() == (
        RATE_CARDS + "RC-FY2027.1,2027,2027-01-01,2028-01-01,IT-COMPUTE,USD,cost_recovery,,1.0000000000,"
        '"Recovered at cost, unchanged"\r\n'
        "RC-FY2027.1,2027,2027-01-01,2028-01-01,IT-CONTAINERS,USD,unit_price,vCPU-hour,0.0630166667,"
        "FY2026 Q4 unit cost: cost / vCPU-hours\r\n"
    ).encode()
    assert (seeds / "rate_card_bundles.csv").read_bytes() == (
        BUNDLES + "RC-FY2027.1,BND-PLATFORM,Platform bundle,IT-CONTAINERS,10.00\r\n"
    ).encode()
    # The draft is what finance approves next.
    assert billing("rates", "approve", "RC-FY2027.1", "--as", "fiona")[0] == 0


def test_explicit_validity_sets_the_fiscal_year(billing: Billing, seeds: Path) -> None:
    code, _, err = billing(
        "rates", "revise", "--quarter", "2026-Q3", "--new-version", "RC-FY2026.2", "--valid-from", "2026-11-01"
    )
    assert (code, err) == (0, "")
    appended = (seeds / "rate_cards.csv").read_text(encoding="utf-8").splitlines()[-1]
    assert (
        appended
        == "RC-FY2026.2,2026,2026-11-01,2027-01-01,IT-CONTAINERS,USD,unit_price,vCPU-hour,0.0560000000,FY2026 Q3"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--quarter", "2026-Q4", "--new-version", "RC-FY2026.1"),
            "error: rate card RC-FY2026.1 already exists (in {seeds}/rate_cards.csv or the operational store); choose "
            "a new version name",
        ),
        (
            ("--quarter", "2027-Q1", "--new-version", "RC-FY2027.2"),
            "error: marts.fct_rate_card_revisions has no rows for 2027-Q1 (quarter starting 2027-01-01); close the "
            "quarter's months (2027-01, 2027-02, 2027-03) first",
        ),
        (
            ("--quarter", "2026-Q4", "--new-version", "RC-FY2027.1", "--valid-to", "2028-02-01"),
            "error: the draft would not be approvable: rate card RC-FY2027.1: validity 2027-01-01 to 2028-02-01 is "
            "not inside fiscal year 2027 (2027-01-01 to 2028-01-01) (new row of rate_cards.csv); a rate card belongs "
            "to one fiscal year: keep it within 2027-01-01 and 2028-01-01, or change fiscal_year; nothing was written",
        ),
        (
            ("--quarter", "Q4/2026", "--new-version", "RC-FY2027.1"),
            "error: --quarter 'Q4/2026' is not a quarter; write it as YYYY-Qn, e.g. 2026-Q4",
        ),
    ],
    ids=["version exists", "quarter not closed", "outside the fiscal year", "malformed quarter"],
)
def test_a_refused_revision_writes_nothing(args: tuple[str, ...], message: str, billing: Billing, seeds: Path) -> None:
    assert billing("rates", "revise", *args) == (1, "", message.format(seeds=seeds) + "\n")
    assert (seeds / "rate_cards.csv").read_bytes() == RATE_CARDS.encode()
    assert (seeds / "rate_card_bundles.csv").read_bytes() == BUNDLES.encode()


def test_revise_without_the_mart_says_to_close_the_quarter(
    billing: Billing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BILLING_DATA_DIR", str(tmp_path / "empty"))
    warehouse = tmp_path / "empty" / "warehouse" / "billing.duckdb"
    assert billing("rates", "revise", "--quarter", "2026-Q4", "--new-version", "RC-FY2027.1") == (
        1,
        "",
        f"error: no warehouse at {warehouse}; run `billing demo` and `billing close` first\n",
    )


def test_appending_keeps_a_file_without_a_final_newline_intact() -> None:
    original = b"a,b\n1,2"
    assert appended_bytes(original, [("3", "x, y")]) == b'a,b\n1,2\n3,"x, y"\n'
    quoted = b'"a","b"\r\n"1","2"\r\n'
    assert appended_bytes(quoted, [("3", "4")]) == quoted + b'"3","4"\r\n'
