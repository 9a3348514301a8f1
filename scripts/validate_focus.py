"""Validate marts.focus_cost_and_usage with the FinOps Foundation's focus-validator, one billing period at a time.

For each period: export the mart's rows of that BillingPeriodStart to Parquet, run

    focus-validator --data-file <export> --validate-version 1.2 --block-download --output-type console

(the validator lives in its own Python 3.12 virtualenv, `make focus-validate` builds it from
scripts/focus_validator_requirements.txt; it downloads nothing at run time: --block-download, bundled
rule model model-1.2.0.1.json), parse its summary and failed rules, and compare the failures with the
checked-in allow-list expectations/focus_validator_allowlist.yml. Exit status 1 when a failure is not
allow-listed, when an allow-list entry no longer fails (stale), or when the validator cannot run.

Usage: .venv/bin/python scripts/validate_focus.py --period 2026-08 [--period 2026-09 ...]
           [--warehouse data/warehouse/billing.duckdb] [--validator .tools/focus-validator/bin/focus-validator]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WAREHOUSE = ROOT / "data" / "warehouse" / "billing.duckdb"
DEFAULT_VALIDATOR = ROOT / ".tools" / "focus-validator" / "bin" / "focus-validator"
DEFAULT_ALLOWLIST = ROOT / "expectations" / "focus_validator_allowlist.yml"
FOCUS_VERSION = "1.2"

SUMMARY = re.compile(r"Total:\s*(\d+)\s*\|\s*Pass:\s*(\d+)\s*\|\s*Fail:\s*(\d+)\s*\|\s*Skipped:\s*(\d+)")
FAILED = re.compile(r"^\S*\s*(?P<rule>[A-Za-z]+-[A-Z]-\d{3}-[A-Z]): FAIL\s+\(violations=(?P<n>\d+), msg=(?P<msg>.*)\)")


@dataclass
class RuleFailure:
    rule: str
    violations: int
    message: str


@dataclass
class ValidationResult:
    period: str
    rows: int
    total: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[RuleFailure] = field(default_factory=list)


def load_allowlist(path: Path) -> dict[str, dict[str, str]]:
    """rule id -> entry; every entry must name the rule and cite the upstream defect."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries: dict[str, dict[str, str]] = {}
    for entry in document.get("allow", []) or []:
        for key in ("rule", "reason", "upstream"):
            if not entry.get(key):
                raise SystemExit(f"{path}: allow-list entry {entry!r} has no {key!r}")
        entries[entry["rule"]] = entry
    return entries


def export_period(warehouse: Path, period: date, target: Path) -> int:
    """The mart's rows of one billing period, every column, to Parquet; returns the row count."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (rows,) = con.execute(
            "select count(*) from marts.focus_cost_and_usage where cast(BillingPeriodStart as date) = ?", [period]
        ).fetchone() or (0,)
        con.execute(
            f"copy (select * from marts.focus_cost_and_usage where cast(BillingPeriodStart as date) = "
            f"date '{period.isoformat()}' order by x_ChargeId) to '{target.as_posix()}' (format parquet)"
        )
    return int(rows)


def parse_console(period: str, rows: int, output: str) -> ValidationResult:
    result = ValidationResult(period, rows)
    summary = SUMMARY.search(output)
    if summary is None:
        raise RuntimeError(f"no validator summary in its output:\n{output[-3000:]}")
    result.total, result.passed, result.failed, result.skipped = (int(g) for g in summary.groups())
    seen: set[str] = set()
    for line in output.splitlines():
        match = FAILED.match(line.strip())
        if match and match["rule"] not in seen:
            seen.add(match["rule"])
            result.failures.append(RuleFailure(match["rule"], int(match["n"]), match["msg"].strip()))
    if len(result.failures) != result.failed:
        raise RuntimeError(f"summary says {result.failed} failed rules, parsed {len(result.failures)}")
    return result


def run_validator(validator: Path, data_file: Path, criteria: str | None = None) -> str:
    # focus-validator 2.2.1 opens focus_validator/rules/currency_codes.csv relative to the working directory
    # (utils/download_currency_codes.py): run it from its site-packages directory.
    site_packages = next((validator.parent.parent / "lib").glob("python3*/site-packages"))
    done = subprocess.run(
        [
            str(validator),
            "--data-file",
            str(data_file.resolve()),
            "--validate-version",
            FOCUS_VERSION,
            "--block-download",
            "--output-type",
            "console",
            *(["--applicability-criteria", criteria] if criteria else []),
        ],
        cwd=site_packages,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"focus-validator exited {done.returncode}:\n{(done.stdout + done.stderr)[-3000:]}")
    return done.stdout


def validate(
    warehouse: Path,
    periods: list[date],
    validator: Path,
    allowlist: dict[str, dict[str, str]],
    out_dir: Path,
    criteria: str | None = None,
) -> tuple[list[ValidationResult], list[str]]:
    results: list[ValidationResult] = []
    problems: list[str] = []
    for period in periods:
        label = f"{period:%Y-%m}"
        export = out_dir / f"focus_cost_and_usage_{label}.parquet"
        rows = export_period(warehouse, period, export)
        if rows == 0:
            problems.append(f"{label}: the mart has no rows for this period")
            continue
        output = run_validator(validator, export, criteria)
        (out_dir / f"focus_validator_{label}.txt").write_text(output, encoding="utf-8")
        result = parse_console(label, rows, output)
        results.append(result)
        print(
            f"{label}: {rows} rows; rules total {result.total}, pass {result.passed}, fail {result.failed}, "
            f"skipped {result.skipped}"
        )
        failing = {f.rule for f in result.failures}
        for failure in result.failures:
            allowed = allowlist.get(failure.rule)
            tag = "allow-listed" if allowed else "NOT ALLOW-LISTED"
            print(f"  FAIL {failure.rule} [{failure.violations} violations] {failure.message} -- {tag}")
            if not allowed:
                problems.append(f"{label}: {failure.rule} fails and is not allow-listed: {failure.message}")
        for rule in sorted(set(allowlist) - failing):
            print(f"  note: allow-listed {rule} passes for {label}")
    for rule in sorted(set(allowlist) - {f.rule for r in results for f in r.failures}):
        problems.append(f"allow-list entry {rule} fails in no period; remove it")
    return results, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--period", action="append", required=True, help="YYYY-MM, repeatable")
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    parser.add_argument("--validator", type=Path, default=DEFAULT_VALIDATOR)
    parser.add_argument("--allowlist", type=Path, default=DEFAULT_ALLOWLIST)
    parser.add_argument("--out-dir", type=Path, default=None, help="where exports and reports go (default: temp)")
    parser.add_argument(
        "--applicability-criteria",
        default=None,
        help="passed to the validator (comma-separated, see focus-validator --show-applicability-criteria); "
        "without it the validator skips the rules of optional provider features, and so does the allow-list",
    )
    args = parser.parse_args(argv)
    if not args.validator.exists():
        print(f"focus-validator not installed at {args.validator}; run `make focus-validate`", file=sys.stderr)
        return 2
    if not args.warehouse.exists():
        print(f"no warehouse at {args.warehouse}; run `make run` first", file=sys.stderr)
        return 2
    periods = [date.fromisoformat(f"{p}-01") for p in args.period]
    allowlist = load_allowlist(args.allowlist)
    with tempfile.TemporaryDirectory() as scratch:
        out_dir = args.out_dir or Path(scratch)
        out_dir.mkdir(parents=True, exist_ok=True)
        try:
            _, problems = validate(
                args.warehouse, periods, args.validator, allowlist, out_dir, args.applicability_criteria
            )
        except RuntimeError as error:
            print(f"focus-validator could not validate: {error}", file=sys.stderr)
            return 2
    for problem in problems:
        print(f"ERROR {problem}", file=sys.stderr)
    if problems:
        return 1
    print("FOCUS 1.2 validation: no failures outside the allow-list")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
