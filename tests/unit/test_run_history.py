"""The run history's event log keeps one engine per database: the same files and records as Dagster's own storage,
without an engine made and disposed for every event."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy

import orchestration.run_history as run_history
from orchestration.run_history import KEPT_ENGINES, KeptConnectionSqliteEventLogStorage
from orchestration.runner import dagster_yaml, prepare_environment
from orchestration.settings import load_settings


@dg.asset
def upstream() -> int:
    return 1


@dg.asset
def downstream(upstream: int) -> int:
    return upstream + 1


@pytest.fixture
def engines_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []

    def counting(url: str, **kwargs: object) -> sqlalchemy.Engine:
        made.append(Path(url.split("///")[-1]).stem)
        return sqlalchemy.create_engine(url, **kwargs)

    monkeypatch.setattr(run_history, "create_engine", counting)
    return made


def _instance(home: Path) -> dg.DagsterInstance:
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(dagster_yaml(home), encoding="utf-8")
    return dg.DagsterInstance.from_config(str(home))


def test_a_run_is_stored_with_one_engine_per_database_and_reads_back_with_dagsters_storage(
    tmp_path: Path, engines_made: list[str]
) -> None:
    with _instance(tmp_path / "home") as instance:
        assert isinstance(instance.event_log_storage, KeptConnectionSqliteEventLogStorage)
        result = dg.materialize([upstream, downstream], instance=instance)
        run_id = result.run_id
        stored = [(entry.dagster_event_type, entry.step_key) for entry in instance.all_logs(run_id)]

    # Every event of the run (and the asset index's copies) went through two engines: the run's and the index's.
    assert result.success
    assert sorted(engines_made) == sorted(["index", run_id])
    # Dagster's own class (the Dagster UI's, before this storage) reads the same files and finds the same run.
    plain = dg._core.storage.event_log.SqliteEventLogStorage(str(tmp_path / "home" / "history" / "runs"))
    read_back = [(entry.dagster_event_type, entry.step_key) for entry in plain.get_logs_for_run(run_id)]
    assert read_back == stored
    materialized = [event for event, _ in read_back if event == dg.DagsterEventType.ASSET_MATERIALIZATION]
    assert len(materialized) == 2
    latest = plain.get_latest_materialization_events([dg.AssetKey("downstream")])[dg.AssetKey("downstream")]
    assert latest is not None and latest.run_id == run_id


def test_only_the_most_recently_used_databases_keep_an_engine(tmp_path: Path, engines_made: list[str]) -> None:
    storage = KeptConnectionSqliteEventLogStorage(str(tmp_path / "runs"))
    shards = [f"run-{number}" for number in range(KEPT_ENGINES + 3)]
    for shard in shards:
        with storage.run_connection(shard) as conn:
            conn.execute(sqlalchemy.text("select 1"))

    assert list(storage._engines) == shards[-KEPT_ENGINES:]
    # A database whose engine was let go opens again.
    with storage.run_connection(shards[0]) as conn:
        assert conn.execute(sqlalchemy.text("select count(*) from event_logs")).scalar() == 0
    assert engines_made.count(shards[0]) == 2
    storage.dispose()
    assert not storage._engines


def test_wiping_the_history_closes_the_deleted_databases_first(tmp_path: Path) -> None:
    with _instance(tmp_path / "home") as instance:
        first = dg.materialize([upstream], instance=instance).run_id
        instance.wipe()
        assert not (tmp_path / "home" / "history" / "runs" / f"{first}.db").exists()
        second = dg.materialize([upstream], instance=instance).run_id

        assert instance.all_logs(first) == []
        assert any(entry.dagster_event_type == dg.DagsterEventType.RUN_SUCCESS for entry in instance.all_logs(second))


def test_the_data_directory_gets_this_storage_and_a_hand_written_configuration_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "DAGSTER_HOME",
        "BILLING_WAREHOUSE_PATH",
        "BILLING_DBT_DUCKDB_TEMP_DIR",
        "BILLING_DBT_DUCKDB_MEMORY_LIMIT",
        "BILLING_DBT_DUCKDB_THREADS",
    ):
        monkeypatch.delenv(name, raising=False)  # prepare_environment sets them: removed again after the test
    monkeypatch.setenv("BILLING_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings()
    config = settings.dagster_home / "dagster.yaml"
    config.parent.mkdir(parents=True)
    # A data directory written before this storage: the file carries billing's mark, so it follows the code.
    config.write_text("# Written by `billing`: local run history for the CLI and `make ui` alike.\n", encoding="utf-8")
    prepare_environment(settings)
    assert config.read_text(encoding="utf-8") == dagster_yaml(settings.dagster_home)
    assert "class: KeptConnectionSqliteEventLogStorage" in config.read_text(encoding="utf-8")

    config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    prepare_environment(settings)
    assert config.read_text(encoding="utf-8") == "telemetry:\n  enabled: false\n"


def test_commits_on_the_wal_databases_do_not_wait_for_the_disk(tmp_path: Path) -> None:
    storage = KeptConnectionSqliteEventLogStorage(str(tmp_path / "runs"))
    for shard in ("index", "a-run-created-now"):
        with storage.run_connection(shard) as conn:
            assert conn.execute(sqlalchemy.text("pragma journal_mode")).scalar() == "wal"
            assert conn.execute(sqlalchemy.text("pragma synchronous")).scalar() == 1  # NORMAL (FULL is 2)
    storage.dispose()
