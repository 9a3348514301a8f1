"""Personal data in tags is pseudonymized at ingest: on Microsoft's EA sample (finops-toolkit) and the FOCUS
data toolkit's AWS sample, owner tags become `pseud:` pseudonyms, cost-center and project tags stay readable."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import duckdb

from orchestration.ingest.landing import ingest_source
from orchestration.retention.policy import policy_in_force
from orchestration.retention.pseudonymize import (
    Pseudonymizer,
    allocation_tag_keys,
    build_pseudonymizer,
    pseudonym_key,
)
from orchestration.settings import SEEDS_DIR

FIXTURES = Path(__file__).parents[1] / "fixtures" / "third_party"
EA_SAMPLE = FIXTURES / "finops-toolkit" / "EA_AmortizedCost_Small.csv"
FOCUS_SAMPLE = FIXTURES / "focus-data-toolkit" / "focus_1_2_cost_and_usage_aws.csv"
KEY = "test-key-not-secret"


def _pseudonymizer(tmp_path: Path) -> Pseudonymizer:
    return build_pseudonymizer(SEEDS_DIR, KEY, tmp_path / "unused.key")


def _ingest(tmp_path: Path, source: str, sample: Path, run: str) -> list[dict[str, str]]:
    """Land the sample, ingest it with the pseudonymizer, and return the raw rows' tag objects."""
    landing = tmp_path / run / "landing"
    (landing / source).mkdir(parents=True)
    (landing / source / sample.name).write_bytes(sample.read_bytes())
    with duckdb.connect(str(tmp_path / run / "billing.duckdb")) as con:
        report = ingest_source(con, source, landing, tmp_path / run / "q", pseudonymizer=_pseudonymizer(tmp_path))
        assert report.count("loaded") == 1
        rows = con.execute(f"select tags from raw.{source} order by try_cast(_source_row as integer)").fetchall()
    return [json.loads(tags) if tags else {} for (tags,) in rows]


def test_an_owner_tag_is_pseudonymized_and_the_cost_center_tag_is_not(tmp_path: Path) -> None:
    tags = _ingest(tmp_path, "azure_cost", EA_SAMPLE, "first")
    owners = [t["BusinessOwner"] for t in tags if "BusinessOwner" in t]
    expected = _pseudonymizer(tmp_path).pseudonym("Aparna")
    assert owners and set(owners) == {expected}
    assert expected.startswith("pseud:") and len(expected) == len("pseud:") + 32
    assert "Aparna" not in json.dumps(tags)
    # cost-center, project and the other non-personal tags arrive exactly as delivered
    assert sorted({t["CostCenter"] for t in tags if "CostCenter" in t}) == ["1234", "SubACM"]
    assert {t["Project"] for t in tags if "Project" in t} == {"Demo"}
    assert {t["application"] for t in tags if "application" in t} == {"databricks"}
    # k8s-azure-created-by names who created a disk: personal key by suffix (created-by), pseudonymized
    assert {t["k8s-azure-created-by"] for t in tags if "k8s-azure-created-by" in t} == {
        _pseudonymizer(tmp_path).pseudonym("kubernetes-azure-dd")
    }
    # the same value always gives the same pseudonym: a second warehouse loading the same file agrees
    assert _ingest(tmp_path, "azure_cost", EA_SAMPLE, "second") == tags


def test_focus_owner_tags_get_one_pseudonym_per_owner(tmp_path: Path) -> None:
    tags = _ingest(tmp_path, "focus", FOCUS_SAMPLE, "focus")
    p = _pseudonymizer(tmp_path)
    assert {t["Owner"] for t in tags} == {p.pseudonym(o) for o in ("team-data", "team-payments", "team-platform")}
    assert {t["CostCenter"] for t in tags} >= {"cc-3110", "cc-2087", "cc-1042"}
    assert all(not str(v).startswith("pseud:") for t in tags for k, v in t.items() if k != "Owner")


def test_email_values_are_personal_under_any_key_and_allocation_keys_never_are(tmp_path: Path) -> None:
    p = _pseudonymizer(tmp_path)
    text = json.dumps(
        {"user:owner": "ana@ebts.example", "support": "Ops@EBTS.example", "cost-center": "CC-1100", "project": "x"},
        separators=(",", ":"),
        sort_keys=True,
    )
    assert json.loads(p.tags_text(text) or "") == {
        "cost-center": "CC-1100",
        "project": "x",
        "support": p.pseudonym("Ops@EBTS.example"),
        "user:owner": p.pseudonym("ana@ebts.example"),
    }
    # a row without personal tags keeps its exact text (no re-serialisation)
    assert p.tags_text('{"environment":"prod"}') == '{"environment":"prod"}'
    # every tag key an allocation rule reads, and the demo's keys, are readable whatever the personal list says
    protected = allocation_tag_keys(SEEDS_DIR)
    assert {"cost-center", "project"} <= protected
    greedy = Pseudonymizer(b"k", ("center", "project", "environment"), protected)
    assert not any(greedy.is_personal(key, "CC-1100") for key in protected)
    personal = policy_in_force(SEEDS_DIR, date(2026, 11, 1)).personal_tag_keys
    demo_keys = ("environment", "project", "cost-center", "user:environment", "user:project", "user:cost-center")
    assert not any(Pseudonymizer(b"k", personal, protected).is_personal(key, "prod") for key in demo_keys)


def test_without_a_configured_key_one_is_generated_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    key_file = tmp_path / "secrets" / "pseudonym.key"
    first = pseudonym_key(None, key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) == 64 and pseudonym_key(None, key_file) == first
    assert pseudonym_key("configured", key_file) == b"configured"
    assert "configured" not in repr(Pseudonymizer(b"configured", ("owner",)))
