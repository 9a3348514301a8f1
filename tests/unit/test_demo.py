"""The demo landing zone: deterministic bytes, real-looking formats, a ground truth that matches the files."""

from __future__ import annotations

import csv
import functools
import hashlib
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.demo import (
    DemoManifest,
    WrittenFile,
    aws_cur,
    azure_cost,
    focus,
    gcp_billing,
    onprem,
    write_aws_restatement,
    write_demo_landing_zone,
)
from orchestration.demo.allocation import ChargeDimensions, assign_cost_center, by_precedence
from orchestration.demo.organisation import PRECEDENCE, UNALLOCATED, MappingRule
from orchestration.demo.periods import period_of
from orchestration.demo.seed_files import cost_center_mappings_csv, projects_csv

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PAYER = "111122223333"
PERIODS = ("2026-08-01", "2026-09-01", "2026-10-01")
AWS_REQUIRED = (
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "bill_payer_account_id",
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_product_code",
    "line_item_unblended_cost",
    "line_item_currency_code",
)
AWS_MAP_COLUMNS = ("product", "resource_tags", "cost_category", "discount")


# ---------------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return write_demo_landing_zone(tmp_path_factory.mktemp("landing"))


@pytest.fixture(scope="module")
def demo_without_restatement(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    landing = tmp_path_factory.mktemp("landing-no-restatement")
    return write_demo_landing_zone(landing, include_restatement=False)


def files_of(manifest: DemoManifest, source: str, period: str | None = None) -> list[WrittenFile]:
    return [f for f in manifest.files if f.source == source and period in (None, f.billing_period_start)]


def winning(manifest: DemoManifest, source: str, period: str) -> WrittenFile:
    [written] = [f for f in files_of(manifest, source, period) if not f.superseded]
    return written


def restated_pair(manifest: DemoManifest) -> tuple[WrittenFile, WrittenFile]:
    original, restated = files_of(manifest, "aws_cur", "2026-09-01")
    assert original.superseded and not restated.superseded
    return original, restated


def exact(value: float) -> Decimal:
    """The decimal a double denotes under shortest-repr reading (what the parsers do)."""
    return Decimal(repr(value))


@functools.cache
def aws_rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


@functools.cache
def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@functools.cache
def jsonl_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line, parse_float=Decimal) for line in handle if line.strip()]


def seed_rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ------------------------------------------------------------------------------------------- determinism


def test_same_seed_writes_identical_bytes(demo: DemoManifest, tmp_path: Path) -> None:
    again = write_demo_landing_zone(tmp_path / "again")
    first = {f.relative_path: hashlib.sha256(f.path.read_bytes()).hexdigest() for f in demo.files}
    second = {f.relative_path: hashlib.sha256(f.path.read_bytes()).hexdigest() for f in again.files}
    assert first == second
    assert first == {f.relative_path: f.sha256 for f in demo.files}
    assert again.totals == demo.totals
    assert again.allocation == demo.allocation


@pytest.mark.parametrize("module", [aws_cur, azure_cost, gcp_billing, focus, onprem])
def test_other_seed_draws_other_amounts(module: ModuleType) -> None:
    period = period_of("2026-10")
    assert module.charges(module.build_month(7, period), period) != module.charges(
        module.build_month(2026, period), period
    )


def test_layout_and_row_counts(demo: DemoManifest) -> None:
    assert len(demo.files) == 16  # 5 sources x 3 months + the AWS re-delivery
    for written in demo.files:
        assert written.path.is_file()
        assert written.relative_path.split("/")[0] == written.source
        assert written.row_count > 0
    for period in PERIODS:
        assert 1000 <= winning(demo, "aws_cur", period).row_count <= 2100
        for source in ("azure_cost", "gcp_billing", "focus", "onprem"):
            assert len(files_of(demo, source, period)) == 1


# ------------------------------------------------------------------------------------------- parseability


def test_every_file_parses_with_plain_duckdb_and_pyarrow(demo: DemoManifest) -> None:
    con = duckdb.connect()
    for written in demo.files:
        path = str(written.path)
        if written.source == "aws_cur":
            rows = con.execute("select count(*) from read_parquet(?)", [path]).fetchone()[0]
            assert pq.read_table(written.path).num_rows == rows
        elif written.source == "gcp_billing":
            query = "select count(*) from read_json(?, format = 'newline_delimited')"
            rows = con.execute(query, [path]).fetchone()[0]
        else:
            rows = con.execute("select count(*) from read_csv(?, header = true, all_varchar = true)", [path])
            rows = rows.fetchone()[0]
        assert rows == written.row_count, written.relative_path


def test_aws_parquet_schema_is_cur2(demo: DemoManifest) -> None:
    schema = pq.read_schema(winning(demo, "aws_cur", "2026-09-01").path)
    for column in (
        *AWS_REQUIRED,
        "identity_line_item_id",
        "savings_plan_savings_plan_effective_cost",
        "savings_plan_total_commitment_to_date",
        "savings_plan_used_commitment",
        "reservation_effective_cost",
        "reservation_unused_recurring_fee",
        "reservation_unused_amortized_upfront_fee_for_billing_period",
        "line_item_net_unblended_cost",
    ):
        assert column in schema.names, column
    for column in AWS_MAP_COLUMNS:
        assert schema.field(column).type == pa.map_(pa.string(), pa.string())
    for column in (
        "bill_billing_period_start_date",
        "line_item_usage_start_date",
        "line_item_usage_end_date",
    ):
        assert pa.types.is_timestamp(schema.field(column).type)
        assert schema.field(column).type.tz == "UTC"
    assert schema.field("line_item_unblended_cost").type == pa.float64()


def test_csv_and_json_formats_look_like_the_providers(demo: DemoManifest) -> None:
    azure = winning(demo, "azure_cost", "2026-09-01").path
    raw = azure.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfBillingAccountId,BillingAccountName,BillingPeriodStartDate,")
    header = next(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert len(header) == 55 and "Cost" in header and "Tags" in header
    first = csv_rows(azure)[0]
    assert first["BillingPeriodStartDate"] == "09/01/2026" and first["BillingPeriodEndDate"] == "09/30/2026"
    assert first["BillingCurrency"] == "EUR"

    focus_header = next(csv.reader(winning(demo, "focus", "2026-09-01").path.read_text().splitlines()))
    assert len(focus_header) == 59
    assert focus_header[:3] == ["ProviderName", "PublisherName", "InvoiceIssuerName"]
    assert focus_header[-3:] == ["Tags", "ServiceProviderName", "HostProviderName"]

    record = jsonl_rows(winning(demo, "gcp_billing", "2026-09-01").path)[0]
    assert set(record["service"]) == {"id", "description"}
    assert {"id", "number", "name", "labels", "ancestry_numbers"} <= set(record["project"])
    assert record["invoice"] == {"month": "202609"}
    assert record["usage_start_time"] == "2026-09-01T00:00:00Z"

    onprem = csv_rows(winning(demo, "onprem", "2026-09-01").path)[0]
    assert onprem["billing_period_start"] == "2026-09-01" and onprem["currency"] == "USD"


def test_doubles_are_exact_decimals_of_at_most_ten_places(demo: DemoManifest) -> None:
    for written in files_of(demo, "aws_cur"):
        table = pq.read_table(written.path)
        for field in table.schema:
            if field.type == pa.float64():
                for value in table.column(field.name).to_pylist():
                    if value is not None:
                        assert exact(value).as_tuple().exponent >= -10, (field.name, value)
    for written in files_of(demo, "gcp_billing"):
        for record in jsonl_rows(written.path):
            amounts = [record["cost"], *(credit["amount"] for credit in record["credits"])]
            assert all(amount.as_tuple().exponent >= -10 for amount in amounts)


# ------------------------------------------------------------------------------------------ ground truth


def _file_totals(written: WrittenFile) -> tuple[str, str, Decimal, Decimal]:
    """(billing account, currency, billed, amortized) read back from the file, per docs/raw-layer.md."""
    billed = amortized = Decimal(0)
    if written.source == "aws_cur":
        rows = aws_rows(written.path)
        for row in rows:
            cost = exact(row["line_item_unblended_cost"])
            kind = row["line_item_line_item_type"]
            billed += cost
            if kind == "SavingsPlanCoveredUsage":
                amortized += exact(row["savings_plan_savings_plan_effective_cost"])
            elif kind == "SavingsPlanRecurringFee":
                amortized += exact(row["savings_plan_total_commitment_to_date"]) - exact(
                    row["savings_plan_used_commitment"]
                )
            elif kind not in ("SavingsPlanNegation", "SavingsPlanUpfrontFee"):
                amortized += cost
        accounts = {row["bill_payer_account_id"] for row in rows}
        currencies = {row["line_item_currency_code"] for row in rows}
    elif written.source == "gcp_billing":
        rows = jsonl_rows(written.path)
        for row in rows:
            billed += row["cost"] + sum((c["amount"] for c in row["credits"]), Decimal(0))
        amortized = billed
        accounts = {row["billing_account_id"] for row in rows}
        currencies = {row["currency"] for row in rows}
    else:
        rows = csv_rows(written.path)
        columns = {
            "azure_cost": ("BillingAccountId", "BillingCurrency", "Cost", "Cost"),
            "focus": ("BillingAccountId", "BillingCurrency", "BilledCost", "EffectiveCost"),
            "onprem": ("datacenter_id", "currency", "cost", "cost"),
        }[written.source]
        billed = sum((Decimal(row[columns[2]]) for row in rows), Decimal(0))
        amortized = sum((Decimal(row[columns[3]]) for row in rows), Decimal(0))
        accounts = {row[columns[0]] for row in rows}
        currencies = {row[columns[1]] for row in rows}
    assert len(accounts) == 1 and len(currencies) == 1
    return accounts.pop(), currencies.pop(), billed, amortized


@pytest.mark.parametrize("fixture", ["demo", "demo_without_restatement"])
def test_ground_truth_equals_the_winning_files(fixture: str, request: pytest.FixtureRequest) -> None:
    manifest: DemoManifest = request.getfixturevalue(fixture)
    expected = {}
    for written in manifest.files:
        if written.superseded:
            continue
        account, currency, billed, amortized = _file_totals(written)
        expected[(written.source, written.billing_period_start, account, currency)] = (billed, amortized)
    assert {key: (t.billed, t.amortized) for key, t in manifest.totals.items()} == expected


def test_allocation_distributes_exactly_the_amortized_cost(demo: DemoManifest) -> None:
    by_period_currency: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for (_, period, _, currency), totals in demo.totals.items():
        by_period_currency[(period, currency)] += totals.amortized
    allocated: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for (period, _, currency), amount in demo.allocation.items():
        allocated[(period, currency)] += amount
    assert allocated == by_period_currency
    by_source: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for (_, period, cost_center, currency), amount in demo.allocation_by_source.items():
        by_source[(period, cost_center, currency)] += amount
    assert by_source == demo.allocation


def test_currencies_and_globex_in_usd(demo: DemoManifest) -> None:
    for source, _, _, currency in demo.totals:
        assert currency == ("EUR" if source == "azure_cost" else "USD")
    globex = {key: amount for key, amount in demo.allocation.items() if key[1] == "CC-9100"}
    assert {currency for (_, _, currency) in globex} == {"USD"}
    assert all(amount > 0 for amount in globex.values())
    assert len(globex) == 3


# ------------------------------------------------------------------------------------------- restatement


def test_restatement_changes_rows_but_not_payer_or_period(demo: DemoManifest) -> None:
    original, restated = restated_pair(demo)
    assert original.sha256 != restated.sha256
    assert restated.path.stat().st_mtime > original.path.stat().st_mtime
    before = {row["identity_line_item_id"]: row for row in aws_rows(original.path)}
    after = {row["identity_line_item_id"]: row for row in aws_rows(restated.path)}
    for rows in (before.values(), after.values()):
        assert {row["bill_payer_account_id"] for row in rows} == {PAYER}
        assert {row["bill_billing_period_start_date"].date().isoformat() for row in rows} == {"2026-09-01"}
    assert before.keys() - after.keys(), "some rows are removed"
    assert after.keys() - before.keys(), "some rows are added"
    changed = [
        key
        for key in before.keys() & after.keys()
        if before[key]["line_item_unblended_cost"] != after[key]["line_item_unblended_cost"]
    ]
    assert changed, "some costs are corrected"
    assert {row["bill_invoice_id"] for row in before.values()} == {None}  # preliminary delivery
    assert None not in {row["bill_invoice_id"] for row in after.values()}


def test_restatement_alone_matches_the_full_run(
    demo: DemoManifest,
    demo_without_restatement: DemoManifest,
    tmp_path: Path,
) -> None:
    original, restated = restated_pair(demo)
    assert all(not f.superseded for f in demo_without_restatement.files)
    without = {f.relative_path: f.sha256 for f in demo_without_restatement.files}
    assert without[original.relative_path] == original.sha256
    assert restated.relative_path not in without
    path = write_aws_restatement(tmp_path)  # delivered later, on its own
    assert path.relative_to(tmp_path).as_posix() == restated.relative_path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == restated.sha256
    assert path.stat().st_mtime == restated.path.stat().st_mtime > original.path.stat().st_mtime
    key = ("aws_cur", "2026-09-01", PAYER, "USD")
    assert demo.totals[key] != demo_without_restatement.totals[key]
    for other_key, totals in demo.totals.items():
        if other_key != key:
            assert demo_without_restatement.totals[other_key] == totals


# ------------------------------------------------------------------------------- charges the demo must show


def test_savings_plan_purchase_usage_and_negation(demo: DemoManifest) -> None:
    for period in PERIODS:
        rows = aws_rows(winning(demo, "aws_cur", period).path)
        kinds = defaultdict(list)
        for row in rows:
            kinds[row["line_item_line_item_type"]].append(row)
        upfront = kinds["SavingsPlanUpfrontFee"]
        if period == "2026-08-01":
            assert [exact(r["line_item_unblended_cost"]) for r in upfront] == [Decimal("12000")]
            assert upfront[0]["bill_bill_type"] == "Purchase"
        else:
            assert upfront == []
        covered, negation = kinds["SavingsPlanCoveredUsage"], kinds["SavingsPlanNegation"]
        assert covered and len(covered) == len(negation)
        covered_cost = sum((exact(r["line_item_unblended_cost"]) for r in covered), Decimal(0))
        negated_cost = sum((exact(r["line_item_unblended_cost"]) for r in negation), Decimal(0))
        assert covered_cost + negated_cost == 0
        pairs = {(r["line_item_resource_id"], r["line_item_usage_start_date"]): r for r in covered}
        for row in negation:
            match = pairs[(row["line_item_resource_id"], row["line_item_usage_start_date"])]
            assert exact(row["line_item_unblended_cost"]) == -exact(match["line_item_unblended_cost"])
        effective = sum((exact(r["savings_plan_savings_plan_effective_cost"]) for r in covered), Decimal(0))
        for row in covered:
            on_demand = exact(row["line_item_unblended_cost"])
            assert exact(row["savings_plan_savings_plan_effective_cost"]) < on_demand
        [recurring] = kinds["SavingsPlanRecurringFee"]
        assert exact(recurring["line_item_unblended_cost"]) == 0
        assert exact(recurring["savings_plan_total_commitment_to_date"]) == Decimal("1000")
        assert exact(recurring["savings_plan_used_commitment"]) == effective < Decimal("1000")


def test_credits_taxes_and_refunds_are_present(demo: DemoManifest) -> None:
    for period in PERIODS:
        aws = aws_rows(winning(demo, "aws_cur", period).path)
        assert any(r["line_item_line_item_type"] == "Tax" and r["line_item_unblended_cost"] > 0 for r in aws)
        credits = [r for r in aws if r["line_item_line_item_type"] == "Credit"]
        assert credits and all(r["line_item_unblended_cost"] < 0 for r in credits)

        gcp = jsonl_rows(winning(demo, "gcp_billing", period).path)
        assert sum(1 for r in gcp if r["cost_type"] == "tax") == 1
        credit_types = {c["type"] for r in gcp for c in r["credits"]}
        assert {"SUSTAINED_USAGE_DISCOUNT", "PROMOTION"} <= credit_types
        assert all(c["amount"] < 0 for r in gcp for c in r["credits"])

        focus = csv_rows(winning(demo, "focus", period).path)
        assert any(r["ChargeCategory"] == "Tax" for r in focus)
    azure = csv_rows(winning(demo, "azure_cost", "2026-09-01").path)
    refunds = [r for r in azure if r["ChargeType"] == "Refund"]
    assert refunds and all(Decimal(r["Cost"]) < 0 for r in refunds)
    focus = csv_rows(winning(demo, "focus", "2026-09-01").path)
    assert any(r["ChargeCategory"] == "Credit" and Decimal(r["BilledCost"]) < 0 for r in focus)


def test_untagged_and_unallocated_spend(demo: DemoManifest) -> None:
    period = "2026-09-01"
    aws = aws_rows(winning(demo, "aws_cur", period).path)
    tagged = [r for r in aws if r["resource_tags"]]
    assert tagged and len(tagged) < len(aws)
    assert all(key.startswith("user:") for r in tagged for key, _ in r["resource_tags"])
    assert any(r["Tags"] == "" for r in csv_rows(winning(demo, "azure_cost", period).path))
    assert any(r["Tags"] == "" for r in csv_rows(winning(demo, "focus", period).path))
    assert any(r["project"] == "" for r in csv_rows(winning(demo, "onprem", period).path))
    for currency in ("USD", "EUR"):
        assert demo.allocation[(period, UNALLOCATED, currency)] > 0


def _projects_in_files(manifest: DemoManifest) -> set[str]:
    found: set[str] = set()
    for written in manifest.files:
        if written.source == "aws_cur":
            found |= {v for r in aws_rows(written.path) for k, v in r["resource_tags"] if k == "user:project"}
        elif written.source == "azure_cost":
            found |= {json.loads("{" + r["Tags"] + "}").get("project") for r in csv_rows(written.path)}
        elif written.source == "focus":
            found |= {json.loads(r["Tags"] or "{}").get("project") for r in csv_rows(written.path)}
        elif written.source == "gcp_billing":
            found |= {r["project"]["id"] for r in jsonl_rows(written.path)}
        else:
            found |= {r["project"] for r in csv_rows(written.path)}
    return found - {None, ""}


def test_organisation_coverage_through_the_mappings(demo: DemoManifest) -> None:
    cost_centers = {r["cost_center_id"]: r for r in seed_rows("cost_centers.csv")}
    departments = {r["department_id"]: r for r in seed_rows("departments.csv")}
    reached = {cc for (_, cc, _), amount in demo.allocation.items() if amount != 0}
    reached_departments = {cost_centers[cc]["department_id"] for cc in reached} - {""}
    assert reached_departments == set(departments)
    assert len({departments[d]["business_unit_id"] for d in reached_departments}) >= 3
    assert "CC-9100" in reached and UNALLOCATED in reached

    mapped_projects = {
        r["match_value"] for r in seed_rows("cost_center_mappings.csv") if r["match_dimension"] == "project"
    }
    in_files = _projects_in_files(demo)
    assert len(in_files & mapped_projects) >= 30
    assert in_files - mapped_projects == {"ds-sandbox-4471"}  # the unmapped GCP sandbox


# ----------------------------------------------------------------------------------------- seeds and rules


def test_seed_files_are_the_demo_organisation() -> None:
    assert (SEEDS / "projects.csv").read_text(encoding="utf-8") == projects_csv()
    assert (SEEDS / "cost_center_mappings.csv").read_text(encoding="utf-8") == cost_center_mappings_csv()


def test_seed_mappings_are_consistent() -> None:
    cost_centers = {r["cost_center_id"] for r in seed_rows("cost_centers.csv")}
    projects = seed_rows("projects.csv")
    assert len(projects) >= 30
    assert {p["cost_center_id"] for p in projects} <= cost_centers
    mappings = seed_rows("cost_center_mappings.csv")
    seen = set()
    for row in mappings:
        assert row["cost_center_id"] in cost_centers
        assert int(row["precedence"]) == PRECEDENCE[row["match_dimension"]]
        assert (row["tag_key"] != "") == (row["match_dimension"] == "tag")
        assert row["valid_from"] == "2026-01-01" and row["valid_to"] == ""
        key = (row["match_dimension"], row["tag_key"], row["match_value"])
        assert key not in seen
        seen.add(key)
    assert len({r["mapping_id"] for r in mappings}) == len(mappings)
    assert {r["match_value"] for r in mappings if r["match_dimension"] == "billing_account"} == {"DC-NJ1"}
    unmapped = {PAYER, "74418329", "01A2B3-C4D5E6-F7A8B9"}
    assert not unmapped & {r["match_value"] for r in mappings}
    # The AWS shared-services account is a shared cost pool, spread by an allocation rule.
    shared_services = [r for r in mappings if r["match_value"] == "555566667777"]
    assert [r["cost_center_id"] for r in shared_services] == ["CC-S300"]


def test_rule_precedence() -> None:
    rules = by_precedence(
        [
            MappingRule("M4", "billing_account", None, "BA", "CC-1300", 40),
            MappingRule("M3", "sub_account", None, "SA", "CC-2200", 30),
            MappingRule("M2", "project", None, "card-auth", "CC-2210", 20),
            MappingRule("M1", "tag", "cost-center", "CC-3100", "CC-3100", 10),
        ]
    )
    everything = ChargeDimensions({"cost-center": "CC-3100"}, "card-auth", "SA", "BA")
    assert assign_cost_center(everything, rules) == "CC-3100"
    assert assign_cost_center(ChargeDimensions({}, "card-auth", "SA", "BA"), rules) == "CC-2210"
    assert assign_cost_center(ChargeDimensions({"project": "x"}, None, "SA", "BA"), rules) == "CC-2200"
    assert assign_cost_center(ChargeDimensions({}, None, None, "BA"), rules) == "CC-1300"
    unmatched = ChargeDimensions({"cost-center": "CC-0000"}, "other", "", "x")
    assert assign_cost_center(unmatched, rules) == UNALLOCATED
