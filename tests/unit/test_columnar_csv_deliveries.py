"""AWS CUR CSV (CUR 2.0 and legacy) and gzip-compressed CSV exports parse in DuckDB to the row-by-row parsers' text.

A legacy CUR is delivered as `.csv.gz` by default, and a consolidated one reaches millions of lines: row by row, the
parser held every line as Python objects (200,000 lines: 1.8 GiB), so a month of a large payer could not be read in
8 GiB. Azure's and AWS's newer exports may be gzip-compressed too. The row-by-row parsers stay the reference
(docs/raw-layer.md): every test here compares both parses value for value, or shows the file left to the parser.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.demo import aws_cur as demo_aws
from orchestration.demo import azure_cost as demo_azure
from orchestration.demo import focus as demo_focus
from orchestration.demo.periods import DEMO_PERIODS
from orchestration.ingest import landing
from orchestration.ingest.landing import ingest_source
from orchestration.sources import FORMATS
from orchestration.sources.in_duckdb import columnar
from tests.unit.test_columnar_parsing import FIXTURES, _assert_same_parse, _staged_rows

AWS_CSV_FIXTURES = sorted(
    [
        *(FIXTURES / "third_party" / "koku" / "aws").glob("*.csv"),
        FIXTURES / "third_party" / "focus_converters" / "sample-anonymous-aws-export-dataset.csv",
        FIXTURES / "third_party" / "fivetran-dbt_aws_cloud_cost" / "aws_cost_report.csv",
    ]
)
LEGACY_HEADER = (
    "identity/LineItemId,bill/BillingPeriodStartDate,bill/BillingPeriodEndDate,bill/PayerAccountId,"
    "lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,"
    "lineItem/ProductCode,lineItem/UnblendedCost,lineItem/CurrencyCode"
)


def _gzipped(path: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with path.open("rb") as plain, gzip.open(target, "wb") as packed:
        shutil.copyfileobj(plain, packed)
    return target


def _legacy_line(number: int, cost: str, tags: list[str]) -> str:
    fields = [
        f"line-{number}", "2023-06-01T00:00:00Z", "2023-07-01T00:00:00Z", "111122223333", "444455556666", "Usage",
        "2023-06-03T00:00:00.000Z", "2023-06-03T01:00:00.000Z", "AmazonEC2", cost, "USD", *tags,
    ]  # fmt: skip
    return ",".join(f'"{f.replace(chr(34), chr(34) * 2)}"' if any(c in f for c in ',"\n') else f for f in fields)


def _legacy_csv(path: Path, tag_headers: list[str], lines: list[tuple[str, list[str]]]) -> Path:
    header = ",".join([LEGACY_HEADER, *tag_headers])
    body = [_legacy_line(number, cost, tags) for number, (cost, tags) in enumerate(lines, start=1)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("path", AWS_CSV_FIXTURES, ids=lambda p: p.name)
def test_real_cur_csv_exports_parse_the_same_or_fall_back(path: Path) -> None:
    _assert_same_parse("aws_cur", path)


def test_every_real_cur_csv_the_parser_reads_takes_the_columnar_path() -> None:
    readable = []
    for path in AWS_CSV_FIXTURES:
        try:
            FORMATS["aws_cur"].parse(path)
        except Exception:  # the parser refuses it (a ragged row, no costs): not this path's to take
            continue
        readable.append(path.name)
    taken = [p.name for p in AWS_CSV_FIXTURES if _assert_same_parse("aws_cur", p)]
    # koku's legacy CURs fold `costCategory/<name>` columns; its alt-columns CUR and the focus-converter sample are
    # snake_case and legacy headers without tags.
    assert sorted(taken) == sorted(readable) == [
        "2022-07-01-alt-columns.csv", "2023-06-01-not-final.csv", "2023-06-01.csv",
        "sample-anonymous-aws-export-dataset.csv",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "plain"),
    [
        ("aws_cur", FIXTURES / "third_party" / "koku" / "aws" / "2023-06-01.csv"),
        ("aws_cur", FIXTURES / "third_party" / "focus_converters" / "sample-anonymous-aws-export-dataset.csv"),
        ("azure_cost", FIXTURES / "constructed" / "azure_cost" / "ea_2023-10_amortized.csv"),
        ("focus", FIXTURES / "third_party" / "focus-data-toolkit" / "focus_1_2_cost_and_usage_aws.csv"),
    ],
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_a_gzip_compressed_export_gives_the_text_of_the_plain_one(tmp_path: Path, source: str, plain: Path) -> None:
    packed = _gzipped(plain, tmp_path / f"{plain.stem}.csv.gz")
    assert _assert_same_parse(source, packed)
    con = duckdb.connect()
    from_packed, from_plain = columnar.stage(con, source, packed), columnar.stage(con, source, plain)
    assert from_packed is not None and from_plain is not None
    assert from_packed.row_count == from_plain.row_count > 0
    for period in from_plain.periods:
        packed_tables, plain_tables = from_packed.for_period(period).tables, from_plain.for_period(period).tables
        for name, table in plain_tables.items():
            assert _staged_rows(con, packed_tables[name]) == _staged_rows(con, table)
    assert columnar.delivered_periods(con, source, packed) == columnar.delivered_periods(con, source, plain)
    assert columnar.delivered_periods(con, source, packed) == set(from_plain.periods)


def test_legacy_tag_columns_are_folded_in_duckdb_as_python_folds_them(tmp_path: Path) -> None:
    """`resourceTags/<key>` and `costCategory/<name>` become two JSON objects per line, keys sorted as Python sorts
    them (`aws:` before `user:`, upper case before lower), an empty value left out, a line without tags `{}`; values
    with quotes, backslashes, commas, tabs, newlines and non-ASCII text are escaped as Python's json escapes them."""
    headers = ["resourceTags/user:team", "resourceTags/aws:createdBy", "resourceTags/user:Team", "costCategory/Unit"]
    path = _legacy_csv(
        tmp_path / "legacy.csv",
        headers,
        [
            ("1.5", ["payments", "arn:aws:iam::1:user/x", "", "Retail"]),
            ("2", ["", "", "", ""]),
            ("0.25", ['say "hi"', "back\\slash", "a,b", "Zürich 東京"]),
            ("3", ["tab\there", "line\nbreak", "\u2028", "/"]),
        ],
    )
    parsed = columnar.stage(duckdb.connect(), "aws_cur", path)
    assert parsed is not None
    assert _assert_same_parse("aws_cur", path)
    reference = FORMATS["aws_cur"].parse(path).tables["aws_cur"]
    assert reference.column("resource_tags").to_pylist()[:2] == [
        '{"aws:createdBy":"arn:aws:iam::1:user/x","user:team":"payments"}',
        "{}",
    ]
    # Both maps: the parser once gave every line `{}` tags when cost categories were folded first.
    assert reference.column("cost_category").to_pylist()[:2] == ['{"Unit":"Retail"}', "{}"]


def test_a_tag_holding_a_control_character_is_left_to_the_row_by_row_parser(tmp_path: Path) -> None:
    """Python escapes U+001F as `\\u001f`, DuckDB as `\\u001F`: such a file is the parser's, whose text stands."""
    path = _legacy_csv(tmp_path / "legacy.csv", ["resourceTags/user:team"], [("1", ["unit\x1fsep"]), ("2", ["ok"])])
    assert columnar.stage(duckdb.connect(), "aws_cur", path) is None
    assert FORMATS["aws_cur"].parse(path).tables["aws_cur"].column("resource_tags").to_pylist() == [
        '{"user:team":"unit\\u001fsep"}',
        '{"user:team":"ok"}',
    ]


def test_a_cur_2_csv_with_maps_as_json_text_gives_the_same_text(tmp_path: Path) -> None:
    """Data Exports' CSV writes the map columns as JSON text: keys in any order, spaces, an empty map, a brace-less
    pair list; Python rewrites each distinct text once, and numbers in exponent form are expanded in DuckDB."""
    header = (
        "bill_billing_period_start_date,bill_billing_period_end_date,bill_payer_account_id,line_item_usage_account_id,"
        "line_item_line_item_type,line_item_usage_start_date,line_item_usage_end_date,line_item_product_code,"
        "line_item_unblended_cost,line_item_currency_code,product,resource_tags"
    )
    lines = [
        "2026-10-01T00:00:00.000Z,2026-11-01T00:00:00.000Z,111,222,Usage,2026-10-02T00:00:00.000Z,"
        '2026-10-02T01:00:00.000Z,AmazonS3,5.64902E-05,USD,"{""region"": ""us-east-1"", ""product_name"": ""S3""}",'
        '"{""user:b"":""2"",""user:a"":""1""}"',
        "2026-10-01T00:00:00.000Z,2026-11-01T00:00:00.000Z,111,222,Usage,2026-10-02T01:00:00.000Z,"
        '2026-10-02T02:00:00.000Z,AmazonS3, 12.5 ,USD,{},"""user:a"":""1"""',
        "2026-10-01T00:00:00.000Z,2026-11-01T00:00:00.000Z,111,222,Tax,2026-10-01T00:00:00.000Z,"
        "2026-11-01T00:00:00.000Z,AmazonS3,1e-1001,USD,,",
    ]
    path = tmp_path / "cur2-00001.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    assert _assert_same_parse("aws_cur", path)
    reference = FORMATS["aws_cur"].parse(path).tables["aws_cur"]
    assert reference.column("line_item_unblended_cost").to_pylist()[:2] == ["0.0000564902", "12.5"]
    assert reference.column("resource_tags").to_pylist()[:2] == ['{"user:a":"1","user:b":"2"}', '{"user:a":"1"}']


def _raw_rows(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple]:
    rows = con.execute(f"select * from raw.{source} order by cast(_source_row as integer)")
    return [tuple(d[0] for d in rows.description), *rows.fetchall()]


def _ingested(tmp_path: Path, name: str, source: str, delivered: Path) -> list[tuple]:
    folder = tmp_path / name / "landing" / source / "export" / "BILLING_PERIOD=2026-10"
    folder.mkdir(parents=True)
    shutil.copy2(delivered, folder / delivered.name)
    con = duckdb.connect()
    report = ingest_source(con, source, tmp_path / name / "landing", tmp_path / name / "quarantine")
    assert [(o.status, Path(o.path).name) for o in report.outcomes] == [("loaded", delivered.name)], report.outcomes
    return _raw_rows(con, source)


@pytest.mark.parametrize("source", ["aws_cur", "azure_cost", "focus"])
def test_a_gzip_month_lands_with_the_raw_rows_the_row_by_row_parser_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    """A legacy CUR month (`.csv.gz`, tag columns folded), an Azure export and a FOCUS export with compression on:
    loaded, not refused as an unexpected file type, each row as the parser writes it."""
    october = DEMO_PERIODS[-1]
    if source == "aws_cur":
        cur = demo_aws.write_month(tmp_path / "demo", 2026, october).path
        delivered = demo_aws.write_legacy_csv_gz(cur, tmp_path / "cur.csv.gz")
    else:
        writer = demo_azure if source == "azure_cost" else demo_focus
        plain = writer.write_month(tmp_path / "demo", 2026, october).path
        delivered = _gzipped(plain, tmp_path / "gz" / f"{plain.name}.gz")
    assert columnar.stage(duckdb.connect(), source, delivered) is not None
    assert columnar.delivered_periods(duckdb.connect(), source, delivered) == {october.start}
    in_duckdb = _ingested(tmp_path, "in_duckdb", source, delivered)
    monkeypatch.setattr(landing.columnar, "stage", lambda con, source, path, period=None: None)
    row_by_row = _ingested(tmp_path, "row_by_row", source, delivered)
    assert len(in_duckdb) > 400
    assert in_duckdb == row_by_row
