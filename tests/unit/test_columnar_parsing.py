"""The columnar parse (DuckDB) writes exactly the raw text the row-by-row parsers write, or leaves the file to them.

The row-by-row parsers are the reference (docs/raw-layer.md). Each test parses one file both ways and compares
every value of every row, the row numbers, the period, the account and the dataset.
"""

from __future__ import annotations

import random
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from orchestration.demo import aws_cur as demo_aws
from orchestration.demo import azure_cost as demo_azure
from orchestration.demo import focus as demo_focus
from orchestration.demo.periods import DEMO_PERIODS
from orchestration.ingest import landing
from orchestration.ingest.landing import ingest_source
from orchestration.retention.pseudonymize import build_pseudonymizer
from orchestration.settings import SEEDS_DIR
from orchestration.sources import FORMATS
from orchestration.sources.common import ParsedFile, iso_utc
from orchestration.sources.in_duckdb import columnar
from orchestration.sources.in_duckdb.columnar import StagedTable

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
AZURE_FIXTURES = sorted(
    [
        *(FIXTURES / "third_party" / "koku" / "azure").glob("*.csv"),
        *(FIXTURES / "third_party" / "opencost" / "azure-billingexports").rglob("*.csv"),
        *(FIXTURES / "constructed" / "azure_cost").glob("*.csv"),
    ]
)


def _staged_rows(con: duckdb.DuckDBPyConnection, table: StagedTable) -> list[dict[str, str | None]]:
    where = f"where {table.where}"
    if table.row_numbered:
        cursor = con.execute(f"select * from {table.name} {where} order by cast(_source_row as bigint)")
    else:
        cursor = con.execute(
            f"select *, cast(rowid + 1 as varchar) as _source_row from {table.name} {where} order by rowid"
        )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _assert_same_parse(source: str, path: Path) -> bool:
    """Both parses agree; returns whether the columnar path took the file."""
    con = duckdb.connect()
    try:
        staged = columnar.stage(con, source, path)
        try:
            reference = FORMATS[source].parse(path)
        except Exception:  # a file the reference refuses must not be taken by the fast path
            assert staged is None, f"{path.name}: the columnar parse took a file the parser refuses"
            return False
        if staged is None:
            return False
        assert (staged.billing_period_start, staged.billing_account_id, staged.row_count, staged.dataset) == (
            reference.billing_period_start,
            reference.billing_account_id,
            reference.row_count,
            reference.dataset,
        )
        assert (staged.periods, staged.period_accounts) == (reference.periods, reference.period_accounts)
        assert list(staged.tables) == list(reference.tables)
        # A file spanning several periods is compared period by period, as the ingest writes it.
        for period in staged.periods:
            staged_part, reference_part = staged.for_period(period), reference.for_period(period)
            assert staged_part.row_count == reference_part.row_count
            for name, table in staged_part.tables.items():
                expected = reference_part.tables[name]
                assert table.column_names == [c for c in expected.column_names if c != "_source_row"]
                assert _staged_rows(con, table) == expected.to_pylist(), f"{path.name}: {name} {period} differs"
        return True
    finally:
        con.close()


def test_the_demo_aws_cur_parquet_is_parsed_in_duckdb_exactly_as_row_by_row(tmp_path: Path) -> None:
    path = demo_aws.write_month(tmp_path, 2026, DEMO_PERIODS[-1]).path
    assert _assert_same_parse("aws_cur", path)


def test_the_demo_azure_csv_is_parsed_in_duckdb_exactly_as_row_by_row(tmp_path: Path) -> None:
    path = demo_azure.write_month(tmp_path, 2026, DEMO_PERIODS[-1]).path
    assert _assert_same_parse("azure_cost", path)


@pytest.mark.parametrize("path", AZURE_FIXTURES, ids=lambda p: p.name)
def test_real_azure_exports_parse_the_same_or_fall_back(path: Path) -> None:
    _assert_same_parse("azure_cost", path)


def test_most_real_azure_exports_take_the_columnar_path() -> None:
    taken = [p.name for p in AZURE_FIXTURES if _assert_same_parse("azure_cost", p)]
    assert len(taken) >= len(AZURE_FIXTURES) // 2, taken


def _awkward_cur(rows: int = 6) -> dict[str, pa.Array | list]:
    utc = [datetime(2026, 10, 1, 0, 0, tzinfo=UTC)] * rows
    return {
        "bill_billing_period_start_date": pa.array(utc, pa.timestamp("ms", tz="UTC")),
        "bill_billing_period_end_date": pa.array([datetime(2026, 11, 1, tzinfo=UTC)] * rows, pa.timestamp("us")),
        "bill_payer_account_id": ["123456789012"] * rows,
        "line_item_usage_account_id": ["", "210987654321", None, "x", "y", "z"],
        "line_item_line_item_type": ["Usage"] * rows,
        "line_item_usage_start_date": pa.array(
            [datetime(2026, 10, 3, 4, 5, 6, 789000, tzinfo=UTC)] * rows, pa.timestamp("ms", tz="UTC")
        ),
        "line_item_usage_end_date": pa.array([datetime(2026, 10, 3, 5)] * rows, pa.timestamp("ns")),
        "line_item_product_code": ["AmazonEC2"] * rows,
        "line_item_unblended_cost": [5.64902e-05, 1e20, -0.0, 0.1, 3.0000000000000004, 1.2345678901234568e17],
        "line_item_unblended_rate": ["5.64902E-05", " 0.0100 ", "12", "1.5e+2", "-0.5e1", None],
        "line_item_usage_amount": pa.array([0.1, 2.5, 1e-7, 7.0, 1.5, 2.0], pa.float32()),
        "line_item_currency_code": ["USD"] * rows,
        "pricing_public_on_demand_cost": pa.array(
            [Decimal("1.2500"), Decimal("-0.000"), None, Decimal("10"), Decimal("0.1"), Decimal("3")],
            pa.decimal128(18, 4),
        ),
        "line_item_tax_amount_flag": [True, False, None, True, True, False],
        "line_item_quantity_int": pa.array([1, 2, 3, None, 5, -6], pa.int64()),
        "resource_tags": pa.array(
            [
                [("user:cost-center", "CC-1100"), ("user:owner", 'a "quoted" é\tname')],
                [],
                None,
                [("b", None), ("a", "x/y")],
                [("日本", "😀")],
                [("z", "1"), ("Z", "2")],
            ],
            pa.map_(pa.string(), pa.string()),
        ),
    }


def test_parquet_types_and_awkward_values_give_the_same_text(tmp_path: Path) -> None:
    path = tmp_path / "cur2-00001.snappy.parquet"
    pq.write_table(pa.table(_awkward_cur()), path)
    assert _assert_same_parse("aws_cur", path)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("line_item_unblended_rate", "12,5"),  # not a plain number
        ("line_item_currency_code", "usd"),  # not an ISO 4217 code
        ("line_item_line_item_type", None),  # a required value missing
        ("line_item_unblended_cost", float("nan")),  # a float that is not a number
        ("line_item_unblended_cost", float("-inf")),  # nor is an infinite one
    ],
)
def test_a_parquet_value_the_columnar_parse_cannot_vouch_for_goes_to_the_row_by_row_parser(
    tmp_path: Path, column: str, value: str | None
) -> None:
    columns = _awkward_cur()
    columns[column] = [*list(columns[column])[:5], value]
    path = tmp_path / "cur2-00001.snappy.parquet"
    pq.write_table(pa.table(columns), path)
    con = duckdb.connect()
    assert columnar.stage(con, "aws_cur", path) is None
    # Nothing staged is left behind on the warehouse connection.
    assert con.execute("select count(*) from duckdb_views() where view_name like 'billing_staged%'").fetchone() == (0,)


def test_azure_csv_awkward_values_give_the_same_text(tmp_path: Path) -> None:
    header = (
        "\ufeffBillingAccountId,BillingPeriodStartDate,BillingPeriodEndDate,SubscriptionId,Date,"
        "CostInBillingCurrency,Quantity,BillingCurrency,Tags,Description\n"
    )
    lines = [
        '74418329,10/01/2026,10/31/2026,sub-1,10/01/2026,5.64902E-05, 2.5000 ,EUR,"""a"": ""b""",plain\n',
        '74418329,10/01/2026,10/31/2026,sub-1,2026-10-02,4.6100,1.5e+2,EUR,"{""z"":""1"",""a"":null}","multi\nline"\n',
        "74418329,10/01/2026,10/31/2026,sub-2,2026-10-03T00:00:00Z,-0.5e1,,EUR,,\n",
        '74418329,10/01/2026,10/31/2026,sub-2,2026-10-04 00:00:00,12,3,EUR,{},quote"less\n',
    ]
    path = tmp_path / "part_0_0001.csv"
    path.write_text(header + "".join(lines), encoding="utf-8")
    assert _assert_same_parse("azure_cost", path)


def test_a_value_the_columnar_parse_cannot_vouch_for_goes_to_the_row_by_row_parser(tmp_path: Path) -> None:
    source = demo_azure.write_month(tmp_path / "demo", 2026, DEMO_PERIODS[-1]).path
    text = source.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    header = text[0].split(",")
    cost = header.index("Cost")
    broken = text[3].split(",")
    broken[cost] = "12,5"  # a decimal comma: one more field than the header
    landing_dir = tmp_path / "landing"
    target = landing_dir / "azure_cost" / "ea-1" / "2026-10" / "part_0_0001.csv"
    target.parent.mkdir(parents=True)
    target.write_text("".join([text[0], text[1], ",".join(broken), *text[4:]]), encoding="utf-8")
    con = duckdb.connect()
    assert columnar.stage(con, "azure_cost", target) is None
    report = ingest_source(con, "azure_cost", landing_dir, tmp_path / "quarantine")
    assert report.outcomes[0].status == "quarantined"
    assert report.outcomes[0].detail.startswith("row 2 has"), report.outcomes[0].detail
    assert con.execute("select count(*) from raw.azure_cost").fetchone() == (0,)


def _raw_after_ingest(tmp_path: Path, name: str, files: list[Path], source: str) -> list[tuple]:
    landing_dir = tmp_path / name / "landing"
    for file in files:
        target = landing_dir / source / file.parent.name / file.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target)
    con = duckdb.connect()
    report = ingest_source(con, source, landing_dir, tmp_path / name / "quarantine")
    assert [o.status for o in report.outcomes] == ["loaded"] * len(files)
    rows = con.execute(f"select * from raw.{source} order by _source_file, cast(_source_row as integer)").fetchall()
    columns = [d[0] for d in con.description]
    con.close()
    return [columns, *rows]


@pytest.mark.parametrize("source", ["aws_cur", "azure_cost"])
def test_raw_rows_are_the_same_whichever_path_parsed_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    writer = demo_aws.write_month if source == "aws_cur" else demo_azure.write_month
    files = [writer(tmp_path / "demo" / p.label, 2026, p).path for p in DEMO_PERIODS]
    columnar_rows = _raw_after_ingest(tmp_path, "columnar", files, source)
    monkeypatch.setattr(landing.columnar, "stage", lambda con, source, path, period=None: None)
    row_rows = _raw_after_ingest(tmp_path, "rows", files, source)
    assert len(columnar_rows) > 1000
    assert columnar_rows == row_rows


@pytest.mark.parametrize("source", ["aws_cur", "azure_cost", "focus"])
def test_a_close_of_one_month_leaves_the_other_months_pending_without_reading_their_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    writer = {"aws_cur": demo_aws, "azure_cost": demo_azure, "focus": demo_focus}[source].write_month
    landing_dir = tmp_path / "landing"
    for period in DEMO_PERIODS:
        written = writer(tmp_path / "demo" / period.label, 2026, period).path
        target = landing_dir / source / period.label / written.name
        target.parent.mkdir(parents=True)
        shutil.copy2(written, target)
    counted: list[str] = []
    real_run = columnar.Checks.run
    monkeypatch.setattr(
        columnar.Checks, "run", lambda checks, con, staged: counted.append(staged.name) or real_run(checks, con, staged)
    )
    con = duckdb.connect()

    report = ingest_source(con, source, landing_dir, tmp_path / "q", period=DEMO_PERIODS[1].start)

    assert sorted((o.status, o.billing_period_start) for o in report.outcomes) == [
        ("loaded", DEMO_PERIODS[1].start),
        ("pending", DEMO_PERIODS[0].start),
        ("pending", DEMO_PERIODS[2].start),
    ]
    assert len(counted) == 1  # only the closed month's rows were staged and checked
    assert con.execute(f"select count(distinct _billing_period_start) from raw.{source}").fetchone() == (1,)


def _temporary_objects(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select view_name from duckdb_views() where temporary and view_name like 'billing%' "
            "union all select table_name from duckdb_tables() where temporary and table_name like 'billing%'"
        ).fetchall()
    ]


def test_values_rewritten_over_a_parquet_view_and_pseudonymized_tags_reach_raw_as_the_row_by_row_path_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The awkward CUR has text rates in scientific notation (rewritten by Python, looked up through a view over the
    # file) and an owner tag (pseudonymized the same way): both layers end up in raw exactly as the row-by-row parse
    # has them.
    path = tmp_path / "cur2-00001.snappy.parquet"
    pq.write_table(pa.table(_awkward_cur()), path)
    pseudonymizer = build_pseudonymizer(SEEDS_DIR, "test-key-not-secret", tmp_path / "unused.key")

    def raw_rows(name: str) -> tuple[list[tuple], list[str]]:
        landing_dir = tmp_path / name / "landing"
        (landing_dir / "aws_cur").mkdir(parents=True)
        shutil.copy2(path, landing_dir / "aws_cur" / path.name)
        con = duckdb.connect()
        report = ingest_source(con, "aws_cur", landing_dir, tmp_path / name / "q", pseudonymizer=pseudonymizer)
        assert report.count("loaded") == 1
        rows = con.execute("select * from raw.aws_cur order by cast(_source_row as integer)").fetchall()
        return rows, _temporary_objects(con)

    layers: list[int] = []  # per staged table, the views its rewritten values were looked up through
    real_stage = columnar.stage

    def stage(con: duckdb.DuckDBPyConnection, source: str, path: Path, period: date | None = None) -> ParsedFile | None:
        parsed = real_stage(con, source, path, period)
        if parsed is not None:
            layers.extend(len(t.layers) for t in parsed.tables.values() if isinstance(t, StagedTable))
        return parsed

    monkeypatch.setattr(landing.columnar, "stage", stage)
    columnar_rows, left_behind = raw_rows("columnar")
    assert layers and layers[0] > 0, "the scientific-notation rates were not rewritten through a view"
    assert left_behind == []
    monkeypatch.setattr(landing.columnar, "stage", lambda con, source, path, period=None: None)
    row_rows, _ = raw_rows("rows")
    assert columnar_rows == row_rows
    owner_tags = [row for row in columnar_rows if any(isinstance(v, str) and "pseud:" in v for v in row)]
    assert len(owner_tags) == 1  # the one row with a user:owner tag


def test_a_file_refused_after_some_values_were_rewritten_leaves_nothing_staged_behind(tmp_path: Path) -> None:
    # The text rates in scientific notation are rewritten (a view and a value map) before Python meets a usage start
    # it cannot read: the file goes to the row-by-row parser and every staged object is dropped.
    columns = _awkward_cur()
    columns["line_item_usage_start_date"] = ["2026-10-03T04:05:06Z"] * 5 + ["not a time"]
    path = tmp_path / "cur2-00001.snappy.parquet"
    pq.write_table(pa.table(columns), path)
    con = duckdb.connect()
    rewritten: list[str] = []
    real = StagedTable.replace_values

    def spy(self: StagedTable, con: duckdb.DuckDBPyConnection, column: str, pairs: list) -> None:
        rewritten.append(column)
        real(self, con, column, pairs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(StagedTable, "replace_values", spy)
        assert columnar.stage(con, "aws_cur", path) is None
    assert "line_item_unblended_rate" in rewritten
    assert _temporary_objects(con) == []


def _azure_csv(tmp_path: Path, periods: list[str]) -> Path:
    header = (
        "BillingAccountId,BillingPeriodStartDate,BillingPeriodEndDate,SubscriptionId,Date,CostInBillingCurrency,"
        "BillingCurrency\n"
    )
    ends = {"09/01/2026": "09/30/2026", "10/01/2026": "10/31/2026"}
    lines = [f"74418329,{start},{ends[start]},sub-1,{start},1.25,EUR\n" for start in periods]
    path = tmp_path / "part_0_0001.csv"
    path.write_text(header + "".join(lines), encoding="utf-8")
    return path


def _october_azure_csv(tmp_path: Path, dates_and_costs: list[tuple[str, str]]) -> Path:
    """An October cost-details CSV, one line per (Date, CostInBillingCurrency), its Quantity the line's index."""
    header = (
        "BillingAccountId,BillingPeriodStartDate,BillingPeriodEndDate,SubscriptionId,Date,CostInBillingCurrency,"
        "BillingCurrency,Quantity\n"
    )
    lines = [
        f"74418329,10/01/2026,10/31/2026,sub-1,{day},{cost},EUR,{index}\n"
        for index, (day, cost) in enumerate(dates_and_costs)
    ]
    path = tmp_path / "part_0_0001.csv"
    path.write_text(header + "".join(lines), encoding="utf-8")
    return path


def test_a_file_is_probed_whole_only_when_its_first_rows_are_of_another_month(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(columnar, "PROBE_HEAD_ROWS", 1)
    probes: list[str] = []
    real_probe = columnar._probe
    monkeypatch.setattr(
        columnar,
        "_probe",
        lambda con, relation, *c: (
            probes.append("head" if relation.endswith("limit 1)") else "whole") or real_probe(con, relation, *c)
        ),
    )
    con = duckdb.connect()
    september, october = date(2026, 9, 1), date(2026, 10, 1)

    one_month = _azure_csv(tmp_path, ["10/01/2026", "10/01/2026"])
    loaded = columnar.stage(con, "azure_cost", one_month, october)
    assert loaded is not None and loaded.row_count == 2
    assert probes == ["head"]  # the first row told: parsed whole, not probed whole first
    columnar.drop_staged(con, loaded)
    probes.clear()
    pending = columnar.stage(con, "azure_cost", one_month, september)
    assert pending is not None and (pending.row_count, pending.billing_period_start) == (0, october)
    assert probes == ["head", "whole"]  # starts in another month: probed whole before being left pending

    # Starting in the closed month or not, a file spanning two months is never left pending on its first rows: it is
    # parsed whole and goes to the row-by-row parser, whose refusal names the rows.
    mixed = _azure_csv(tmp_path, ["10/01/2026", "09/01/2026"])
    assert columnar.stage(con, "azure_cost", mixed, october) is None
    assert columnar.stage(con, "azure_cost", mixed, september) is None


def test_floats_of_every_magnitude_are_written_as_plain_decimals_without_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A month of request-priced lines holds hundreds of thousands of distinct tiny amounts (1.2e-07 in a Parquet
    double); each was once rewritten in Python. DuckDB now moves the exponent itself, to exactly the text the
    row-by-row parser writes (common.decimal_text), from the smallest subnormal to the largest double."""
    rng = random.Random(11)
    edges = [5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e-10, 1e16, 1e20, -1.5e-07, 1e-5, 1e-4]
    amounts = [*edges, *(rng.uniform(-10, 10) * 10 ** rng.randint(-30, 30) for _ in range(3_000 - len(edges)))]
    columns = _awkward_cur(rows=len(amounts))
    columns["line_item_usage_account_id"] = ["210987654321"] * len(amounts)
    columns["line_item_unblended_cost"] = amounts
    for name in ("line_item_unblended_rate", "line_item_usage_amount", "pricing_public_on_demand_cost"):
        del columns[name]
    columns["line_item_tax_amount_flag"] = [True] * len(amounts)
    columns["line_item_quantity_int"] = pa.array(range(len(amounts)), pa.int64())
    columns["resource_tags"] = pa.array([[("a", "1")]] * len(amounts), pa.map_(pa.string(), pa.string()))
    path = tmp_path / "cur2-00001.snappy.parquet"
    pq.write_table(pa.table(columns), path)
    rewritten: list[str] = []
    real_replace = StagedTable.replace_values
    monkeypatch.setattr(
        StagedTable,
        "replace_values",
        lambda self, con, column, pairs: rewritten.append(column) or real_replace(self, con, column, pairs),
    )

    assert _assert_same_parse("aws_cur", path)
    assert "line_item_unblended_cost" not in rewritten
    con = duckdb.connect()
    staged = columnar.stage(con, "aws_cur", path)
    assert staged is not None
    (table,) = staged.tables.values()
    written = [row["line_item_unblended_cost"] for row in _staged_rows(con, table)]
    assert written[:3] == [
        "0." + "0" * 323 + "5",
        "0." + "0" * 307 + "22250738585072014",
        "17976931348623157" + "0" * 292,
    ]
    assert all("e" not in text for text in written)


def test_azure_numbers_in_scientific_notation_are_rewritten_in_duckdb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Azure writes small amounts as `5.64902E-05`; a month of them has as many distinct texts as lines. DuckDB
    writes each as the row-by-row parser does (plain decimal text, trimmed); Python rewrites only an exponent beyond
    ±1000 (here the last line)."""
    rng = random.Random(3)
    costs = [
        f"{rng.choice(['', ' ', '-', '+'])}{rng.randint(1, 99999) / 10 ** rng.randint(0, 5)}"
        f"{rng.choice('eE')}{rng.choice(['', '+', '-'])}{rng.randint(0, 12):02d}"
        for _ in range(1_999)
    ]
    path = _october_azure_csv(tmp_path, [("10/01/2026", cost) for cost in [*costs, "1e-1001"]])
    rewritten: list[str] = []
    real_number_text = columnar._number_text
    monkeypatch.setattr(columnar, "_number_text", lambda value: rewritten.append(value) or real_number_text(value))

    assert _assert_same_parse("azure_cost", path)
    assert rewritten == ["1e-1001"]


def test_azure_dates_are_written_in_duckdb_as_the_row_by_row_parser_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Azure's date-only forms (`10/01/2026`, `2026-10-01`) are on every line of a month: DuckDB writes them as
    common.iso_utc does (midnight UTC), and FOCUS's ISO 8601 UTC timestamps (`2026-10-01T13:45:00Z`, and with zero
    milliseconds as a CUR's usage dates in CSV: `2026-10-01T00:00:00.000Z`). Any other form
    (another time or zone, a single-digit month, whitespace, a day the month lacks) is left for Python to rewrite or
    refuse, as before."""
    rng = random.Random(5)
    days = [date(2024, 1, 1).toordinal() + rng.randint(0, 3_000) for _ in range(900)]
    us = [f"{date.fromordinal(d):%m/%d/%Y}" for d in days[:300]]
    iso = [f"{date.fromordinal(d):%Y-%m-%d}" for d in days[300:600]]
    iso += [
        f"{date.fromordinal(d):%Y-%m-%d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"
        for d in days[600:]
    ]
    iso += ["2024-02-29T23:59:59Z", "2026-10-01T00:00:00Z", "2026-10-01T00:00:00.000Z", "2024-02-29T23:00:00.000Z"]
    for_python = [
        "1/5/2026", "02/29/2024 ", " 2026-10-01", "2026-10-01T00:00:00+02:00", "10/01/2026 13:45:00",
        "2026-10-01 00:00:00.5", "0999-10-01", "2026-1-05", "2026-10-01T00:00:00.500Z", "2026-10-01T00:00Z",
        "2026-10-01T00:00:00z",
    ]  # fmt: skip
    not_dates = [
        "02/30/2026", "13/01/2026", "00/10/2026", "2026-02-30", "2026-13-01", "10/01/26", "yesterday",
        "2026-02-30T00:00:00Z", "2026-10-01T24:00:00Z", "2026-10-01T00:00:60Z", "2026-02-30T00:00:00.000Z",
    ]  # fmt: skip
    con = duckdb.connect()
    columnar._prepare(con)
    sql = dict(
        con.execute(
            "select s, billing_timestamp_text(s) from unnest($texts::varchar[]) as t(s)",
            {"texts": [*us, *iso, "02/29/2024", *for_python, *not_dates]},
        ).fetchall()
    )
    assert all(sql[text] == iso_utc(text) != text for text in [*us, *iso, "02/29/2024"])
    assert all(sql[text] == text for text in [*for_python, *not_dates])

    # A month of them in a file: the same raw text both ways, no date through Python.
    october = [f"10/{d:02d}/2026" if d % 2 else f"2026-10-{d:02d}" for d in range(1, 32)]
    path = _october_azure_csv(tmp_path, [(day, "1.5") for day in october])
    through_python: list[str] = []
    monkeypatch.setattr(columnar, "iso_utc", lambda value: through_python.append(value) or iso_utc(value))

    assert _assert_same_parse("azure_cost", path)
    assert through_python == []


def _periods_by_parser(source: str, path: Path) -> set[date] | None:
    try:
        return set(FORMATS[source].parse(path).periods)
    except Exception:
        return None


FOCUS_FIXTURES = sorted(
    path
    for folder in ("FOCUS-Sample-Data", "focus-data-toolkit", "focus_converters", "FOCUS_Spec", "focus_validator")
    for path in (FIXTURES / "third_party" / folder).rglob("*")
    if path.suffix in (".csv", ".parquet")
)


@pytest.mark.parametrize(
    ("source", "path"),
    [*(("azure_cost", p) for p in AZURE_FIXTURES), *(("focus", p) for p in FOCUS_FIXTURES)],
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_the_periods_read_from_a_real_deliverys_period_column_are_the_ones_its_parser_finds(
    source: str, path: Path
) -> None:
    """The sensor closes the months a delivery's period column names: the parser's months whenever the parser reads
    the file (one it refuses, e.g. a currency `MC`, is quarantined by the close of whichever month is named)."""
    told = columnar.delivered_periods(duckdb.connect(), source, path)
    parsed = _periods_by_parser(source, path)
    assert told is None or parsed is None or told == parsed


def test_most_real_focus_files_the_parser_reads_have_their_periods_read_in_duckdb() -> None:
    readable = [p for p in FOCUS_FIXTURES if _periods_by_parser("focus", p) is not None]
    told = [p.name for p in readable if columnar.delivered_periods(duckdb.connect(), "focus", p) is not None]
    assert len(readable) >= 4 and len(told) == len(readable), told
    spanning = FIXTURES / "third_party" / "FOCUS-Sample-Data" / "focus_sample.csv"
    assert columnar.delivered_periods(duckdb.connect(), "focus", spanning) == {date(2024, 9, 1), date(2024, 10, 1)}


def test_the_period_of_a_cur_or_azure_delivery_is_read_from_its_period_column(tmp_path: Path) -> None:
    con = duckdb.connect()
    september, october = DEMO_PERIODS[-2], DEMO_PERIODS[-1]
    cur = demo_aws.write_month(tmp_path / "aws", 2026, september).path
    azure = demo_azure.write_month(tmp_path / "azure", 2026, october).path
    assert columnar.delivered_periods(con, "aws_cur", cur) == {september.start} == _periods_by_parser("aws_cur", cur)
    assert columnar.delivered_periods(con, "azure_cost", azure) == {october.start}
    assert _periods_by_parser("azure_cost", azure) == {october.start}
    # Typed Parquet timestamps are read as the parser reads them: a period not starting a month says nothing.
    awkward = _awkward_cur()
    awkward["bill_billing_period_start_date"] = pa.array(
        [datetime(2026, 10, 2, tzinfo=UTC)] * 6, pa.timestamp("ms", tz="UTC")
    )
    pq.write_table(pa.table(awkward), tmp_path / "mid-month.parquet")
    assert columnar.delivered_periods(con, "aws_cur", tmp_path / "mid-month.parquet") is None
    # Left to the parser: a file of a format this module does not read, an Azure export without a billing period
    # column, a file of another format than its name says, a FOCUS file with a `null` period.
    assert columnar.delivered_periods(con, "gcp_billing", azure) is None
    payg = tmp_path / "payg.csv"
    payg.write_text("SubscriptionGuid,Date,PreTaxCost,Currency\nsub-1,10/03/2026,1.5,USD\n", encoding="utf-8")
    assert columnar.delivered_periods(con, "azure_cost", payg) is None
    (tmp_path / "not.parquet").write_text("a,b\n1,2\n", encoding="utf-8")
    assert columnar.delivered_periods(con, "aws_cur", tmp_path / "not.parquet") is None
    nulls = tmp_path / "nulls.csv"
    nulls.write_text("BillingPeriodStart,ChargeCategory\n2026-10-01,Usage\n NULL ,Usage\n", encoding="utf-8")
    assert columnar.delivered_periods(con, "focus", nulls) is None


# --- FOCUS ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FOCUS_FIXTURES, ids=lambda p: p.name)
def test_real_focus_files_parse_the_same_or_fall_back(path: Path) -> None:
    _assert_same_parse("focus", path)


def test_every_real_focus_file_the_parser_reads_takes_the_columnar_path() -> None:
    """A FOCUS export of millions of lines is parsed in DuckDB (CSV and Parquet, FOCUS 1.0 to 1.2, one account or
    several, one billing period or several)."""
    taken = sorted(p.name for p in FOCUS_FIXTURES if _assert_same_parse("focus", p))
    assert taken == [
        "aws-cur.focus.parquet",
        "azure.focus.parquet",
        "focus_1_2_cost_and_usage_aws.csv",
        "focus_sample.csv",
    ]
    spanning = columnar.stage(
        duckdb.connect(), "focus", FIXTURES / "third_party" / "FOCUS-Sample-Data" / "focus_sample.csv"
    )
    assert spanning is not None and spanning.periods == [date(2024, 9, 1), date(2024, 10, 1)]


def _focus_csv(tmp_path: Path, rows: list[str]) -> Path:
    header = (
        "\ufeffBillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,"
        "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory,ProviderName,Tags\n"
    )
    path = tmp_path / "focus-cost-and-usage-0001.csv"
    path.write_text(header + "".join(rows), encoding="utf-8")
    return path


def test_focus_csv_awkward_values_give_the_same_text(tmp_path: Path) -> None:
    """`null` in any case and between any whitespace Python strips is no value; numbers are kept as delivered
    (exponent, padding and trailing zeros included); timestamps in any provider form become UTC text."""
    path = _focus_csv(
        tmp_path,
        [
            "acct-1,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z,"
            '5.64902E-05, 2.5000 ,USD,Usage,Acme,"{""a"":""b""}"\n',
            "acct-2,2026-10-01 00:00:00,2026-11-01,2026-10-01T02:00:00+02:00,10/01/2026 03:00:00,"
            "0,-0.0,USD,Usage,\u3000NuLL\xa0,null\n",
            "acct-1,2026-10-01,,2026-10-02T00:00:00.000Z,2026-10-02T01:00:00.000Z,"
            "12, NULL ,USD,Credit, not null ,\x1cNULL\n",
        ],
    )
    assert _assert_same_parse("focus", path)


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ("acct-1,2026-10-01,2026-11-01,2026-10-01,2026-10-02,1_000,1,USD,Usage,Acme,\n", "a number Decimal reads"),
        ("acct-1,2026-10-01,2026-11-01,2026-10-01,2026-10-02,12;5,1,USD,Usage,Acme,\n", "not a number"),
        (",2026-10-01,2026-11-01,2026-10-01,2026-10-02,1,1,USD,Usage,Acme,\n", "an account missing"),
        (" Null,2026-10-01,2026-11-01,2026-10-01,2026-10-02,1,1,USD,Usage,Acme,\n", "an account written `null`"),
        (
            "acct-1,2026-09-01,2026-10-01,2026-09-01,2026-09-02,1,1,USD,Usage,Acme,\n"
            "acct-1,,2026-10-01,2026-09-01,2026-09-02,1,1,USD,Usage,Acme,\n",
            "a row without its period in a file spanning several",
        ),
        ("acct-1,2026-09-15,2026-10-01,2026-09-01,2026-09-02,1,1,USD,Usage,Acme,\n", "a period not starting a month"),
        ("acct-1,2026-10-01,2026-11-01,yesterday,2026-10-02,1,1,USD,Usage,Acme,\n", "not a timestamp"),
        ('"acct,1",2026-10-01,2026-11-01,2026-10-01,2026-10-02,1,1,USD,Usage,Acme,\n', "an account with a comma"),
    ],
)
def test_a_focus_file_the_columnar_parse_cannot_vouch_for_goes_to_the_row_by_row_parser(
    tmp_path: Path, row: str, why: str
) -> None:
    good = "acct-1,2026-10-01,2026-11-01,2026-10-01,2026-10-02,1,1,USD,Usage,Acme,\n"
    path = _focus_csv(tmp_path, [good, row])
    con = duckdb.connect()
    assert columnar.stage(con, "focus", path) is None, why
    assert _temporary_objects(con) == []
    _assert_same_parse("focus", path)


def test_a_focus_parquet_file_with_typed_and_untyped_columns_gives_the_same_text(tmp_path: Path) -> None:
    october = datetime(2026, 10, 1, tzinfo=UTC)
    columns = {
        "BillingAccountId": ["a-1", "a-2", "a-1"],
        "BillingPeriodStart": pa.array([october] * 3, pa.timestamp("us", tz="UTC")),
        "BillingPeriodEnd": ["2026-11-01T00:00:00Z", None, "NULL"],
        "ChargePeriodStart": pa.array([date(2026, 10, 1), date(2026, 10, 2), None], pa.date32()),
        "ChargePeriodEnd": pa.array([october] * 3, pa.timestamp("ms")),
        "BilledCost": pa.array([0.1, 1e-7, -0.0], pa.float64()),
        "EffectiveCost": pa.array([Decimal("1.50"), Decimal("0"), Decimal("-2.25")], pa.decimal128(12, 2)),
        "ListCost": [" 3.0 ", "4e2", None],
        "ConsumedQuantity": pa.array([1, 2, None], pa.int64()),
        "BillingCurrency": ["USD", "USD", "USD"],
        "ChargeCategory": ["Usage", " null ", "Tax"],
        "ProviderName": ["Acme", "", None],
        "x_Unused": pa.nulls(3),
    }
    path = tmp_path / "focus.parquet"
    pq.write_table(pa.table(columns), path)
    assert _assert_same_parse("focus", path)
    columns["BilledCost"] = pa.array([0.1, float("nan"), 1.0], pa.float64())
    pq.write_table(pa.table(columns), path)
    assert columnar.stage(duckdb.connect(), "focus", path) is None


def test_focus_raw_rows_are_the_same_whichever_path_parsed_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [demo_focus.write_month(tmp_path / "demo" / p.label, 2026, p).path for p in DEMO_PERIODS]
    files.append(FIXTURES / "third_party" / "focus-data-toolkit" / "focus_1_2_cost_and_usage_aws.csv")
    columnar_rows = _raw_after_ingest(tmp_path, "columnar", files, "focus")
    monkeypatch.setattr(landing.columnar, "stage", lambda con, source, path, period=None: None)
    row_rows = _raw_after_ingest(tmp_path, "rows", files, "focus")
    assert len(columnar_rows) > 1000
    assert columnar_rows == row_rows


def test_a_consolidated_focus_export_of_another_month_is_left_pending_with_its_accounts_key(tmp_path: Path) -> None:
    toolkit = FIXTURES / "third_party" / "focus-data-toolkit" / "focus_1_2_cost_and_usage_aws.csv"
    con = duckdb.connect()
    pending = columnar.stage(con, "focus", toolkit, date(2026, 10, 1))
    assert pending is not None and pending.tables == {}
    assert (pending.billing_period_start, pending.billing_account_id) == (date(2026, 5, 1), "100000000001,100000000002")
    assert _temporary_objects(con) == []
    taken = columnar.stage(con, "focus", toolkit, date(2026, 5, 1))
    assert taken is not None and taken.row_count == 1000
    # A file whose period cell says `null` on some row is staged whole: the parser's checks decide.
    path = _focus_csv(
        tmp_path,
        [
            "acct-1,2026-09-01,2026-10-01,2026-09-01,2026-09-02,1,1,USD,Usage,Acme,\n",
            "acct-1,null,2026-10-01,2026-09-01,2026-09-02,1,1,USD,Usage,Acme,\n",
        ],
    )
    staged = columnar.stage(con, "focus", path, date(2026, 10, 1))
    assert staged is not None and staged.tables and staged.billing_period_start == date(2026, 9, 1)


@pytest.mark.parametrize("period", [None, date(2024, 10, 1)], ids=["every period", "one period closed"])
def test_a_focus_file_spanning_two_periods_reaches_raw_and_the_audit_as_the_parser_writes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, period: date | None
) -> None:
    """The FinOps Foundation's sample spans September and October 2024: each period is loaded (or left pending)
    with its own accounts' key and its rows' numbers in the file, whichever path parsed it."""
    sample = FIXTURES / "third_party" / "FOCUS-Sample-Data" / "focus_sample.csv"
    staged: list[ParsedFile | None] = []
    real_stage = columnar.stage

    def ingest(name: str) -> tuple[list[tuple], list[tuple], list[tuple]]:
        landing_dir = tmp_path / name / "landing"
        (landing_dir / "focus" / "sample").mkdir(parents=True)
        shutil.copy2(sample, landing_dir / "focus" / "sample" / sample.name)
        con = duckdb.connect()
        report = ingest_source(con, "focus", landing_dir, tmp_path / name / "q", period=period)
        outcomes = sorted(
            (o.status, o.billing_period_start, o.billing_account_id, o.row_count) for o in report.outcomes
        )
        rows = con.execute(
            "select * from raw.focus order by _billing_period_start, cast(_source_row as int)"
        ).fetchall()
        audit = con.execute(
            "select billing_period_start, billing_account_id, row_count, status, file_periods "
            "from audit.ingested_files order by billing_period_start"
        ).fetchall()
        return outcomes, rows, audit

    monkeypatch.setattr(
        landing.columnar,
        "stage",
        lambda con, source, path, wanted=None: staged.append(real_stage(con, source, path, wanted)) or staged[-1],
    )
    by_columns = ingest("columnar")
    assert staged and all(parsed is not None and parsed.multi_period for parsed in staged)
    monkeypatch.setattr(landing.columnar, "stage", lambda con, source, path, wanted=None: None)
    assert ingest("rows") == by_columns
    outcomes, rows, _ = by_columns
    statuses = [(status, start) for status, start, _, _ in outcomes]
    if period is None:
        assert statuses == [("loaded", date(2024, 9, 1)), ("loaded", date(2024, 10, 1))]
        assert len(rows) == 1000
    else:
        assert statuses == [("loaded", date(2024, 10, 1)), ("pending", date(2024, 9, 1))]
        assert 0 < len(rows) < 1000


def test_a_focus_parquet_file_spanning_two_periods_gives_the_same_text_period_by_period(tmp_path: Path) -> None:
    """The FinOps Foundation's sample as Parquet with the types pyarrow infers (timestamps, doubles, integers)."""
    sample = pa_csv.read_csv(FIXTURES / "third_party" / "FOCUS-Sample-Data" / "focus_sample.csv")
    assert pa.types.is_timestamp(sample.schema.field("BillingPeriodStart").type)
    path = tmp_path / "focus_sample.parquet"
    pq.write_table(sample, path)
    assert _assert_same_parse("focus", path)
