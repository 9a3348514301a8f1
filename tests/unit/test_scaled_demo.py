"""Scaled demo exports (orchestration/demo/scale.py): exact row counts, realistic copies, the platform parses them."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.demo import aws_cur, scale, write_demo_landing_zone
from orchestration.demo.periods import BillingPeriod
from orchestration.demo.scale import (
    ScaleManifest,
    azure_delivery_path,
    copy_counts,
    scaled_periods,
    template_period,
    write_scaled_landing_zone,
)
from orchestration.ingest.landing import ingest_source
from orchestration.sources import FORMATS

ROWS = 5_000
MONTHS = 3  # 2026-08 .. 2026-10: the same templates, unshifted
SHIFTED_MONTHS = 4  # adds 2026-07, built from the October template


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def demo_truth(demo_dir: Path) -> dict[tuple[str, str, str], Decimal]:
    """(source, period, currency) -> billed total of the demo without the AWS re-delivery (written to demo_dir)."""
    manifest = write_demo_landing_zone(demo_dir, include_restatement=False)
    totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for (source, period, _account, currency), sums in manifest.totals.items():
        totals[(source, period, currency)] += sums.billed
    return dict(totals)


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> ScaleManifest:
    return write_scaled_landing_zone(tmp_path_factory.mktemp("scaled"), rows=ROWS, months=SHIFTED_MONTHS)


def test_periods_end_at_the_last_month_the_seeds_cover() -> None:
    assert scaled_periods(1) == [date(2026, 10, 1)]
    assert scaled_periods(2) == [date(2026, 9, 1), date(2026, 10, 1)]
    assert scaled_periods(10)[0] == date(2026, 1, 1)
    assert scaled_periods(12) == [date(2026, m, 1) for m in range(1, 13)]
    assert scaled_periods(24)[-1] == date(2027, 12, 1)
    for wrong in (0, 25):
        with pytest.raises(ValueError, match="months"):
            scaled_periods(wrong)
    assert template_period(BillingPeriod(date(2026, 7, 1))).label == "2026-10"
    assert template_period(BillingPeriod(date(2026, 6, 1))).label == "2026-09"
    assert template_period(BillingPeriod(date(2027, 2, 1))).label == "2026-08"


def test_copy_counts_hit_the_target_exactly() -> None:
    groups = [1, 2, 1, 2, 1]
    for target in (10, 11, 23, 1000):
        counts = copy_counts(groups, 3, target, 2026, [str(i) for i in range(5)])
        assert 3 + sum(c * g for c, g in zip(counts, groups, strict=True)) == target
    assert sum(copy_counts([1] * 100, 0, 40, 7, [str(i) for i in range(100)])) == 40  # fewer rows than the template


def test_one_aws_parquet_and_one_azure_csv_per_month_with_the_exact_rows(scaled: ScaleManifest) -> None:
    assert scaled.periods == [date(2026, m, 1) for m in (7, 8, 9, 10)]
    assert len(scaled.files) == 2 * SHIFTED_MONTHS
    for period in scaled.periods:
        files = {f.source: f for f in scaled.files if f.billing_period_start == period}
        assert set(files) == {"aws_cur", "azure_cost"}
        assert files["aws_cur"].file_format == "parquet" and files["azure_cost"].file_format == "csv"
        assert files["aws_cur"].rows + files["azure_cost"].rows == ROWS
        assert files["aws_cur"].rows == 3_000
        assert pq.read_metadata(files["aws_cur"].path).num_rows == 3_000
        with files["azure_cost"].path.open(encoding="utf-8-sig") as handle:
            assert sum(1 for _ in handle) == 1 + files["azure_cost"].rows
    landing = scaled.files[0].path.parents[5]
    aws_files = sorted((landing / "aws_cur").rglob("*.parquet"))
    assert [p.parent.parent.name for p in aws_files] == [f"BILLING_PERIOD=2026-{m:02d}" for m in (7, 8, 9, 10)]
    assert len(list((landing / "azure_cost").rglob("*.csv"))) == SHIFTED_MONTHS


def test_columns_are_the_demo_templates(scaled: ScaleManifest, demo_dir: Path, demo_truth: dict) -> None:
    period = BillingPeriod(date(2026, 10, 1))
    demo_aws = pq.read_schema(aws_cur.delivery_path(demo_dir, 2026, period))
    demo_azure = azure_delivery_path(demo_dir, period).read_text(encoding="utf-8-sig").splitlines()[0]
    for scaled_file in scaled.files:
        if scaled_file.source == "aws_cur":
            schema = pq.read_schema(scaled_file.path)
            assert schema.names == demo_aws.names
            for theirs, ours in zip(demo_aws, schema, strict=True):  # timestamps: ms -> us, still UTC
                assert str(ours.type).split("[")[0] == str(theirs.type).split("[")[0], ours.name
        else:
            assert scaled_file.path.read_text(encoding="utf-8-sig").splitlines()[0] == demo_azure


def test_copies_are_distinct_resources_with_the_template_dimensions(
    scaled: ScaleManifest, demo_dir: Path, demo_truth: dict
) -> None:
    con = duckdb.connect()
    for scaled_file in scaled.files:
        path = str(scaled_file.path)
        template = template_period(BillingPeriod(scaled_file.billing_period_start))
        if scaled_file.source == "aws_cur":
            (template_resources,) = con.execute(
                "select count(distinct line_item_resource_id) from read_parquet(?, hive_partitioning = false)",
                [str(aws_cur.delivery_path(demo_dir, 2026, template))],
            ).fetchone()
            ids, keys, resources, tags = con.execute(
                "select count(distinct identity_line_item_id), "
                "count(distinct (line_item_resource_id, line_item_usage_start_date, line_item_usage_type, "
                "line_item_line_item_type)) filter (where line_item_resource_id is not null), "
                "count(distinct line_item_resource_id), "
                "count(distinct cast(resource_tags as varchar)) from read_parquet(?, hive_partitioning = false)",
                [path],
            ).fetchone()
            assert ids == scaled_file.rows  # every line item id unique
            # each template resource becomes one or more (3,000 rows from ~1,950: one or two copies each)
            assert resources > template_resources and tags < 30
            (usage_keys,) = con.execute(
                "select count(*) from read_parquet(?, hive_partitioning = false) "
                "where line_item_resource_id is not null",
                [path],
            ).fetchone()
            assert keys == usage_keys
        else:
            (template_resources,) = con.execute(
                "select count(distinct ResourceId) from read_csv(?, all_varchar = true)",
                [str(azure_delivery_path(demo_dir, template))],
            ).fetchone()
            keys, resources, unparsable, places = con.execute(
                "select count(distinct (ResourceId, Date, MeterId)), count(distinct ResourceId), "
                "count(*) filter (where try_cast(Cost as decimal(38,10)) is null), "
                "max(length(split_part(Cost, '.', 2))) "
                "from read_csv(?, all_varchar = true)",
                [path],
            ).fetchone()
            assert keys == scaled_file.rows and resources > 2 * template_resources
            assert unparsable == 0 and places <= 10


def test_month_totals_are_the_demo_months(scaled: ScaleManifest, demo_truth: dict) -> None:
    """Copies split every amount exactly, so a month has the demo month's total (the template's for 2026-07)."""
    con = duckdb.connect()
    for scaled_file in scaled.files:
        template = template_period(BillingPeriod(scaled_file.billing_period_start)).iso
        if scaled_file.source == "aws_cur":
            (total,) = con.execute(
                "select sum(cast(line_item_unblended_cost as decimal(38,10))) "
                "from read_parquet(?, hive_partitioning = false)",
                [str(scaled_file.path)],
            ).fetchone()
            assert total == demo_truth[("aws_cur", template, "USD")]
        else:
            (total,) = con.execute(
                "select sum(cast(Cost as decimal(38,10))) from read_csv(?, all_varchar = true)",
                [str(scaled_file.path)],
            ).fetchone()
            assert total == demo_truth[("azure_cost", template, "EUR")]


def test_shifted_month_moves_every_date(scaled: ScaleManifest) -> None:
    con = duckdb.connect()
    con.execute("set timezone = 'UTC'")
    july = {f.source: f for f in scaled.files if f.billing_period_start == date(2026, 7, 1)}
    first, last, periods, intervals = con.execute(
        "select min(line_item_usage_start_date)::date, max(line_item_usage_end_date)::date, "
        "count(distinct (bill_billing_period_start_date, bill_billing_period_end_date)), "
        "count(*) filter (where identity_time_interval <> strftime(line_item_usage_start_date, '%Y-%m-%dT%H:%M:%SZ') "
        "|| '/' || strftime(line_item_usage_end_date, '%Y-%m-%dT%H:%M:%SZ')) "
        "from read_parquet(?, hive_partitioning = false)",
        [str(july["aws_cur"].path)],
    ).fetchone()
    assert (first, last, periods, intervals) == (date(2026, 7, 1), date(2026, 8, 1), 1, 0)
    dates, period_starts = con.execute(
        "select list(distinct Date order by Date), list(distinct BillingPeriodStartDate) "
        "from read_csv(?, all_varchar = true)",
        [str(july["azure_cost"].path)],
    ).fetchone()
    assert dates == [f"07/{day:02d}/2026" for day in range(1, 32)] and period_starts == ["07/01/2026"]


@pytest.mark.parametrize("month", [7, 9])
def test_the_platform_parsers_accept_the_files(scaled: ScaleManifest, month: int) -> None:
    for scaled_file in scaled.files:
        if scaled_file.billing_period_start != date(2026, month, 1):
            continue
        parsed = FORMATS[scaled_file.source].parse(scaled_file.path)
        assert parsed.row_count == scaled_file.rows
        assert parsed.billing_period_start == scaled_file.billing_period_start


def test_too_few_rows_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least"):
        write_scaled_landing_zone(tmp_path, rows=999, months=1)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--rows", "999"], "--rows 999 is too small"),
        (["--rows", "5000", "--months", "25"], "--months 25 is out of range"),
        (["--rows", "5000", "--months", "0"], "--months 0 is out of range"),
        (["--months", "3"], "--months scales the demo and needs --rows"),
    ],
)
def test_the_demo_command_refuses_a_scale_it_cannot_write(
    arguments: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from orchestration.cli import app
    from orchestration.user_errors import UserError

    monkeypatch.setenv("BILLING_DATA_DIR", str(tmp_path))
    done = CliRunner().invoke(app, ["demo", *arguments])
    assert isinstance(done.exception, UserError) and str(done.exception).startswith(message)
    assert not (tmp_path / "landing").exists()


def _amounts(path: Path, source: str) -> tuple[Decimal, int, int, int]:
    """Total cost, distinct costs, lines with a negative cost, savings-plan (resource, hour) pairs not netting to 0."""
    con = duckdb.connect()
    if source == "aws_cur":
        rows = f"read_parquet('{path}', hive_partitioning = false)"
        cost = "cast(line_item_unblended_cost as decimal(38,10))"
        (unbalanced,) = con.execute(
            f"select count(*) from (select line_item_resource_id, line_item_usage_start_date from {rows} "
            "where line_item_line_item_type in ('SavingsPlanCoveredUsage', 'SavingsPlanNegation') "
            f"group by all having sum({cost}) <> 0)"
        ).fetchone()
    else:
        rows, cost, unbalanced = f"read_csv('{path}', all_varchar = true)", "cast(Cost as decimal(38,10))", 0
    total, distinct, negative = con.execute(
        f"select sum({cost}), count(distinct {cost}), count(*) filter ({cost} < 0) from {rows}"
    ).fetchone()
    return total, distinct, negative, unbalanced


def test_amount_variety_gives_copies_amounts_of_their_own_and_keeps_every_total(tmp_path: Path) -> None:
    """Real exports rarely repeat an amount as evenly as copies of one line do, and the allocation runs once per
    distinct amount: with variety, half the pairs of copies trade part of their amounts. Totals, signs and the
    savings plan's netting pairs stay exact."""
    even = write_scaled_landing_zone(tmp_path / "even", rows=20_000, months=1)
    varied = write_scaled_landing_zone(tmp_path / "varied", rows=20_000, months=1, amount_variety=50)
    for even_file, varied_file in zip(even.files, varied.files, strict=True):
        even_total, even_distinct, even_negative, even_unbalanced = _amounts(even_file.path, even_file.source)
        total, distinct, negative, unbalanced = _amounts(varied_file.path, varied_file.source)
        assert total == even_total
        assert distinct > 2 * even_distinct, (varied_file.source, distinct, even_distinct)
        assert (negative, unbalanced) == (even_negative, even_unbalanced) == (negative, 0)


def test_amount_variety_is_a_percent(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="percent between 0 and 100"):
        write_scaled_landing_zone(tmp_path, rows=20_000, months=1, amount_variety=101)


def test_an_azure_month_above_the_part_size_is_delivered_in_parts_with_its_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As Azure delivers an export run: parts under the part size, each with the header line, and the run's
    manifest.json listing each part's bytes and rows. The ingest loads them as one delivery: the month's rows and cost
    are those written unsplit."""
    whole = write_scaled_landing_zone(tmp_path / "whole", rows=20_000, months=1)
    monkeypatch.setattr(scale, "AZURE_PART_BYTES", 1_000_000)
    split = write_scaled_landing_zone(tmp_path / "split", rows=20_000, months=1)
    (unsplit,) = [f for f in whole.files if f.source == "azure_cost"]
    parts = [f for f in split.files if f.source == "azure_cost"]
    assert [p.path.name for p in parts] == [f"part_0_{n:04d}.csv" for n in range(1, len(parts) + 1)]
    assert len(parts) >= 3 and sum(p.rows for p in parts) == unsplit.rows == 8_000
    header = unsplit.path.read_text(encoding="utf-8-sig").splitlines()[0]
    assert all(p.path.read_text(encoding="utf-8-sig").splitlines()[0] == header for p in parts)
    assert all(p.path.stat().st_size <= 1_000_000 for p in parts)
    document = json.loads((parts[0].path.parent / "manifest.json").read_text(encoding="utf-8"))
    assert [(b["blobName"].split("/")[-1], b["byteCount"], b["dataRowCount"]) for b in document["blobs"]] == [
        (p.path.name, p.path.stat().st_size, p.rows) for p in parts
    ]

    def loaded(landing: Path) -> tuple[list[str], int, Decimal]:
        con = duckdb.connect()
        report = ingest_source(con, "azure_cost", landing, landing.parent / "quarantine")
        rows, cost = con.execute(
            "select count(*), sum(cast(costinbillingcurrency as decimal(38, 10))) from raw.azure_cost "
            "where _billing_period_start = '2026-10-01'"
        ).fetchone()
        return sorted({o.status for o in report.outcomes}), rows, cost

    assert loaded(tmp_path / "split") == loaded(tmp_path / "whole")
    assert loaded(tmp_path / "split")[:2] == (["loaded"], 8_000)
