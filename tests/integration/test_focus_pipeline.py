"""Third-party FOCUS files through the whole FOCUS path: parser -> raw.focus -> stg_focus__charges ->
int_focus_charges_normalized -> marts.focus_cost_and_usage.

1. The FOCUS specification's own commitment-discount worked examples (FOCUS_Spec/specification/data): every
   column the example states is compared, row by row, with the mart.
2. FOCUS files of several versions and providers load; Σ BilledCost and Σ EffectiveCost of each file equal
   the mart's; files missing a mandatory column are quarantined with a message naming it.

Everything loads into one temporary warehouse and dbt runs once (seed + the models upstream of the mart).
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.ingest.landing import ingest_source
from orchestration.sources.common import parse_timestamp
from tests.integration.dbt_build import run_dbt

FIXTURES = Path(__file__).parents[1] / "fixtures" / "third_party"
SPEC = FIXTURES / "FOCUS_Spec"
MONEY_SCALE = Decimal("0.0000000001")  # decimal(38,10), dbt_project/macros/money.sql

# Columns the spec examples do not carry but every FOCUS file must (BillingAccountId keys the delivery,
# BillingCurrency prices it). The test adds them, visibly, with these values; they are never asserted.
SUPPLIED_BILLING_CURRENCY = "USD"

# The spec's purchase scenarios 2 and 3 write ChargePeriodEnd `2023-02-01T30:00:00Z` (hour 30). As delivered,
# the parser refuses them (asserted below); for the golden comparison the test rolls the hour over into the
# next day (T30 -> next day T06). ChargePeriodEnd of those files is then not asserted.
INVALID_HOUR_FILES = {"commitment_discount_purchase_scenario_2.csv", "commitment_discount_purchase_scenario_3.csv"}

SPEC_FILES = sorted(SPEC.glob("commitment_discount_scenarios/*.csv")) + sorted(
    SPEC.glob("commitment_discount_flexibility/*.csv")
)

# (fixture, landing name) of the version samples that load
LOADED_SAMPLES = {
    "focus_1_2_aws": FIXTURES / "focus-data-toolkit" / "focus_1_2_cost_and_usage_aws.csv",
    "converter_aws": FIXTURES / "focus_converters" / "converted_by_focus-converter-1.0.0" / "aws-cur.focus.parquet",
    "converter_azure": FIXTURES / "focus_converters" / "converted_by_focus-converter-1.0.0" / "azure.focus.parquet",
}
FOCUS_SAMPLE = FIXTURES / "FOCUS-Sample-Data" / "focus_sample.csv"

REFUSED_SAMPLES = {
    "converter_oci.parquet": (
        FIXTURES / "focus_converters" / "converted_by_focus-converter-1.0.0" / "oci.focus.parquet",
        "missing required column(s) chargecategory",
    ),
    "validator_all_pass_0.5.csv": (
        FIXTURES / "focus_validator" / "all_pass_0.5.csv",
        "'2023-06-30 00:00:00' is not the start of a billing month",
    ),
    "validator_fail_invoice_issuer.csv": (
        FIXTURES / "focus_validator" / "fail_invoice_issuer.csv",
        "missing required column(s) billingaccountid, billingperiodstart",
    ),
    "spec_purchase_2_as_delivered.csv": (
        SPEC / "commitment_discount_scenarios" / "commitment_discount_purchase_scenario_2.csv",
        "missing required column(s) billingaccountid, billingcurrency",
    ),
}


@dataclass
class Loaded:
    warehouse: Path
    outcomes: dict[str, tuple[str, str]] = field(default_factory=dict)  # landing path -> (status, detail)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def _spec_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        records = [r for r in csv.reader(handle) if r]
    return records[0], records[1:]


def _roll_hour(text: str) -> str:
    day, _, clock = text.partition("T")
    hour = int(clock[:2])
    if hour < 24:
        return text
    moment = datetime.fromisoformat(day) + (datetime.fromisoformat("2000-01-02") - datetime(2000, 1, 1))
    return f"{moment:%Y-%m-%d}T{hour - 24:02d}{clock[2:]}"


def _write_spec_file(source: Path, target: Path, *, roll_hours: bool = True) -> None:
    """The spec example with the two supplied columns appended (last), nothing else changed except the
    documented ChargePeriodEnd roll-over of INVALID_HOUR_FILES."""
    header, rows = _spec_rows(source)
    account = f"spec:{source.stem}"
    end = header.index("ChargePeriodEnd")
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*header, "BillingAccountId", "BillingCurrency"])
        for row in rows:
            if roll_hours and source.name in INVALID_HOUR_FILES:
                row = [*row[:end], _roll_hour(row[end]), *row[end + 1 :]]
            writer.writerow([*row, account, SUPPLIED_BILLING_CURRENCY])


def _split_by_period(source: Path, landing: Path) -> list[Path]:
    """focus_sample.csv spans two periods; this test loads it as two one-period deliveries (split by
    BillingPeriodStart, rows and bytes otherwise unchanged). The file as delivered loads too, period by period:
    tests/unit/test_ingest.py."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    index = header.index("BillingPeriodStart")
    written = []
    for period in sorted({r[index] for r in rows}):
        target = landing / f"focus_sample_{period[:7]}.csv"
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(r for r in rows if r[index] == period)
        written.append(target)
    return written


def _run_dbt(warehouse: Path, work: Path) -> None:
    for arguments in (["seed"], ["run", "--select", "+focus_cost_and_usage"]):
        done = run_dbt(arguments, warehouse, work / "target", work / "logs")
        assert done.returncode == 0, done.stdout[-4000:]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    work = tmp_path_factory.mktemp("focus-pipeline")
    landing, quarantine = work / "landing", work / "quarantine"
    focus_dir = landing / "focus"
    for spec in SPEC_FILES:
        _write_spec_file(spec, focus_dir / "spec" / spec.name)
    for name, sample in LOADED_SAMPLES.items():
        (focus_dir / "samples").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sample, focus_dir / "samples" / f"{name}{sample.suffix}")
    (focus_dir / "focus_sample").mkdir(parents=True)
    _split_by_period(FOCUS_SAMPLE, focus_dir / "focus_sample")
    (focus_dir / "refused").mkdir(parents=True)
    for name, (sample, _) in REFUSED_SAMPLES.items():
        shutil.copyfile(sample, focus_dir / "refused" / name)
    _write_spec_file(
        SPEC / "commitment_discount_scenarios" / "commitment_discount_purchase_scenario_2.csv",
        focus_dir / "refused" / "spec_purchase_2_hour_30.csv",
        roll_hours=False,
    )
    result = Loaded(work / "warehouse.duckdb")
    with duckdb.connect(str(result.warehouse)) as con:
        report = ingest_source(con, "focus", landing, quarantine)
    result.outcomes = {o.path: (o.status, o.detail) for o in report.outcomes}
    _run_dbt(result.warehouse, work)
    yield result


# --- 1. the specification's commitment-discount examples -------------------------------------------------


def _mart_columns(loaded: Loaded) -> dict[str, str]:
    rows = loaded.query(
        "select column_name from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'focus_cost_and_usage'"
    )
    return {name.lower(): name for (name,) in rows}


def _expected(value: str, actual: object) -> object:
    if value == "null":
        return None
    if isinstance(actual, Decimal):
        return Decimal(value)
    if isinstance(actual, datetime):
        return parse_timestamp(value)
    return value


@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_spec_commitment_discount_example_is_reproduced(loaded: Loaded, spec: Path) -> None:
    landing_path = f"focus/spec/{spec.name}"
    assert loaded.outcomes[landing_path][0] == "loaded", loaded.outcomes[landing_path]
    header, rows = _spec_rows(spec)
    mart = _mart_columns(loaded)
    asserted = [c for c in header if c.lower() in mart and not c.startswith("x_")]
    if spec.name in INVALID_HOUR_FILES:
        asserted.remove("ChargePeriodEnd")
    # every semantic column of the example is in the mart (x_CommitmentDiscountUnitPrice is the spec's own
    # illustration column; it stays in raw.focus)
    assert [c for c in header if c.lower() not in mart] in ([], ["x_CommitmentDiscountUnitPrice"])
    select = ", ".join(mart[c.lower()] for c in asserted)
    actual = loaded.query(
        f"select {select} from marts.focus_cost_and_usage where x_SourceFile = ? order by x_SourceRow",
        [landing_path],
    )
    assert len(actual) == len(rows)
    for number, (spec_row, mart_row) in enumerate(zip(rows, actual, strict=True), start=1):
        by_name = dict(zip(header, spec_row, strict=True))
        for column, got in zip(asserted, mart_row, strict=True):
            assert got == _expected(by_name[column], got), (
                f"row {number} {column}: mart {got!r}, spec {by_name[column]!r}"
            )


def test_spec_examples_cover_the_commitment_discount_outcomes(loaded: Loaded) -> None:
    """Every example states EffectiveCost, BilledCost and ChargeCategory; the usage ones CommitmentDiscountStatus."""
    for spec in SPEC_FILES:
        header, _ = _spec_rows(spec)
        assert {"BilledCost", "EffectiveCost", "ChargeCategory"} <= set(header)
    statuses = loaded.query(
        "select CommitmentDiscountStatus, count(*) from marts.focus_cost_and_usage "
        "where x_SourceFile like 'focus/spec/%' group by 1 order by 1 nulls first"
    )
    expected: dict[str | None, int] = {}
    for spec in SPEC_FILES:
        header, rows = _spec_rows(spec)
        if "CommitmentDiscountStatus" not in header:
            expected[None] = expected.get(None, 0) + len(rows)
            continue
        for row in rows:
            value = row[header.index("CommitmentDiscountStatus")]
            key = None if value == "null" else value
            expected[key] = expected.get(key, 0) + 1
    assert dict(statuses) == expected
    assert {"Used", "Unused"} <= set(expected)


def test_spec_example_with_hour_30_is_refused_as_delivered(loaded: Loaded) -> None:
    status, detail = loaded.outcomes["focus/refused/spec_purchase_2_hour_30.csv"]
    assert status == "quarantined"
    assert "column chargeperiodend: '2023-02-01T30:00:00Z' is not a date or timestamp" in detail


# --- 2. FOCUS versions and providers ---------------------------------------------------------------------


def _sample_sums(path: Path) -> tuple[Decimal, Decimal, Decimal, Decimal, int]:
    """Σ BilledCost, Σ EffectiveCost of a file (exact), and the same sums of each value at the warehouse's
    money scale (decimal(38,10), half away from zero), and the row count."""
    if path.suffix == ".parquet":
        rows = pq.read_table(path).to_pylist()

        def number(v: object) -> Decimal:
            return Decimal(repr(v)) if isinstance(v, float) else Decimal(str(v))
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))

        def number(v: object) -> Decimal:
            return Decimal(str(v))

    billed = [number(r["BilledCost"]) for r in rows]
    effective = [number(r["EffectiveCost"]) for r in rows]

    def at_scale(values: list[Decimal]) -> Decimal:
        return sum((v.quantize(MONEY_SCALE, rounding=ROUND_HALF_UP) for v in values), Decimal(0))

    return sum(billed, Decimal(0)), sum(effective, Decimal(0)), at_scale(billed), at_scale(effective), len(rows)


def _mart_sums(loaded: Loaded, like: str) -> tuple[Decimal, Decimal, int]:
    ((billed, effective, count),) = loaded.query(
        "select sum(BilledCost), sum(EffectiveCost), count(*) from marts.focus_cost_and_usage "
        "where x_SourceFile like ?",
        [like],
    )
    return billed, effective, count


def _raw_sums(loaded: Loaded, like: str) -> tuple[Decimal, Decimal]:
    rows = loaded.query("select billedcost, effectivecost from raw.focus where _source_file like ?", [like])
    return sum((Decimal(b) for b, _ in rows), Decimal(0)), sum((Decimal(e) for _, e in rows), Decimal(0))


@pytest.mark.parametrize("name", sorted(LOADED_SAMPLES))
def test_sample_loads_and_totals_are_kept(loaded: Loaded, name: str) -> None:
    sample = LOADED_SAMPLES[name]
    like = f"focus/samples/{name}{sample.suffix}"
    assert loaded.outcomes[like][0] == "loaded", loaded.outcomes[like]
    billed, effective, billed_scaled, effective_scaled, count = _sample_sums(sample)
    assert _raw_sums(loaded, like) == (billed, effective)  # the raw layer is lossless
    assert _mart_sums(loaded, like) == (billed_scaled, effective_scaled, count)
    # the money scale is the only difference: at most half a unit of the 10th decimal per row
    assert abs(billed - billed_scaled) <= count * MONEY_SCALE / 2
    assert abs(effective - effective_scaled) <= count * MONEY_SCALE / 2


def test_focus_1_0_sample_with_three_accounts_loads_split_by_period(loaded: Loaded) -> None:
    like = "focus/focus_sample/%"
    statuses = {p: s for p, (s, _) in loaded.outcomes.items() if p.startswith("focus/focus_sample/")}
    assert statuses == {
        "focus/focus_sample/focus_sample_2024-09.csv": "loaded",
        "focus/focus_sample/focus_sample_2024-10.csv": "loaded",
    }
    billed, effective, billed_scaled, effective_scaled, count = _sample_sums(FOCUS_SAMPLE)
    assert count == 1000
    assert _raw_sums(loaded, like) == (billed, effective)
    assert _mart_sums(loaded, like) == (billed_scaled, effective_scaled, count)
    accounts = loaded.query(
        "select BillingAccountId, ProviderName, count(*) from marts.focus_cost_and_usage "
        "where x_SourceFile like ? group by 1, 2 order by 1",
        [like],
    )
    assert [(a[1], a[2]) for a in accounts] == [("Microsoft", 51), ("AWS", 942), ("Oracle", 7)]


def test_multi_account_delivery_key(loaded: Loaded) -> None:
    rows = loaded.query(
        "select billing_account_id from audit.ingested_files where path = 'focus/samples/focus_1_2_aws.csv'"
    )
    assert rows == [("100000000001,100000000002",)]


def test_versions_are_detected_and_old_names_mapped(loaded: Loaded) -> None:
    rows = loaded.query(
        "select x_detected_focus_version, _source_file from raw.focus "
        "where _source_file like 'focus/samples/%' or _source_file like 'focus/focus_sample/%' group by all"
    )
    assert dict((f, v) for v, f in rows) == {
        "focus/samples/focus_1_2_aws.csv": "1.2",
        "focus/samples/converter_aws.parquet": "1.0-preview",
        "focus/samples/converter_azure.parquet": "1.0-preview",
        "focus/focus_sample/focus_sample_2024-09.csv": "1.0",
        "focus/focus_sample/focus_sample_2024-10.csv": "1.0",
    }
    # focus-converter's Provider / Publisher / InvoiceIssuer arrive as ProviderName / PublisherName / ...
    mapped = loaded.query(
        "select distinct ProviderName, PublisherName, InvoiceIssuerName, ServiceProviderName "
        "from marts.focus_cost_and_usage where x_SourceFile = 'focus/samples/converter_azure.parquet'"
    )
    source = pq.read_table(LOADED_SAMPLES["converter_azure"]).to_pylist()
    # ServiceProviderName (FOCUS 1.3) defaults to PublisherName, else ProviderName (int_focus_charges_normalized)
    expected = {(r["Provider"], r["Publisher"], r["InvoiceIssuer"], r["Publisher"] or r["Provider"]) for r in source}
    assert set(mapped) == expected
    assert all(m[0] for m in mapped)


def test_unknown_columns_are_kept_in_raw(loaded: Loaded) -> None:
    columns = {
        name
        for (name,) in loaded.query(
            "select column_name from information_schema.columns where table_schema = 'raw' and table_name = 'focus'"
        )
    }
    assert {"x_commitmentdiscountunitprice", "id"} <= columns  # spec illustration column; focus_sample's Id


@pytest.mark.parametrize("name", sorted(REFUSED_SAMPLES))
def test_sample_is_refused_with_a_message(loaded: Loaded, name: str) -> None:
    status, detail = loaded.outcomes[f"focus/refused/{name}"]
    assert status == "quarantined"
    assert REFUSED_SAMPLES[name][1] in detail, detail
