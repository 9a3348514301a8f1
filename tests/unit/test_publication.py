"""Publication: a release swapped in atomically, one extract per scope with only the rows and columns it may read."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import stat
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.publish.policy import PolicyError
from orchestration.publish.reader import PublicationError, open_for_user
from orchestration.publish.release import publish
from orchestration.settings import DBT_PROJECT_DIR, SEEDS_DIR

SEEDS = ("billing_users.csv", "cost_centers.csv", "publication_scopes.csv", "publication_restricted_columns.csv")
OCTOBER, SEPTEMBER = "2026-10-01", "2026-09-01"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    directory = tmp_path / "seeds"
    directory.mkdir()
    for name in SEEDS:
        shutil.copyfile(SEEDS_DIR / name, directory / name)
    return directory


@pytest.fixture
def warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "billing.duckdb"))
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_chargeback_lines as select * from (values "
        f"(date '{OCTOBER}', 'D-ITOPS', 'CC-1300', 1200.50::decimal(18, 2)), "
        f"(date '{OCTOBER}', 'D-FIN', 'CC-1100', 310.25::decimal(18, 2)), "
        f"(date '{SEPTEMBER}', 'D-ITOPS', 'CC-1310', 99.99::decimal(18, 2))"
        ") as t(billing_period_start, department_id, cost_center_id, amount)"
    )
    con.execute(
        "create table marts.fct_budget_alerts as select * from (values "
        f"('CC-1310', date '{OCTOBER}'), ('CC-2200', date '{OCTOBER}')) as t(cost_center_id, billing_period_start)"
    )
    con.execute(
        "create table marts.fct_invoices as select * from (values "
        f"('INV-1', 'GLOBEX', date '{OCTOBER}', 1197.63::decimal(18, 2)), "
        f"('INV-2', 'INITECH', date '{OCTOBER}', 50.00::decimal(18, 2))"
        ") as t(invoice_id, client_id, billing_period_start, total)"
    )
    con.execute(
        "create table marts.fct_client_margins as select * from (values "
        f"(date '{OCTOBER}', 'GLOBEX', 1100.00::decimal(18, 2), 800.00::decimal(18, 2), 300.00::decimal(18, 2), "
        "0.2727::decimal(9, 4))) as t(billing_period_start, client_id, revenue, cost, margin, margin_percent)"
    )
    con.execute("create table marts.dim_rate_cards as select 'RC-1' as rate_card_version, 12.5::decimal(18, 4) as rate")
    con.execute("create table marts.fct_brand_new as select date '2026-10-01' as billing_period_start, 1 as x")
    yield con
    con.close()


def tables(view_con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = view_con.execute("select table_name from information_schema.tables where table_schema = 'marts'")
    return {r[0] for r in rows.fetchall()}


def test_each_scope_reads_only_its_rows_and_columns(tmp_path: Path, seeds: Path, warehouse) -> None:
    published = tmp_path / "published"
    release = publish(warehouse, published, seeds, run_id="run-1")
    assert (published / "current").resolve() == release.path

    dora = open_for_user(published, seeds, "dora")  # department viewer of D-ITOPS
    assert dora.scope.scope_id == "department-D-ITOPS" and not dora.scope.sees_margins
    assert tables(dora.con) == {"fct_chargeback_lines", "fct_budget_alerts", "dim_rate_cards"}
    assert dora.con.execute(
        "select department_id, amount from marts.fct_chargeback_lines order by amount"
    ).fetchall() == [
        ("D-ITOPS", Decimal("99.99")),
        ("D-ITOPS", Decimal("1200.50")),
    ]
    # Budget alerts carry a cost center: the department's cost centers come from seeds/cost_centers.csv.
    assert dora.con.execute("select cost_center_id from marts.fct_budget_alerts").fetchall() == [("CC-1310",)]

    cleo = open_for_user(published, seeds, "cleo")  # client viewer of GLOBEX
    assert tables(cleo.con) == {"fct_invoices"}
    assert cleo.con.execute("select invoice_id, total from marts.fct_invoices").fetchall() == [
        ("INV-1", Decimal("1197.63"))
    ]

    ana = open_for_user(published, seeds, "ana")  # billing analyst: every row, no margins, no unlisted mart
    assert tables(ana.con) == {"fct_chargeback_lines", "fct_budget_alerts", "fct_invoices", "dim_rate_cards"}
    assert ana.con.execute("select count(*) from marts.fct_chargeback_lines").fetchone() == (3,)

    fiona = open_for_user(published, seeds, "fiona")  # finance controller: everything
    assert fiona.scope.sees_margins
    assert "fct_client_margins" in tables(fiona.con) and "fct_brand_new" in tables(fiona.con)
    assert fiona.con.execute("select margin from marts.fct_client_margins").fetchone() == (Decimal("300.00"),)
    assert release.finance_only_unlisted == ["fct_brand_new"]
    assert "finance only: fct_brand_new" in release.summary()
    for view in (dora, cleo, ana, fiona):
        view.close()


def test_no_scope_can_read_another_scopes_rows(tmp_path: Path, seeds: Path, warehouse) -> None:
    published = tmp_path / "published"
    release = publish(warehouse, published, seeds)
    for scope_dir in sorted((release.path / "scopes").iterdir()):
        kind, _, key = scope_dir.name.partition("-")
        with duckdb.connect(str(scope_dir / "billing.duckdb"), read_only=True) as con:
            for table in tables(con):
                columns = {r[0] for r in con.execute(f"describe marts.{table}").fetchall()}
                assert not {"cost", "margin", "margin_percent"} & columns or kind == "finance"
                for column in ("department_id", "client_id"):
                    if column in columns and kind in ("department", "client"):
                        values = {r[0] for r in con.execute(f"select distinct {column} from marts.{table}").fetchall()}
                        expected = key if column == f"{kind}_id" else None
                        assert values <= {expected}, (scope_dir.name, table, values)


def _table_rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return con.execute(f"select * from {table} order by all").fetchall()


def test_finance_copy_takes_the_analyst_extract_and_adds_what_only_finance_reads(
    tmp_path: Path, seeds: Path, warehouse
) -> None:
    release = publish(warehouse, tmp_path / "published", seeds)
    # The analyst reads four marts whole: finance's copy takes them from the analyst's extract (written once) and
    # writes only the margins and the unlisted mart; every table holds exactly the warehouse's rows.
    assert release.reuse.extract_tables_shared == 4
    with duckdb.connect(str(release.path / "billing.duckdb"), read_only=True) as finance:
        assert tables(finance) == tables(warehouse)
        for table in sorted(tables(warehouse)):
            assert _table_rows(finance, f"marts.{table}") == _table_rows(warehouse, f"marts.{table}"), table
    # The analyst's extract was written before finance's copy and is not its copy: nothing of the margins in it.
    with duckdb.connect(str(release.path / "scopes" / "analyst" / "billing.duckdb"), read_only=True) as analyst:
        assert "fct_client_margins" not in tables(analyst)
        assert analyst.execute("select count(*) from duckdb_tables()").fetchone() == (4,)


def test_no_scope_reading_a_mart_in_part_is_the_base_of_finances_copy(tmp_path: Path, seeds: Path, warehouse) -> None:
    # The analyst may not read a column of the chargeback lines: its extract is not a part of finance's copy.
    with (seeds / "publication_restricted_columns.csv").open("a", encoding="utf-8") as handle:
        handle.write("fct_chargeback_lines,amount,non_finance,test\n")
    release = publish(warehouse, tmp_path / "published", seeds)
    assert release.reuse.extract_tables_shared == 0
    with duckdb.connect(str(release.path / "billing.duckdb"), read_only=True) as finance:
        assert _table_rows(finance, "marts.fct_chargeback_lines") == _table_rows(
            warehouse, "marts.fct_chargeback_lines"
        )
    with duckdb.connect(str(release.path / "scopes" / "analyst" / "billing.duckdb"), read_only=True) as analyst:
        assert "amount" not in {r[0] for r in analyst.execute("describe marts.fct_chargeback_lines").fetchall()}


def test_the_release_is_read_only_with_parquet_per_period_and_a_manifest(
    tmp_path: Path, seeds: Path, warehouse
) -> None:
    published = tmp_path / "published"
    release = publish(warehouse, published, seeds)
    october = release.path / "parquet" / "fct_chargeback_lines" / f"billing_period_start={OCTOBER}"
    assert october.is_dir()
    total = duckdb.connect().execute(f"select sum(amount) from read_parquet('{october}/*.parquet')").fetchone()[0]
    assert total == Decimal("1510.75")
    assert (release.path / "parquet" / "dim_rate_cards" / "dim_rate_cards.parquet").exists()
    database = release.path / "billing.duckdb"
    assert stat.S_IMODE(database.stat().st_mode) == 0o444  # (root ignores the bits; BI tools' users do not)
    manifest = open_for_user(published, seeds, "fiona").manifest
    assert manifest["tables"]["fct_chargeback_lines"] == 3
    assert manifest["scopes"]["department-D-ITOPS"]["fct_chargeback_lines"] == 2
    assert len(manifest["files"]["billing.duckdb"]) == 64
    # every file of the release, each with its own hash (hashed two at a time) and read-only
    files = sorted(p for p in release.path.rglob("*") if p.is_file() and p.name != "manifest.json")
    assert list(manifest["files"]) == [str(p.relative_to(release.path)) for p in files]
    for path in files:
        assert manifest["files"][str(path.relative_to(release.path))] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_publishing_leaves_the_connections_row_order_setting_as_it_was(tmp_path: Path, seeds: Path, warehouse) -> None:
    # The Parquet files are written without preserving row order (faster); whatever the close does next on the same
    # connection keeps its own setting.
    for ordered in (True, False):
        warehouse.execute(f"set preserve_insertion_order = {ordered}")
        publish(warehouse, tmp_path / f"published-{ordered}", seeds)
        assert warehouse.execute("select current_setting('preserve_insertion_order')").fetchone() == (ordered,)


def test_a_new_release_is_swapped_in_whole_and_a_failed_one_changes_nothing(
    tmp_path: Path, seeds: Path, warehouse
) -> None:
    published = tmp_path / "published"
    first = publish(warehouse, published, seeds)
    reader = open_for_user(published, seeds, "fiona")
    warehouse.execute(f"insert into marts.fct_invoices values ('INV-3', 'GLOBEX', date '{OCTOBER}', 10.00)")
    second = publish(warehouse, published, seeds)
    assert (published / "current").resolve() == second.path
    # The reader that opened the first release keeps reading it; a new reader sees the second.
    assert reader.con.execute("select count(*) from marts.fct_invoices").fetchone() == (2,)
    assert open_for_user(published, seeds, "fiona").con.execute(
        "select count(*) from marts.fct_invoices"
    ).fetchone() == (3,)
    third = publish(warehouse, published, seeds)
    assert not first.path.exists() and second.path.exists() and third.path.exists()  # the last two are kept

    # A policy naming a column the mart lacks refuses the publication; the current release stays as it was.
    with (seeds / "publication_scopes.csv").open("a", encoding="utf-8") as handle:
        handle.write("fct_brand_new,column:department_id,,false,x\n")
    with pytest.raises(PolicyError, match="fct_brand_new has no column department_id"):
        publish(warehouse, published, seeds)
    assert (published / "current").resolve() == third.path
    assert not [p for p in (published / "releases").iterdir() if p.name.startswith(".")]


def test_readers_are_refused_in_one_line(tmp_path: Path, seeds: Path, warehouse) -> None:
    published = tmp_path / "published"
    with pytest.raises(PublicationError, match="nothing is published"):
        open_for_user(published, seeds, "fiona")
    publish(warehouse, published, seeds)
    with pytest.raises(PublicationError, match="'mallory' is not an active user"):
        open_for_user(published, seeds, "mallory")
    with pytest.raises(PublicationError, match="no acting user"):
        open_for_user(published, seeds, None)
    # A viewer added after the last publication has no extract until the next one.
    with (seeds / "billing_users.csv").open("a", encoding="utf-8") as handle:
        handle.write("hank,Hank Hill,department_viewer,D-HR,,hank@ebts.example,true\n")
    with pytest.raises(PublicationError, match="no extract for department D-HR"):
        open_for_user(published, seeds, "hank")


def test_every_mart_of_the_project_has_a_publication_rule() -> None:
    """A new mart is finance-only until finance decides; this keeps the decision from being forgotten."""
    marts = {path.stem for path in (DBT_PROJECT_DIR / "models" / "marts").rglob("*.sql")}
    with (SEEDS_DIR / "publication_scopes.csv").open(newline="", encoding="utf-8") as handle:
        listed = {row["table_name"] for row in csv.DictReader(handle)}
    assert marts - listed == set()
    assert listed - marts <= set(), f"rules for marts that do not exist: {sorted(listed - marts)}"


def test_a_copied_data_directory_publishes_again(tmp_path: Path, seeds: Path, warehouse) -> None:
    """Copying the data directory (cp -r, shutil.copytree) turns the `current` link into a directory."""
    publish(warehouse, tmp_path / "published", seeds)
    copied = tmp_path / "copy" / "published"
    shutil.copytree(tmp_path / "published", copied)
    assert not (copied / "current").is_symlink()
    release = publish(warehouse, copied, seeds)
    assert (copied / "current").is_symlink() and (copied / "current").resolve() == release.path
    assert open_for_user(copied, seeds, "fiona").con.execute("select count(*) from marts.fct_invoices").fetchone() == (
        2,
    )


def release_contents(release: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table of every DuckDB file and every Parquet table of a release, as sorted rows."""
    contents: dict[str, list[tuple[object, ...]]] = {}
    for database in sorted(release.rglob("billing.duckdb")):
        with duckdb.connect(str(database), read_only=True) as con:
            for table in sorted(tables(con)):
                rows = con.execute(f"select * from marts.{table}").fetchall()
                contents[f"{database.relative_to(release)}:{table}"] = sorted(rows, key=repr)
    reader = duckdb.connect()
    for directory in sorted((release / "parquet").iterdir()):
        rows = reader.execute(
            f"select * from read_parquet('{directory}/**/*.parquet', hive_partitioning = true, union_by_name = true)"
        ).fetchall()
        contents[f"parquet:{directory.name}"] = sorted(rows, key=repr)
    return contents


def test_parquet_read_with_hive_partitioning_gives_back_every_mart_row(tmp_path: Path, seeds: Path, warehouse) -> None:
    """Each period's rows in `<column>=<url-encoded period>/`, the period in the path only: read back with hive
    partitioning, a mart is its rows again, a FOCUS-style timestamp period (a space and colons in the directory name)
    and rows without a period included."""
    warehouse.execute(
        "create table marts.focus_like as select * from (values "
        "(timestamp '2026-09-01 00:00:00', 'c1', 1.25::decimal(38, 10)), "
        "(timestamp '2026-10-01 00:00:00', 'c2', 2.50::decimal(38, 10)), "
        "(timestamp '2026-10-01 00:00:00', 'c3', -0.75::decimal(38, 10))) as t(BillingPeriodStart, charge_id, cost)"
    )
    warehouse.execute(
        "create table marts.fct_some_undated as select * from (values "
        "(date '2026-10-01', 'a', 1), (null::date, 'b', 2)) as t(billing_period_start, k, n)"
    )
    release = publish(warehouse, tmp_path / "published", seeds)
    folder = release.path / "parquet" / "focus_like"
    assert sorted(p.name for p in folder.iterdir()) == [
        "BillingPeriodStart=2026-09-01%2000%3A00%3A00",
        "BillingPeriodStart=2026-10-01%2000%3A00%3A00",
    ]
    reader = duckdb.connect()
    for table, period in (("focus_like", "BillingPeriodStart"), ("fct_chargeback_lines", "billing_period_start")):
        read_back = reader.execute(
            f"select * from read_parquet('{release.path}/parquet/{table}/**/*.parquet', hive_partitioning = true)"
        ).fetchall()
        expected = warehouse.execute(
            f"select * exclude ({period}), cast({period} as varchar) from marts.{table}"
        ).fetchall()
        as_text = [(*row[:-1], str(row[-1])) for row in read_back]
        assert sorted(as_text, key=repr) == sorted(expected, key=repr)
    undated = reader.execute(
        f"select k, n, billing_period_start from read_parquet('{release.path}/parquet/fct_some_undated/**/*.parquet',"
        " hive_partitioning = true) order by k"
    ).fetchall()
    assert [row[:2] for row in undated] == [("a", 1), ("b", 2)]
    assert undated[1][2] is None


def test_a_release_takes_unchanged_periods_from_the_previous_one_and_equals_one_written_whole(
    tmp_path: Path, seeds: Path, warehouse
) -> None:
    """Re-closing one month must not copy every month's marts again: unchanged periods are linked or kept."""
    published = tmp_path / "published"
    warehouse.execute("create table marts.dim_nothing_yet as select 1 as x where false")
    first = publish(warehouse, published, seeds)
    september = Path("parquet/fct_chargeback_lines") / f"billing_period_start={SEPTEMBER}"
    (september_file,) = (first.path / september).iterdir()

    # October re-closed: one line changes, one client's invoice disappears, a period appears in a new mart.
    warehouse.execute(
        f"update marts.fct_chargeback_lines set amount = 1300.50 where department_id = 'D-ITOPS' "
        f"and billing_period_start = '{OCTOBER}'"
    )
    warehouse.execute("delete from marts.fct_invoices where invoice_id = 'INV-2'")
    warehouse.execute(f"insert into marts.fct_brand_new values (date '{SEPTEMBER}', 2)")
    second = publish(warehouse, published, seeds)

    linked = second.path / september / september_file.name
    assert linked.stat().st_ino == september_file.stat().st_ino  # September's partition is the same file
    october = second.path / "parquet/fct_chargeback_lines" / f"billing_period_start={OCTOBER}"
    assert duckdb.connect().execute(f"select sum(amount) from '{october}/*.parquet'").fetchone() == (
        Decimal("1610.75"),
    )
    assert second.reuse.parquet_partitions_linked > 0 and second.reuse.extract_periods_replaced > 0
    # A mart without a period column is one file, even empty (its columns are what a BI tool reads).
    assert (second.path / "parquet" / "dim_nothing_yet" / "dim_nothing_yet.parquet").is_file()
    assert "Parquet partitions linked" in second.summary()

    whole = publish(warehouse, tmp_path / "written-whole", seeds)
    assert whole.reuse.parquet_partitions_linked == 0
    assert release_contents(second.path) == release_contents(whole.path)
    assert open_for_user(published, seeds, "cleo").con.execute(
        "select invoice_id from marts.fct_invoices"
    ).fetchall() == [("INV-1",)]
    manifest = open_for_user(published, seeds, "fiona").manifest
    assert manifest["reused_from"] == first.name
    assert manifest["tables"]["fct_invoices"] == 1 and manifest["scopes"]["analyst"]["fct_invoices"] == 1


def test_a_previous_extract_whose_bytes_changed_is_not_reused(tmp_path: Path, seeds: Path, warehouse) -> None:
    published = tmp_path / "published"
    first = publish(warehouse, published, seeds)
    extract = first.path / "scopes" / "department-D-ITOPS" / "billing.duckdb"
    extract.chmod(0o644)
    with duckdb.connect(str(extract)) as con:
        con.execute("insert into marts.fct_chargeback_lines values (date '2026-10-01', 'D-ITOPS', 'CC-9999', 1.00)")
    second = publish(warehouse, published, seeds)
    assert any(
        "scopes/department-D-ITOPS/billing.duckdb: unreadable or not what the previous manifest recorded" in note
        for note in second.reuse.notes
    )
    assert release_contents(second.path) == release_contents(publish(warehouse, tmp_path / "whole", seeds).path)


def test_removing_an_old_release_leaves_the_linked_files_of_the_current_one_readable(
    tmp_path: Path, seeds: Path, warehouse
) -> None:
    published = tmp_path / "published"
    publish(warehouse, published, seeds)
    publish(warehouse, published, seeds)
    third = publish(warehouse, published, seeds)  # prunes the first, whose files the others link
    for path in (third.path / "parquet").rglob("*.parquet"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o444, path


def test_a_previous_manifest_naming_files_outside_the_mart_is_not_followed(
    tmp_path: Path, seeds: Path, warehouse
) -> None:
    published = tmp_path / "published"
    first = publish(warehouse, published, seeds)
    manifest_path = first.path / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    (tmp_path / "outside.parquet").write_bytes(b"not a partition")
    manifest["parquet_partitions"]["fct_chargeback_lines"][SEPTEMBER] = [
        "parquet/fct_chargeback_lines/" + "../" * 5 + "outside.parquet"
    ]
    manifest_path.chmod(0o644)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert (first.path / manifest["parquet_partitions"]["fct_chargeback_lines"][SEPTEMBER][0]).is_file()
    second = publish(warehouse, published, seeds)
    assert not list(second.path.rglob("outside.parquet"))
    assert (tmp_path / "outside.parquet").read_bytes() == b"not a partition"
    assert release_contents(second.path) == release_contents(publish(warehouse, tmp_path / "whole", seeds).path)


def test_a_release_brings_the_duckdb_files_of_the_release_it_removes_up_to_date_in_place(
    tmp_path: Path, seeds: Path, warehouse
) -> None:
    """The DuckDB copies hold every month: copying the current release's whole at every close costs as much as all
    the history published. The release about to be removed gives its files instead, with the periods changed in the
    two closes since replaced; the result is what a release written whole holds."""
    published = tmp_path / "published"
    first = publish(warehouse, published, seeds)
    analyst = Path("scopes/analyst/billing.duckdb")
    first_inode = (first.path / analyst).stat().st_ino
    warehouse.execute(
        f"update marts.fct_chargeback_lines set amount = 1300.50 where billing_period_start = '{OCTOBER}'"
    )
    second = publish(warehouse, published, seeds)
    assert second.reuse.extract_files_recycled == 0  # the first release is kept beside it
    second_files = json.loads((second.path / "manifest.json").read_text(encoding="utf-8"))["files"]

    warehouse.execute("delete from marts.fct_invoices where invoice_id = 'INV-2'")
    third = publish(warehouse, published, seeds)

    assert third.reuse.extract_files_recycled == 3  # the analyst's and each viewer's extract
    assert (third.path / analyst).stat().st_ino == first_inode
    assert not first.path.exists()
    assert "3 DuckDB files brought up to date in place" in third.summary()
    # October changed in both closes since the first release: both changes are in the recycled file.
    assert release_contents(third.path) == release_contents(publish(warehouse, tmp_path / "whole", seeds).path)
    # The release kept beside the current one is untouched, and the new manifest is true to the files' bytes.
    for name, sha in second_files.items():
        assert hashlib.sha256((second.path / name).read_bytes()).hexdigest() == sha, name
    third_files = json.loads((third.path / "manifest.json").read_text(encoding="utf-8"))["files"]
    for name, sha in third_files.items():
        assert hashlib.sha256((third.path / name).read_bytes()).hexdigest() == sha, name


def test_a_duckdb_file_a_reader_has_open_is_copied_not_taken(tmp_path: Path, seeds: Path, warehouse) -> None:
    published = tmp_path / "published"
    first = publish(warehouse, published, seeds)
    publish(warehouse, published, seeds)
    extract = first.path / "scopes" / "analyst" / "billing.duckdb"
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
            "print(con.execute('select count(*) from marts.fct_chargeback_lines').fetchone()[0], flush=True); "
            "sys.stdin.read(); "
            "print(con.execute('select sum(amount) from marts.fct_chargeback_lines').fetchone()[0], flush=True)",
            str(extract),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "3"
        warehouse.execute("update marts.fct_chargeback_lines set amount = 1.00")
        third = publish(warehouse, published, seeds)
        out, _ = reader.communicate("", timeout=60)
    finally:
        reader.kill()
    assert third.reuse.extract_files_recycled == 2  # the two viewers' extracts, not the analyst's the reader holds
    assert out.strip() == "1610.74"  # the reader still reads the rows of the release it opened
    assert release_contents(third.path) == release_contents(publish(warehouse, tmp_path / "whole", seeds).path)


def test_a_linked_file_keeps_its_recorded_hash_unless_it_was_written_since(
    tmp_path: Path, seeds: Path, warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashing every month's Parquet again at every release costs as much as the history; a file hard-linked from
    the previous release, never written since, keeps the sha256 recorded. One written since is read again, so the
    manifest never vouches for bytes a file does not hold."""
    import orchestration.publish.release as release_module

    published = tmp_path / "published"
    first = publish(warehouse, published, seeds)
    september = next((first.path / "parquet/fct_chargeback_lines" / f"billing_period_start={SEPTEMBER}").iterdir())
    relative = september.relative_to(first.path).as_posix()
    hashed: list[str] = []
    real_sha256 = release_module.file_sha256

    def counting_sha256(path: Path) -> str:
        hashed.append(path.name if path.suffix != ".parquet" else path.parent.name)
        return real_sha256(path)

    monkeypatch.setattr(release_module, "file_sha256", counting_sha256)
    warehouse.execute(f"update marts.fct_chargeback_lines set amount = 5 where billing_period_start = '{OCTOBER}'")
    second = publish(warehouse, published, seeds)
    assert f"billing_period_start={SEPTEMBER}" not in hashed and f"billing_period_start={OCTOBER}" in hashed
    second_manifest = json.loads((second.path / "manifest.json").read_text(encoding="utf-8"))
    assert second_manifest["files"][relative] == hashlib.sha256(september.read_bytes()).hexdigest()

    september.chmod(0o644)
    september.write_bytes(september.read_bytes() + b"\0")  # both releases' link: the same file, written
    hashed.clear()
    third = publish(warehouse, published, seeds)
    assert f"billing_period_start={SEPTEMBER}" in hashed
    third_manifest = json.loads((third.path / "manifest.json").read_text(encoding="utf-8"))
    assert third_manifest["files"][relative] == hashlib.sha256((third.path / relative).read_bytes()).hexdigest()


def test_a_duckdb_file_with_another_link_is_never_written_in_place(tmp_path: Path, seeds: Path, warehouse) -> None:
    """A backup made with hard links (`cp -al`, rsync --link-dest) shares the file: writing it in place would change
    the backup too."""
    published = tmp_path / "published"
    first = publish(warehouse, published, seeds)
    publish(warehouse, published, seeds)
    backup = tmp_path / "backup"
    subprocess.run(["cp", "-al", str(published), str(backup)], check=True)
    backed_up = backup / "releases" / first.name / "scopes" / "analyst" / "billing.duckdb"
    before = hashlib.sha256(backed_up.read_bytes()).hexdigest()
    warehouse.execute("update marts.fct_chargeback_lines set amount = 2.00")
    third = publish(warehouse, published, seeds)
    assert third.reuse.extract_files_recycled == 0
    assert hashlib.sha256(backed_up.read_bytes()).hexdigest() == before
    assert release_contents(third.path) == release_contents(publish(warehouse, tmp_path / "whole", seeds).path)
