"""The FinOps Foundation's focus-validator on the closed demo months (scripts/validate_focus.py).

Runs only where the validator's Python 3.12 virtualenv exists (`make focus-validate` builds it in
.tools/focus-validator); the package registry is the only download, never at test time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import DEMO_PERIODS, ClosedDemo

ROOT = Path(__file__).parents[2]
VALIDATOR = ROOT / ".tools" / "focus-validator" / "bin" / "focus-validator"
SCRIPT = ROOT / "scripts" / "validate_focus.py"
ALLOWLIST = ROOT / "expectations" / "focus_validator_allowlist.yml"


def test_allowlist_entries_cite_an_upstream_defect() -> None:
    entries = yaml.safe_load(ALLOWLIST.read_text(encoding="utf-8"))["allow"]
    assert entries
    for entry in entries:
        assert entry["rule"] and entry["reason"] and entry["upstream"], entry


@pytest.mark.skipif(
    not VALIDATOR.exists(),
    reason="focus-validator (Python 3.12) not installed in .tools/focus-validator; run `make focus-validate`",
)
def test_demo_months_have_no_failures_outside_the_allowlist(closed_demo: ClosedDemo, tmp_path: Path) -> None:
    periods = [arg for period in DEMO_PERIODS for arg in ("--period", f"{period:%Y-%m}")]
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            *periods,
            "--warehouse",
            str(closed_demo.settings.warehouse_path),
            "--validator",
            str(VALIDATOR),
            "--out-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "no failures outside the allow-list" in done.stdout
    for period in DEMO_PERIODS:
        assert f"{period:%Y-%m}: " in done.stdout
