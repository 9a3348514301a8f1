"""GCP billing exports, OCI cost reports and OpenCost allocation exports staged in DuckDB a batch at a time give the
raw text their parsers give, and their refusals.

The parser holds a whole file's rows in Python objects (a multi-million-line export does not fit in memory); the
spooled path runs the same per-row code on one batch at a time and stages each batch in DuckDB. Batches of a few
rows here, so that every file crosses several batches: a column first named by a later row, credits of rows in
different batches, a refusal in a later batch.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.demo import gcp_billing as demo_gcp
from orchestration.demo.periods import DEMO_PERIODS
from orchestration.ingest import landing
from orchestration.ingest.landing import ingest_source
from orchestration.retention.pseudonymize import build_pseudonymizer
from orchestration.settings import SEEDS_DIR
from orchestration.sources import FORMATS, RejectedFile
from orchestration.sources.common import ParsedFile
from orchestration.sources.gcp_billing import CREDITS_TABLE, RAW_TABLE
from orchestration.sources.in_duckdb import columnar, spooled
from orchestration.sources.in_duckdb.columnar import StagedTable
from tests.unit.test_sources_gcp import KOKU_SAMPLE, RECORD, csv_row, write_csv
from tests.unit.test_sources_kubernetes import EXPORT as KUBERNETES_EXPORT
from tests.unit.test_sources_kubernetes import _landed as kubernetes_landed
from tests.unit.test_sources_oci import HEADER as OCI_HEADER
from tests.unit.test_sources_oci import SAMPLE as OCI_SAMPLE
from tests.unit.test_sources_oci import line as oci_line
from tests.unit.test_sources_oci import write as write_oci

SOURCE = "gcp_billing"


def _staged_rows(con: duckdb.DuckDBPyConnection, table: StagedTable) -> list[dict[str, str | None]]:
    cursor = con.execute(
        f"select {', '.join(map(json.dumps, table.column_names))} from {table.name} where {table.where} "
        "order by cast(_source_row as bigint), rowid"
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _assert_same(con: duckdb.DuckDBPyConnection, staged: ParsedFile, reference: ParsedFile, what: str) -> None:
    """Both parses agree: the file's period(s), account and rows, and each period's tables value for value."""
    assert (staged.billing_period_start, staged.billing_account_id, staged.row_count) == (
        reference.billing_period_start,
        reference.billing_account_id,
        reference.row_count,
    )
    assert (staged.periods, staged.period_accounts) == (reference.periods, reference.period_accounts)
    assert list(staged.tables) == list(reference.tables)
    for period in staged.periods:
        staged_part, reference_part = staged.for_period(period), reference.for_period(period)
        assert staged_part.row_count == reference_part.row_count
        for name, table in staged_part.tables.items():
            expected = reference_part.tables[name]
            assert table.column_names == expected.column_names, name
            assert table.num_rows == expected.num_rows, name
            assert _staged_rows(con, table) == expected.to_pylist(), f"{what}: {name} {period} differs"


def _assert_same_parse(path: Path, batch_rows: int = 2) -> None:
    con = duckdb.connect()
    staged = spooled.stage_gcp(con, path, batch_rows=batch_rows)
    assert list(staged.tables) == [RAW_TABLE, CREDITS_TABLE]
    _assert_same(con, staged, FORMATS[SOURCE].parse(path), path.name)
    con.close()


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def test_the_koku_csv_sample_is_staged_as_the_parser_reads_it() -> None:
    _assert_same_parse(KOKU_SAMPLE, batch_rows=4)


def test_the_demo_json_lines_export_is_staged_as_the_parser_reads_it(tmp_path: Path) -> None:
    path = demo_gcp.write_month(tmp_path, 2026, DEMO_PERIODS[-1]).path
    _assert_same_parse(path, batch_rows=50)


@pytest.mark.parametrize("form", ["csv", "jsonl"])
def test_a_gzip_compressed_gcp_export_is_read_as_its_plain_form(tmp_path: Path, form: str) -> None:
    """A BigQuery extract to Cloud Storage with GZIP compression (`.csv.gz`, `.json.gz`): staged and parsed as the
    plain file is, its months and accounts read in DuckDB for the sensor; a truncated one refused in one line."""
    plain = KOKU_SAMPLE if form == "csv" else demo_gcp.write_month(tmp_path, 2026, DEMO_PERIODS[-1]).path
    packed = tmp_path / ("export.csv.gz" if form == "csv" else "export.json.gz")
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    _assert_same_parse(packed, batch_rows=50)
    con = duckdb.connect()
    assert _staged_rows(con, spooled.stage_gcp(con, packed).tables[RAW_TABLE]) == _staged_rows(
        con, spooled.stage_gcp(con, plain).tables[RAW_TABLE]
    )
    assert columnar.gcp_periods(con, packed) == columnar.gcp_periods(con, plain) is not None
    truncated = tmp_path / f"truncated{packed.name}"
    truncated.write_bytes(packed.read_bytes()[: packed.stat().st_size // 2])
    with pytest.raises(RejectedFile, match=r"^not a readable gzip file"):
        FORMATS[SOURCE].parse(truncated)


def test_a_field_first_named_by_a_later_row_and_credits_across_batches(tmp_path: Path) -> None:
    later = {**RECORD, "export_time": "2026-09-02 03:04:05.250+02:00", "cost_at_list": 1.5e-7}
    records = [RECORD, {**RECORD, "credits": []}, later, {**RECORD, "labels": []}, later]
    _assert_same_parse(_jsonl(tmp_path / "export.jsonl", records), batch_rows=2)


@pytest.mark.parametrize("python_literals", [False, True])
def test_a_csv_spanning_two_invoice_months_is_staged_period_by_period(tmp_path: Path, python_literals: bool) -> None:
    october = {**RECORD, "invoice": {"month": "202610"}}
    rows = [october, RECORD, {**RECORD, "credits": []}, october, RECORD]
    path = write_csv(tmp_path / "export.csv", [csv_row(r, python_literals=python_literals) for r in rows])
    _assert_same_parse(path, batch_rows=2)
    con = duckdb.connect()
    staged = spooled.stage_gcp(con, path, batch_rows=2)
    september = staged.for_period(date(2026, 9, 1)).tables
    assert [r["_source_row"] for r in _staged_rows(con, september[CREDITS_TABLE])] == ["2", "2", "5", "5"]
    assert september[RAW_TABLE].num_rows == 3


def _refusal(call) -> str:
    with pytest.raises(RejectedFile) as refused:
        call()
    return str(refused.value)


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("a bad timestamp in a later batch", lambda rows: rows[4].update(usage_start_time="not a time")),
        ("a bad cost in a later batch", lambda rows: rows[3].update(cost="twelve")),
        ("a credit amount that is no number", lambda rows: rows[4]["credits"][1].update(amount="minus one")),
        ("an invoice month that is not YYYYMM", lambda rows: rows[1]["invoice"].update(month="2026-9")),
        (
            "an empty invoice month among two",
            lambda rows: (rows[0].update(invoice={"month": "202610"}), rows[3].update(invoice={})),
        ),
        ("two billing accounts", lambda rows: rows[4].update(billing_account_id="other")),
        ("credits that are not records", lambda rows: rows[2].update(credits=[1])),
    ],
)
def test_a_refused_file_gets_the_parsers_message_with_the_files_row_numbers(tmp_path: Path, name: str, change) -> None:
    rows = [json.loads(json.dumps(RECORD)) for _ in range(6)]
    change(rows)
    path = _jsonl(tmp_path / "export.jsonl", rows)
    con = duckdb.connect()
    expected = _refusal(lambda: FORMATS[SOURCE].parse(path))
    assert _refusal(lambda: spooled.stage_gcp(con, path, batch_rows=2)) == expected, name
    if name == "a credit amount that is no number":
        # The row of the file carrying it and its place among that row's credits, not its number among all credits.
        assert expected == "row 5, credit 2, column amount: 'minus one' is not a number"
    # Nothing staged is left behind on the connection.
    assert con.execute("select count(*) from duckdb_tables() where temporary").fetchone() == (0,)


def test_a_file_missing_a_required_field_or_rows_is_refused_as_the_parser_refuses_it(tmp_path: Path) -> None:
    without = {key: value for key, value in RECORD.items() if key != "cost_type"}
    for path in (_jsonl(tmp_path / "no-cost-type.jsonl", [without] * 3), write_csv(tmp_path / "header.csv", [])):
        con = duckdb.connect()
        expected = _refusal(lambda path=path: FORMATS[SOURCE].parse(path))
        assert _refusal(lambda path=path, con=con: spooled.stage_gcp(con, path, batch_rows=2)) == expected


def test_a_file_is_held_one_batch_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = demo_gcp.write_month(tmp_path, 2026, DEMO_PERIODS[-1]).path
    batches: list[int] = []
    real = spooled.Spool.append

    def spy(self: spooled.Spool, rows: list, row_numbers: list | None = None) -> None:
        if self.columns[0] != "parent_row":
            batches.append(len(rows))
        real(self, rows, row_numbers)

    monkeypatch.setattr(spooled.Spool, "append", spy)
    staged = spooled.stage_gcp(duckdb.connect(), path, batch_rows=100)
    assert sum(batches) == staged.row_count > 300
    assert max(batches) == 100


def _raw_after_ingest(tmp_path: Path, name: str, files: list[Path], period: date | None = None) -> list[list]:
    landing_dir = tmp_path / name / "landing"
    for file in files:
        target = landing_dir / SOURCE / file.parent.name / file.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target)
    con = duckdb.connect()
    report = ingest_source(con, SOURCE, landing_dir, tmp_path / name / "quarantine", period=period)
    tables = [[(o.path, o.status, o.billing_period_start, o.row_count) for o in report.outcomes]]
    for table in (RAW_TABLE, CREDITS_TABLE):
        rows = con.execute(
            f"select * from raw.{table} order by _source_file, cast(_source_row as integer), "
            f"{'credit_index' if table == CREDITS_TABLE else '_billing_period_start'}"
        ).fetchall()
        tables.append([[d[0] for d in con.description], *rows])
    tables.append(
        con.execute(
            "select path, billing_period_start, row_count, status from audit.ingested_files order by all"
        ).fetchall()
    )
    con.close()
    return tables


@pytest.mark.parametrize("period", [None, date(2026, 9, 1)], ids=["every period", "one period closed"])
def test_raw_rows_lineage_and_audit_are_the_same_whichever_path_parsed_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, period: date | None
) -> None:
    files = [demo_gcp.write_month(tmp_path / "demo" / p.label, 2026, p).path for p in DEMO_PERIODS[-2:]]
    # Another billing account's export spanning both months (the same account's would supersede the demo's).
    september = {**RECORD, "billing_account_id": "0A0A0A-0B0B0B-0C0C0C"}
    october = {**september, "invoice": {"month": "202610"}}
    two_months = tmp_path / "demo" / "two-months" / "export.jsonl"
    two_months.parent.mkdir(parents=True)
    _jsonl(two_months, [october, september, {**september, "credits": []}, october])
    files.append(two_months)
    monkeypatch.setattr(spooled, "BATCH_ROWS", 7)
    spooled_rows = _raw_after_ingest(tmp_path, "spooled", files, period)
    monkeypatch.setattr(landing.spooled, "stage", lambda con, source, path, period=None: None)
    parsed_rows = _raw_after_ingest(tmp_path, "parsed", files, period)
    assert len(spooled_rows[1]) > 300
    assert spooled_rows == parsed_rows


def test_the_periods_and_account_read_in_duckdb_are_the_ones_the_parser_finds(tmp_path: Path) -> None:
    # What the landing sensor closes and what a close leaves pending without staging a row.
    october = {**RECORD, "invoice": {"month": "202610"}}
    files = [
        KOKU_SAMPLE,
        demo_gcp.write_month(tmp_path, 2026, DEMO_PERIODS[-1]).path,
        _jsonl(tmp_path / "two-months.jsonl", [october, RECORD, october]),
        write_csv(tmp_path / "two-months.csv", [csv_row(october), csv_row(RECORD, python_literals=True)]),
    ]
    con = duckdb.connect()
    for path in files:
        parsed = FORMATS[SOURCE].parse(path)
        assert columnar.gcp_periods(con, path) == (parsed.periods, [parsed.billing_account_id]), path.name
        assert columnar.delivered_periods(con, SOURCE, path) == set(parsed.periods), path.name
    assert columnar.gcp_periods(con, files[2]) == (
        [date(2026, 9, 1), date(2026, 10, 1)],
        [RECORD["billing_account_id"]],
    )


@pytest.mark.parametrize(
    "lines",
    [
        [json.dumps({**RECORD, "invoice": {"month": "2026-09"}})],  # not YYYYMM: the parser words it
        [json.dumps(RECORD), json.dumps({**RECORD, "invoice": {}})],  # a row without its month
        [json.dumps(RECORD), '{"billing_account_id": "01A2B3-C4D5E6-F7A8B9", "invoice": '],  # a truncated line
    ],
    ids=["not YYYYMM", "a row without its month", "a truncated line"],
)
def test_periods_that_do_not_read_plainly_are_left_to_the_parser(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert columnar.delivered_periods(duckdb.connect(), SOURCE, path) is None


def test_a_close_of_one_month_leaves_the_other_gcp_months_pending_without_staging_their_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing_dir = tmp_path / "landing"
    for period in DEMO_PERIODS[-3:]:
        written = demo_gcp.write_month(tmp_path / "demo" / period.label, 2026, period).path
        target = landing_dir / SOURCE / period.label / written.name
        target.parent.mkdir(parents=True)
        shutil.copy2(written, target)
    staged: list[str] = []
    real = spooled._stage
    monkeypatch.setattr(spooled, "_stage", lambda main, *rest: staged.append(main.name) or real(main, *rest))
    closed = DEMO_PERIODS[-2].start

    report = ingest_source(duckdb.connect(), SOURCE, landing_dir, tmp_path / "q", period=closed)

    assert sorted((o.status, o.billing_period_start, o.billing_account_id) for o in report.outcomes) == [
        ("loaded", closed, "01A2B3-C4D5E6-F7A8B9"),
        ("pending", DEMO_PERIODS[-3].start, "01A2B3-C4D5E6-F7A8B9"),
        ("pending", DEMO_PERIODS[-1].start, "01A2B3-C4D5E6-F7A8B9"),
    ]
    assert len(staged) == 1  # only the closed month's rows were read


# OCI cost reports: a month's reports landed as one file (docs/raw-layer.md) can be millions of lines.
OCI = "oci_cost"


def _assert_same_oci_parse(con: duckdb.DuckDBPyConnection, path: Path, batch_rows: int) -> None:
    _assert_same(con, spooled.stage_oci(con, path, batch_rows=batch_rows), FORMATS[OCI].parse(path), path.name)


def test_the_real_oci_sample_plain_and_gzipped_is_staged_as_the_parser_reads_it(tmp_path: Path) -> None:
    packed = tmp_path / "0000000030000269.csv.gz"
    packed.write_bytes(gzip.compress(OCI_SAMPLE.read_bytes()))
    con = duckdb.connect()
    for path in (OCI_SAMPLE, packed):
        _assert_same_oci_parse(con, path, batch_rows=100)  # 506 rows: six batches
        assert columnar.delivered_periods(con, OCI, path) == {date(2023, 11, 1)}


def _oci_rows(count: int = 5) -> list[list[str]]:
    return [oci_line(start=f"2026-09-0{i + 1}T00:00Z", end=f"2026-09-0{i + 1}T01:00:00Z") for i in range(count)]


def _with(rows: list[list[str]], index: int, column: int, value: str) -> list[list[str]]:
    rows[index][column] = value
    return rows


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("money empty on two rows of different batches", _with(_with(_oci_rows(), 1, 6, ""), 4, 6, "")),
        ("a bad cost in a later batch", _with(_oci_rows(), 4, 6, "n/a")),
        ("a bad currency in a later batch", _with(_oci_rows(), 3, 7, "usd")),
        ("a bad usage start in a later batch", _with(_oci_rows(), 4, 2, "yesterday")),
        (
            "usage starting in two months",
            _with(_with(_oci_rows(), 4, 2, "2026-10-01T00:00Z"), 4, 3, "2026-10-01T01:00:00Z"),
        ),
        ("an interval ending after the month, in a later batch", _with(_oci_rows(), 3, 3, "2026-10-01T01:00:00Z")),
        ("an interval ending before it starts", _with(_oci_rows(), 2, 3, "2026-09-02T23:00:00Z")),
        ("two tenancies", _with(_oci_rows(), 4, 1, "ocid1.tenancy.oc1..other")),
        ("a ragged row", [*_oci_rows(), ["ref-1", "ocid1.tenancy.oc1..t"]]),
        ("no rows", []),
    ],
)
def test_a_refused_oci_report_gets_the_parsers_message_with_the_files_row_numbers(
    tmp_path: Path, name: str, rows: list[list[str]]
) -> None:
    path = write_oci(tmp_path, rows)
    con = duckdb.connect()
    expected = _refusal(lambda: FORMATS[OCI].parse(path))
    assert _refusal(lambda: spooled.stage_oci(con, path, batch_rows=2)) == expected, name
    assert con.execute("select count(*) from duckdb_tables() where temporary").fetchone() == (0,)


def test_an_oci_report_missing_a_column_or_folding_onto_tags_is_refused_as_the_parser_refuses_it(
    tmp_path: Path,
) -> None:
    without_cost = [h for h in OCI_HEADER if h != "cost/myCost"]
    rows = [[v for h, v in zip(OCI_HEADER, row, strict=True) if h != "cost/myCost"] for row in _oci_rows()]
    for path in (
        write_oci(tmp_path, rows, without_cost, name="no-cost.csv"),
        write_oci(tmp_path, [[*row, "x"] for row in _oci_rows()], [*OCI_HEADER, "tags"], name="tags.csv"),
    ):
        expected = _refusal(lambda path=path: FORMATS[OCI].parse(path))
        assert _refusal(lambda path=path: spooled.stage_oci(duckdb.connect(), path, batch_rows=2)) == expected


@pytest.mark.parametrize(
    ("start", "tenancy"),
    [("2026-09-01 00:00:00", "ocid1.tenancy.oc1..t"), ("2026-09-01T00:00Z", "")],
    ids=["another timestamp form", "a row without its tenancy"],
)
def test_oci_months_that_do_not_read_plainly_are_left_to_the_parser(tmp_path: Path, start: str, tenancy: str) -> None:
    row = oci_line(start=start)
    row[1] = tenancy
    assert columnar.delivered_periods(duckdb.connect(), OCI, write_oci(tmp_path, [oci_line(), row])) is None


def test_oci_raw_rows_are_the_same_whichever_path_parsed_the_report_and_other_months_stay_pending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    november = tmp_path / "demo" / "2023-11.csv.gz"
    november.parent.mkdir(parents=True)
    november.write_bytes(gzip.compress(OCI_SAMPLE.read_bytes()))  # the real sample: November 2023, 506 rows
    september = write_oci(tmp_path / "demo", _oci_rows(), name="2026-09.csv")
    staged: list[str] = []
    real = spooled._stage_oci
    monkeypatch.setattr(spooled, "_stage_oci", lambda spool, *rest: staged.append(spool.name) or real(spool, *rest))
    monkeypatch.setattr(spooled, "BATCH_ROWS", 64)

    def ingest(name: str, period: date | None = None) -> list:
        landing_dir = tmp_path / name / "landing"
        for file in (november, september):
            target = landing_dir / OCI / file.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, target)
        con = duckdb.connect()
        report = ingest_source(con, OCI, landing_dir, tmp_path / name / "q", period=period)
        rows = con.execute(f"select * from raw.{OCI} order by _source_file, cast(_source_row as integer)").fetchall()
        audit = con.execute(
            "select path, billing_period_start, row_count, status from audit.ingested_files order by all"
        )
        return [sorted((o.path, o.status, o.billing_period_start) for o in report.outcomes), rows, audit.fetchall()]

    one_month = ingest("one month", date(2023, 11, 1))
    assert one_month[0] == [
        ("oci_cost/2023-11.csv.gz", "loaded", date(2023, 11, 1)),
        ("oci_cost/2026-09.csv", "pending", date(2026, 9, 1)),
    ]
    assert len(staged) == 1 and len(one_month[1]) == 506  # September's report was not staged
    spooled_rows = ingest("spooled")
    monkeypatch.setattr(landing.spooled, "stage", lambda con, source, path, period=None: None)
    assert spooled_rows == ingest("parsed")
    assert len(spooled_rows[1]) == 511


def test_personal_label_values_are_pseudonymized_in_the_staged_rows_as_in_the_parsers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    owned = {**RECORD, "labels": [{"key": "owner", "value": "jane.doe@example.com"}, {"key": "app", "value": "ml"}]}
    path = _jsonl(tmp_path / "export.jsonl", [owned, RECORD, owned])
    pseudonymizer = build_pseudonymizer(SEEDS_DIR, "test-key-not-secret", tmp_path / "unused.key")

    def raw_labels(name: str) -> list[tuple]:
        landing_dir = tmp_path / name / "landing"
        (landing_dir / SOURCE).mkdir(parents=True)
        shutil.copy2(path, landing_dir / SOURCE / path.name)
        con = duckdb.connect()
        report = ingest_source(con, SOURCE, landing_dir, tmp_path / name / "q", pseudonymizer=pseudonymizer)
        assert report.count("loaded") == 1
        return con.execute(f"select _source_row, labels from raw.{RAW_TABLE} order by all").fetchall()

    staged = raw_labels("spooled")
    monkeypatch.setattr(landing.spooled, "stage", lambda con, source, path, period=None: None)
    assert staged == raw_labels("parsed")
    assert "jane.doe" not in str(staged) and "pseud:" in staged[0][1]


# OpenCost allocation exports: one file a cluster, a day appended at a time for months.
KUBERNETES = "kubernetes"


def _opencost(month_days: list[tuple[str, int]], change: tuple[int, dict[str, str]] | None = None) -> str:
    """The sample's rows repeated for each (YYYY-MM, days) over its first days, so that a file spans batches and
    months; `change`: (row number, {column: value}) to spoil one row."""
    with KUBERNETES_EXPORT.open(encoding="utf-8", newline="") as handle:
        header, *lines = list(csv.reader(handle))
    rows = [header]
    for month, days in month_days:
        for day in range(1, days + 1):
            rows += [[f"{month}-{day:02d}", *line[1:]] for line in lines]
    if change is not None:
        number, values = change
        for column, value in values.items():
            rows[number][header.index(column)] = value
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue()


@pytest.mark.parametrize("months", [["2026-10"], ["2026-09", "2026-10"]], ids=["one month", "two months"])
def test_an_opencost_export_is_staged_period_by_period_as_the_parser_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, months: list[str]
) -> None:
    path = kubernetes_landed(tmp_path, _opencost([(month, 3) for month in months]))
    con = duckdb.connect()
    _assert_same(con, spooled.stage_kubernetes(con, path, batch_rows=5), FORMATS[KUBERNETES].parse(path), path.name)

    def raw(name: str) -> list[tuple]:
        landing_dir = tmp_path / name / "landing"
        shutil.copytree(tmp_path / "landing", landing_dir)
        db = duckdb.connect()
        assert ingest_source(db, KUBERNETES, landing_dir, tmp_path / name / "q").count("loaded") == len(months)
        return db.execute(
            "select * from raw.kubernetes order by _billing_period_start, cast(_source_row as int)"
        ).fetchall()

    monkeypatch.setattr(spooled, "BATCH_ROWS", 4)
    staged_raw = raw("spooled")
    monkeypatch.setattr(landing.spooled, "stage", lambda con, source, path, period=None: None)
    assert staged_raw == raw("parsed")
    assert len(staged_raw) == 21 * len(months)


@pytest.mark.parametrize(
    ("row", "change"),
    [
        (9, {"CPUCost": ""}),
        (12, {"TotalCost": "NaN"}),
        (15, {"Date": "10/01/2026"}),
        (8, {"Labels": "[1, 2]"}),
    ],
)
def test_a_refused_opencost_export_gets_the_parsers_message_with_the_files_row_numbers(
    tmp_path: Path, row: int, change: dict[str, str]
) -> None:
    path = kubernetes_landed(tmp_path, _opencost([("2026-10", 3)], (row, change)))
    expected = _refusal(lambda: FORMATS[KUBERNETES].parse(path))
    assert f"row {row}," in expected
    con = duckdb.connect()
    assert _refusal(lambda: spooled.stage_kubernetes(con, path, batch_rows=4)) == expected
    assert con.execute("select count(*) from duckdb_tables() where temporary").fetchone() == (0,)
