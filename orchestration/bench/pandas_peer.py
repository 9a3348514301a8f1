"""Naive pandas peer: the month's close as an analyst would script it in pandas, to compare the platform against.

Same input and output as the engine floor (floor.py): one month's scaled AWS CUR 2.0 Parquet and Azure EA CSV files
in, a FOCUS-width normalized table (`pandas_focus.parquet` under `work_dir`) and the cost-center totals of
EffectiveCost out, with the same normalization and mapping rules. Written the obvious way: each file read whole
(`pd.read_parquet`, `pd.read_csv`), columns renamed and derived with `np.select` / `np.where`, tag maps turned
into Python dicts row by row (`apply`), one merge of every charge against the mapping rules per match dimension,
the winning rule by `sort_values` + `drop_duplicates`, and a `groupby().sum()`.

Amounts are float64, as an analyst's pandas would have them (`read_csv` infers floats; CUR Parquet stores
doubles); the totals are converted to Decimal only at the end (`Decimal(repr(total))`), so they agree with the
floor's exact decimals to the cent, not to the last of ten decimals.

It runs in a subprocess (`python -m orchestration.bench.pandas_peer <json>`), so that its peak RSS is its own
(`os.wait4` on the child; the interpreter and the pandas, pyarrow and DuckDB imports, ~100-200 MB, are included)
and so that `memory_limit_bytes` caps the child's address space (`RLIMIT_AS`, set after the imports): running out
of memory is reported as `completed=False` with the reason (MemoryError, an allocation failure, or the signal that
killed the child), never as a crash of the caller. RLIMIT_AS limits virtual memory, which allocators reserve
generously: a limit only slightly above the expected peak RSS can fail early.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from orchestration.demo.scale import ScaledFile

FOCUS_FILE = "pandas_focus.parquet"
RESULT_FILE = "pandas_peer.result.json"
UNALLOCATED = "UNALLOCATED"
PROJECT_TAG_KEY = "project"
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class PeerResult:
    seconds: float  # the analyst script's own time (reading to totals); the wall time when it did not complete
    rows: int  # rows of the FOCUS table: every export line but AWS SavingsPlanNegation (not a FOCUS charge)
    peak_rss_bytes: int  # the child process's peak resident set size
    completed: bool
    detail: str
    cost_center_totals: dict[str, Decimal] = field(default_factory=dict)  # "<cost center>/<currency>" -> total


# ---------------------------------------------------------------------------------------------------------------
# The analyst's script (runs in the child)
# ---------------------------------------------------------------------------------------------------------------

AWS_USAGE = ["Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"]
AWS_SAVINGS_PLAN = ["SavingsPlanCoveredUsage", "SavingsPlanRecurringFee", "SavingsPlanUpfrontFee"]
AWS_CREDITS = [
    "Credit",
    "Refund",
    "EdpDiscount",
    "PrivateRateDiscount",
    "BundledDiscount",
    "SppDiscount",
    "DistributorDiscount",
]


def _utc_naive(column: pd.Series) -> pd.Series:
    return column.dt.tz_convert("UTC").dt.tz_localize(None)


def _aws_tags(pairs: Any) -> str:
    return json.dumps({key.removeprefix("user:"): value for key, value in (pairs or [])}, sort_keys=True)


def aws_to_focus(path: str, services: pd.DataFrame) -> pd.DataFrame:
    cur = pd.read_parquet(path)
    cur = cur[cur["line_item_line_item_type"] != "SavingsPlanNegation"]
    cur = cur.merge(
        services[services["source"] == "aws_cur"], how="left", left_on="line_item_product_code", right_on="service_key"
    )
    kind = cur["line_item_line_item_type"]
    unblended = cur["line_item_unblended_cost"]
    focus = pd.DataFrame(
        {
            "ProviderName": "AWS",
            "PublisherName": cur["bill_billing_entity"].fillna("AWS"),
            "InvoiceIssuerName": cur["bill_invoicing_entity"].fillna("AWS"),
            "InvoiceId": cur["bill_invoice_id"],
            "BillingAccountId": cur["bill_payer_account_id"],
            "BillingAccountName": cur["bill_payer_account_name"],
            "SubAccountId": cur["line_item_usage_account_id"],
            "SubAccountName": cur["line_item_usage_account_name"],
            "BillingPeriodStart": _utc_naive(cur["bill_billing_period_start_date"]),
            "BillingPeriodEnd": _utc_naive(cur["bill_billing_period_end_date"]),
            "ChargePeriodStart": _utc_naive(cur["line_item_usage_start_date"]),
            "ChargePeriodEnd": _utc_naive(cur["line_item_usage_end_date"]),
        }
    )
    focus["ChargeCategory"] = np.select(
        [
            kind.isin(["Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanRecurringFee", "RIFee"]),
            kind.isin(["SavingsPlanUpfrontFee", "Fee"]),
            kind == "Tax",
            kind.isin(AWS_CREDITS),
        ],
        ["Usage", "Purchase", "Tax", "Credit"],
        default="Adjustment",
    )
    focus["ChargeClass"] = np.where(kind == "Refund", "Correction", None)
    focus["ChargeDescription"] = cur["line_item_line_item_description"]
    focus["ChargeFrequency"] = np.select(
        [kind.isin(["SavingsPlanRecurringFee", "RIFee"]), kind.isin(AWS_USAGE)],
        ["Recurring", "Usage-Based"],
        default="One-Time",
    )
    focus["BilledCost"] = np.where(kind == "SavingsPlanCoveredUsage", 0.0, unblended)
    focus["EffectiveCost"] = np.select(
        [
            kind == "SavingsPlanCoveredUsage",
            kind == "SavingsPlanUpfrontFee",
            kind == "SavingsPlanRecurringFee",
            kind == "DiscountedUsage",
            kind == "RIFee",
        ],
        [
            cur["savings_plan_savings_plan_effective_cost"],
            0.0,
            cur["savings_plan_total_commitment_to_date"] - cur["savings_plan_used_commitment"].fillna(0.0),
            cur["reservation_effective_cost"],
            cur["reservation_unused_amortized_upfront_fee_for_billing_period"].fillna(0.0)
            + cur["reservation_unused_recurring_fee"].fillna(0.0),
        ],
        default=unblended,
    )
    focus["ListCost"] = cur["pricing_public_on_demand_cost"].fillna(unblended)
    focus["ContractedCost"] = unblended
    focus["ListUnitPrice"] = pd.to_numeric(cur["pricing_public_on_demand_rate"], errors="coerce")
    focus["ContractedUnitPrice"] = pd.to_numeric(cur["line_item_unblended_rate"], errors="coerce")
    standard = np.where(cur["pricing_term"] == "Spot", "Dynamic", "Standard")
    focus["PricingCategory"] = np.select(
        [
            kind.isin(["SavingsPlanCoveredUsage", "DiscountedUsage", "SavingsPlanRecurringFee", "RIFee"]),
            kind.isin(["Usage", "SavingsPlanUpfrontFee", "Fee"]),
        ],
        ["Committed", standard],
        default=None,
    )
    focus["PricingQuantity"] = cur["line_item_usage_amount"]
    focus["PricingUnit"] = cur["pricing_unit"]
    focus["BillingCurrency"] = cur["line_item_currency_code"]
    focus["ConsumedQuantity"] = cur["line_item_usage_amount"].where(kind.isin(AWS_USAGE))
    focus["ConsumedUnit"] = cur["pricing_unit"].where(kind.isin(AWS_USAGE))
    product_name = cur["product"].apply(lambda pairs: dict(pairs or []).get("product_name"))
    focus["ServiceName"] = cur["service_name"].fillna(product_name).fillna(cur["line_item_product_code"])
    focus["ServiceCategory"] = cur["service_category"].fillna("Other")
    focus["SkuId"] = cur["product_sku"]
    focus["SkuMeter"] = cur["line_item_usage_type"]
    focus["SkuPriceId"] = cur["pricing_rate_code"]
    focus["ResourceId"] = cur["line_item_resource_id"]
    focus["ResourceName"] = None
    focus["RegionId"] = cur["product_region_code"]
    focus["RegionName"] = cur["product_location"]
    focus["AvailabilityZone"] = cur["line_item_availability_zone"]
    focus["CommitmentDiscountId"] = np.select(
        [kind.isin(AWS_SAVINGS_PLAN), kind.isin(["DiscountedUsage", "RIFee"])],
        [cur["savings_plan_savings_plan_arn"], cur["reservation_reservation_arn"]],
        default=None,
    )
    focus["CommitmentDiscountType"] = np.select(
        [kind.isin(AWS_SAVINGS_PLAN), kind.isin(["DiscountedUsage", "RIFee"])],
        ["Savings Plan", "Reserved Instance"],
        default=None,
    )
    focus["CommitmentDiscountStatus"] = np.select(
        [
            kind.isin(["SavingsPlanCoveredUsage", "DiscountedUsage"]),
            kind.isin(["SavingsPlanRecurringFee", "RIFee"]),
        ],
        ["Used", "Unused"],
        default=None,
    )
    focus["Tags"] = cur["resource_tags"].apply(_aws_tags)
    focus["ServiceProviderName"] = "AWS"
    focus["x_Source"] = "aws_cur"
    focus["x_SourceFile"] = path
    return focus


def _azure_tags(text: Any) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()
    return json.dumps(json.loads(text if text.startswith("{") else "{" + text + "}"), sort_keys=True)


def azure_to_focus(path: str, services: pd.DataFrame) -> pd.DataFrame:
    ids = {"BillingAccountId": str, "BillingProfileId": str, "InvoiceSectionId": str, "SubscriptionId": str}
    ea = pd.read_csv(path, encoding="utf-8-sig", dtype=ids)
    ea = ea.merge(
        services[services["source"] == "azure_cost"], how="left", left_on="MeterCategory", right_on="service_key"
    )
    charge = ea["ChargeType"].fillna("Usage")
    day = pd.to_datetime(ea["Date"], format="%m/%d/%Y")
    focus = pd.DataFrame(
        {
            "ProviderName": "Microsoft",
            "PublisherName": ea["PublisherName"].fillna("Microsoft"),
            "InvoiceIssuerName": "Microsoft",
            "InvoiceId": None,
            "BillingAccountId": ea["BillingAccountId"],
            "BillingAccountName": ea["BillingAccountName"],
            "SubAccountId": ea["SubscriptionId"],
            "SubAccountName": ea["SubscriptionName"],
            "BillingPeriodStart": pd.to_datetime(ea["BillingPeriodStartDate"], format="%m/%d/%Y"),
            "BillingPeriodEnd": pd.to_datetime(ea["BillingPeriodEndDate"], format="%m/%d/%Y") + pd.Timedelta(days=1),
            "ChargePeriodStart": day,
            "ChargePeriodEnd": day + pd.Timedelta(days=1),
        }
    )
    focus["ChargeCategory"] = np.select(
        [
            charge.isin(["Usage", "UnusedReservation", "UnusedSavingsPlan"]),
            charge == "Purchase",
            charge == "Tax",
            charge.isin(["Refund", "Credit"]),
        ],
        ["Usage", "Purchase", "Tax", "Credit"],
        default="Adjustment",
    )
    focus["ChargeClass"] = np.where(charge == "Refund", "Correction", None)
    focus["ChargeDescription"] = ea["Product"].fillna(ea["MeterName"])
    focus["ChargeFrequency"] = np.select(
        [ea["Frequency"] == "Recurring", (ea["Frequency"] == "OneTime") | (charge == "Purchase")],
        ["Recurring", "One-Time"],
        default="Usage-Based",
    )
    focus["BilledCost"] = ea["Cost"]
    focus["EffectiveCost"] = ea["Cost"]
    focus["ListCost"] = np.where(
        (ea["PayGPrice"] > 0) & ea["Quantity"].notna(), ea["PayGPrice"] * ea["Quantity"], ea["Cost"]
    )
    focus["ContractedCost"] = np.where(
        (ea["UnitPrice"] > 0) & ea["Quantity"].notna(), ea["UnitPrice"] * ea["Quantity"], ea["Cost"]
    )
    focus["ListUnitPrice"] = ea["PayGPrice"]
    focus["ContractedUnitPrice"] = ea["UnitPrice"]
    focus["PricingCategory"] = np.select(
        [
            charge.isin(["Tax", "Refund", "Credit", "RoundingAdjustment", "Adjustment"]),
            ea["PricingModel"] == "Spot",
            ea["PricingModel"].isin(["Reservation", "SavingsPlan"]),
        ],
        [None, "Dynamic", "Committed"],
        default="Standard",
    )
    focus["PricingQuantity"] = ea["Quantity"]
    focus["PricingUnit"] = ea["UnitOfMeasure"]
    focus["BillingCurrency"] = ea["BillingCurrency"]
    focus["ConsumedQuantity"] = ea["Quantity"].where(charge == "Usage")
    focus["ConsumedUnit"] = ea["UnitOfMeasure"].where(charge == "Usage")
    focus["ServiceName"] = ea["service_name"].fillna(ea["MeterCategory"]).fillna(ea["ConsumedService"]).fillna("Other")
    focus["ServiceCategory"] = ea["service_category"].fillna("Other")
    focus["SkuId"] = ea["PartNumber"]
    focus["SkuMeter"] = ea["MeterName"]
    focus["SkuPriceId"] = None
    focus["ResourceId"] = ea["ResourceId"]
    focus["ResourceName"] = ea["ResourceName"]
    focus["RegionId"] = ea["ResourceLocation"].str.lower()
    focus["RegionName"] = ea["ResourceLocation"].fillna(ea["MeterRegion"])
    focus["AvailabilityZone"] = ea["AvailabilityZone"]
    commitment = ea["PricingModel"].isin(["Reservation", "SavingsPlan"])
    focus["CommitmentDiscountId"] = ea["benefitId"].where(commitment)
    focus["CommitmentDiscountType"] = np.select(
        [ea["PricingModel"] == "Reservation", ea["PricingModel"] == "SavingsPlan"],
        ["Reservation", "Savings Plan"],
        default=None,
    )
    focus["CommitmentDiscountStatus"] = np.select(
        [charge.isin(["UnusedReservation", "UnusedSavingsPlan"]), (charge == "Usage") & commitment],
        ["Unused", "Used"],
        default=None,
    )
    focus["Tags"] = ea["Tags"].apply(_azure_tags)
    focus["ServiceProviderName"] = ea["PublisherName"].fillna("Microsoft")
    focus["x_Source"] = "azure_cost"
    focus["x_SourceFile"] = path
    return focus


def map_cost_centers(focus: pd.DataFrame, mappings: pd.DataFrame) -> pd.Series:
    """The cost center of every charge by seeds/cost_center_mappings.csv (floor.py's rules), row by row."""
    mappings = mappings.assign(
        precedence=mappings["precedence"].astype(int),
        valid_from=pd.to_datetime(mappings["valid_from"]),
        valid_to=pd.to_datetime(mappings["valid_to"]),
    )
    tags = focus["Tags"].apply(lambda text: json.loads(text) if isinstance(text, str) else {})
    charges = pd.DataFrame({"charge": focus.index, "charge_date": focus["ChargePeriodStart"].dt.normalize()})
    values: list[tuple[str, str | None, pd.Series]] = [
        ("tag", key, tags.apply(lambda d, key=key: d.get(key)))
        for key in mappings.loc[mappings["match_dimension"] == "tag", "tag_key"].dropna().unique()
    ]
    values += [
        ("project", None, tags.apply(lambda d: d.get(PROJECT_TAG_KEY))),
        ("sub_account", None, focus["SubAccountId"]),
        ("billing_account", None, focus["BillingAccountId"]),
    ]
    candidates = []
    for dimension, tag_key, value in values:
        rules = mappings[mappings["match_dimension"] == dimension]
        if tag_key is not None:
            rules = rules[rules["tag_key"] == tag_key]
        candidates.append(charges.assign(match_value=value.values).merge(rules, on="match_value"))
    matched = pd.concat(candidates, ignore_index=True)
    in_force = (matched["valid_from"].isna() | (matched["valid_from"] <= matched["charge_date"])) & (
        matched["valid_to"].isna() | (matched["charge_date"] < matched["valid_to"])
    )
    winners = (
        matched[in_force]
        .sort_values(["charge", "precedence", "mapping_id"])
        .drop_duplicates("charge")
        .set_index("charge")["cost_center_id"]
    )
    return pd.Series(focus.index.map(winners), index=focus.index).fillna(UNALLOCATED)


def analyst_close(files: Sequence[dict[str, str]], seeds_dir: Path, work_dir: Path) -> tuple[int, dict[str, Decimal]]:
    services = pd.read_csv(seeds_dir / "service_categories.csv", dtype=str)
    mappings = pd.read_csv(seeds_dir / "cost_center_mappings.csv", dtype=str)
    frames = []
    for delivered in files:
        if delivered["source"] == "aws_cur":
            frames.append(aws_to_focus(delivered["path"], services))
        elif delivered["source"] == "azure_cost":
            frames.append(azure_to_focus(delivered["path"], services))
        else:
            raise ValueError(f"the pandas peer reads AWS CUR Parquet and Azure CSV files, not {delivered['source']}")
    focus = pd.concat(frames, ignore_index=True)
    focus.to_parquet(work_dir / FOCUS_FILE, index=False)
    focus["cost_center_id"] = map_cost_centers(focus, mappings)
    sums = focus.groupby(["cost_center_id", "BillingCurrency"])["EffectiveCost"].sum()
    totals = {f"{cc}/{currency}": Decimal(repr(float(total))) for (cc, currency), total in sums.items()}
    return len(focus), totals


def _child(arguments: dict[str, Any]) -> dict[str, Any]:
    limit = arguments.get("memory_limit_bytes")
    started = time.perf_counter()
    try:
        if limit:
            resource.setrlimit(resource.RLIMIT_AS, (int(limit), int(limit)))
        rows, totals = analyst_close(arguments["files"], Path(arguments["seeds_dir"]), Path(arguments["work_dir"]))
        result: dict[str, Any] = {
            "completed": True,
            "rows": rows,
            "seconds": time.perf_counter() - started,
            "detail": "completed",
            "totals": {key: str(value) for key, value in totals.items()},
        }
    except MemoryError as error:
        result = {"completed": False, "detail": f"out of memory: MemoryError {error}".strip()}
    except Exception as error:  # an allocation failure surfaces as many exception types
        first_line = (str(error).splitlines() or [""])[0][:300]
        result = {"completed": False, "detail": f"failed: {type(error).__name__}: {first_line}"}
    result.setdefault("seconds", time.perf_counter() - started)
    result["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return result


def main(argv: Sequence[str]) -> int:
    arguments = json.loads(argv[1])
    result = _child(arguments)
    Path(arguments["result_path"]).write_text(json.dumps(result), encoding="utf-8")
    return 0


# ---------------------------------------------------------------------------------------------------------------
# The caller (runs the child and reads what it reports)
# ---------------------------------------------------------------------------------------------------------------


def _stderr_tail(path: Path) -> str:
    lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


def run_pandas_peer(
    files: Sequence[ScaledFile], seeds_dir: Path, work_dir: Path, *, memory_limit_bytes: int | None
) -> PeerResult:
    """Run the naive pandas close of one month's scaled files in a child process and report what it did."""
    work_dir = Path(work_dir).resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    result_path = work_dir / RESULT_FILE
    result_path.unlink(missing_ok=True)
    arguments = {
        "files": [{"path": str(Path(f.path).resolve()), "source": f.source} for f in files],
        "seeds_dir": str(Path(seeds_dir).resolve()),
        "work_dir": str(work_dir),
        "memory_limit_bytes": memory_limit_bytes,
        "result_path": str(result_path),
    }
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), environment.get("PYTHONPATH")]))
    err_path = work_dir / "pandas_peer.stderr"
    started = time.perf_counter()
    with (work_dir / "pandas_peer.stdout").open("wb") as out, err_path.open("wb") as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "orchestration.bench.pandas_peer", json.dumps(arguments)],
            stdout=out,
            stderr=err,
            env=environment,
        )
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    peak = usage.ru_maxrss * 1024
    if result_path.exists():
        reported = json.loads(result_path.read_text(encoding="utf-8"))
    elif child.returncode < 0:
        name = signal.Signals(-child.returncode).name
        reported = {"completed": False, "detail": f"killed by {name} (out of memory?): {_stderr_tail(err_path)}"}
    else:
        reported = {"completed": False, "detail": f"exit status {child.returncode}: {_stderr_tail(err_path)}"}
    completed = bool(reported.get("completed"))
    return PeerResult(
        seconds=float(reported["seconds"]) if completed else wall,
        rows=int(reported.get("rows", 0)),
        peak_rss_bytes=max(peak, int(reported.get("peak_rss_bytes", 0))),
        completed=completed,
        detail=str(reported.get("detail", "")) + f" (child wall time {wall:.1f} s)",
        cost_center_totals={key: Decimal(value) for key, value in reported.get("totals", {}).items()},
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv))
