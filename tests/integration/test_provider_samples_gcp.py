"""A real GCP billing export flattened to CSV in, FOCUS out: per file, the provider's own totals equal FOCUS's.

The koku sample (tests/fixtures/third_party/koku/gcp, provenance in koku/PROVENANCE.md) is landed, ingested with
the production ingest step and normalized with dbt (`+focus_cost_and_usage`) into a temporary warehouse, next
to two small CSV files written here: one with every `cost_type` (regular, tax, adjustment, rounding_error) and
one spanning two invoice months. The expected totals are computed here from the delivered text with Python's
Decimal, independently of the parser (credit amounts are read from the `credits` cell's text):

* billed = Σ cost + Σ credits.amount -> FOCUS Σ BilledCost;
* effective (GCP's amortized cost is its billed cost) -> FOCUS Σ EffectiveCost.

The warehouse holds money as DECIMAL(38,10), so each delivered amount counts rounded half away from zero to
10 decimal places (what the cast from text does).
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.landing import ingest_source
from tests.integration.dbt_build import dbt_build

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "third_party"

KOKU_SAMPLE = "koku/gcp/202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08_2020-11-11.csv"
MONEY_STEP = Decimal("0.0000000001")
HEADER = (
    "billing_account_id,service.description,sku.description,usage_start_time,usage_end_time,project.id,"
    "labels,cost,currency,credits,invoice.month,cost_type\n"
)
COST_TYPES = "gcp_billing/written/cost_types.csv"
TWO_MONTHS = "gcp_billing/written/two_months.csv"
AMOUNT = re.compile(r"""["']amount["']\s*:\s*(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)""")


def money(text: str) -> Decimal:
    return Decimal(text.strip() or "0").quantize(MONEY_STEP, rounding=ROUND_HALF_UP)


def expected_totals(path: Path) -> dict[str, Decimal]:
    """Σ cost, Σ credits.amount and their sum, per invoice month, straight from the delivered text."""
    totals: dict[str, Decimal] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            month = row["invoice.month"]
            credits = [money(amount) for amount in AMOUNT.findall(row["credits"])]
            totals[f"cost:{month}"] = totals.get(f"cost:{month}", Decimal(0)) + money(row["cost"])
            totals[f"credits:{month}"] = totals.get(f"credits:{month}", Decimal(0)) + sum(credits, Decimal(0))
    return totals


def written_files(landing: Path) -> None:
    lines = [
        "ACCT-TYPES,Compute Engine,Core,2026-09-01T00:00:00Z,2026-09-01T01:00:00Z,p1,[],"
        '10.123456789012,USD,"[{""name"": ""SUD"", ""amount"": -1.000000000049, ""type"": '
        '""SUSTAINED_USAGE_DISCOUNT""}]",202609,regular\n',
        "ACCT-TYPES,Invoice,Tax,2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,p1,[],1.91,USD,[],202609,tax\n",
        "ACCT-TYPES,Invoice,Adjustment,2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,p1,[],-0.5,USD,[],202609,adjustment\n",
        "ACCT-TYPES,Invoice,Rounding,2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,p1,[],0.004,USD,[],202609,"
        "rounding_error\n",
    ]
    months = [
        "ACCT-TWO,BigQuery,Analysis,2026-08-31T23:00:00Z,2026-09-01T00:00:00Z,p2,"
        "\"[{'key': 'team', 'value': 'data'}]\",2.5,USD,\"[{'name': 'Promo', 'amount': -0.25, 'type': 'PROMOTION'}]\","
        "202608,regular\n",
        "ACCT-TWO,BigQuery,Analysis,2026-09-01T00:00:00Z,2026-09-01T01:00:00Z,p2,[],3.75,USD,[],202609,regular\n",
    ]
    for relative, body in ((COST_TYPES, lines), (TWO_MONTHS, months)):
        target = landing / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(HEADER + "".join(body), encoding="utf-8")


@dataclass
class Warehouse:
    path: Path

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def build_warehouse(root: Path, samples: tuple[str, ...]) -> Warehouse:
    """Land the samples (and whatever is already in root/landing), ingest gcp_billing, dbt build the FOCUS mart."""
    landing = root / "landing"
    for name in samples:
        target = landing / "gcp_billing" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / name, target)
    path = root / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        report = ingest_source(con, "gcp_billing", landing, root / "quarantine")
    assert report.count("quarantined") == 0, report.outcomes
    dbt_build(path, "+focus_cost_and_usage", root)
    return Warehouse(path)


@pytest.fixture(scope="module")
def gcp_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    root = tmp_path_factory.mktemp("gcp")
    written_files(root / "landing")
    yield build_warehouse(root, (KOKU_SAMPLE,))


def focus_totals(warehouse: Warehouse, source_file: str) -> dict[str, tuple[int, Decimal, Decimal]]:
    """ChargeCategory -> (rows, Σ BilledCost, Σ EffectiveCost) of one delivered file."""
    return {
        category: (rows, billed, effective)
        for category, rows, billed, effective in warehouse.query(
            """
            select ChargeCategory, count(*), sum(BilledCost), sum(EffectiveCost)
            from marts.focus_cost_and_usage where x_SourceFile = ? group by ChargeCategory
            """,
            [source_file],
        )
    }


def test_koku_sample_totals_are_conserved_into_focus(gcp_warehouse: Warehouse) -> None:
    expected = expected_totals(FIXTURES / KOKU_SAMPLE)
    assert expected == {"cost:202011": Decimal("0.000032"), "credits:202011": Decimal("-0.000032")}
    totals = focus_totals(gcp_warehouse, f"gcp_billing/{KOKU_SAMPLE}")
    assert totals == {
        "Usage": (25, expected["cost:202011"], expected["cost:202011"]),
        "Credit": (8, expected["credits:202011"], expected["credits:202011"]),
    }
    [(billed, effective)] = gcp_warehouse.query(
        "select sum(BilledCost), sum(EffectiveCost) from marts.focus_cost_and_usage where x_SourceFile = ?",
        [f"gcp_billing/{KOKU_SAMPLE}"],
    )
    net = expected["cost:202011"] + expected["credits:202011"]
    assert billed == effective == net == Decimal(0)  # a free-trial account: every cost is credited back


def test_koku_sample_lands_in_raw_with_lineage(gcp_warehouse: Warehouse) -> None:
    [(rows, first, last, period, account)] = gcp_warehouse.query(
        """
        select count(*), min(cast(_source_row as integer)), max(cast(_source_row as integer)),
               min(_billing_period_start), min(_billing_account_id)
        from raw.gcp_billing where _source_file = ?
        """,
        [f"gcp_billing/{KOKU_SAMPLE}"],
    )
    assert (rows, first, last, period, account) == (25, 1, 25, "2020-11-01", "000000-B0BBA4-940A77")
    [(services,)] = gcp_warehouse.query(
        "select count(distinct ServiceName) from marts.focus_cost_and_usage where x_SourceFile = ?",
        [f"gcp_billing/{KOKU_SAMPLE}"],
    )
    assert services >= 3


def test_every_cost_type_flows_to_focus(gcp_warehouse: Warehouse) -> None:
    totals = focus_totals(gcp_warehouse, COST_TYPES)
    assert totals == {
        "Usage": (1, money("10.123456789012"), money("10.123456789012")),
        "Credit": (1, money("-1.000000000049"), money("-1.000000000049")),
        "Tax": (1, Decimal("1.91"), Decimal("1.91")),
        "Adjustment": (2, Decimal("-0.496"), Decimal("-0.496")),
    }


def test_file_spanning_two_invoice_months_is_billed_in_each(gcp_warehouse: Warehouse) -> None:
    by_period = {
        period: (billed, effective)
        for period, billed, effective in gcp_warehouse.query(
            """
            select cast(BillingPeriodStart as date), sum(BilledCost), sum(EffectiveCost)
            from marts.focus_cost_and_usage where x_SourceFile = ? group by 1
            """,
            [TWO_MONTHS],
        )
    }
    assert by_period == {
        date(2026, 8, 1): (Decimal("2.25"), Decimal("2.25")),
        date(2026, 9, 1): (Decimal("3.75"), Decimal("3.75")),
    }
    audit = gcp_warehouse.query(
        "select billing_period_start, status, row_count from audit.ingested_files where path = ? order by 1",
        [TWO_MONTHS],
    )
    assert audit == [(date(2026, 8, 1), "loaded", 1), (date(2026, 9, 1), "loaded", 1)]
