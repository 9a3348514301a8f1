"""One parser per export format. Parsers import neither Dagster nor dbt, so each is testable alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestration.sources import aws_cur, azure_cost, focus, gcp_billing, kubernetes, oci_cost, onprem, sla_metrics
from orchestration.sources.common import ParsedFile, RejectedFile


@dataclass(frozen=True)
class ExportFormat:
    source: str
    raw_tables: tuple[str, ...]
    required_columns: tuple[str, ...]
    suffixes: tuple[str, ...]
    parse: Callable[[Path], ParsedFile]


FORMATS: dict[str, ExportFormat] = {
    "aws_cur": ExportFormat("aws_cur", ("aws_cur",), aws_cur.REQUIRED_COLUMNS, aws_cur.SUFFIXES, aws_cur.parse),
    "azure_cost": ExportFormat(
        "azure_cost", ("azure_cost",), azure_cost.REQUIRED_COLUMNS, azure_cost.SUFFIXES, azure_cost.parse
    ),
    "gcp_billing": ExportFormat(
        "gcp_billing",
        ("gcp_billing", "gcp_billing_credits"),
        gcp_billing.REQUIRED_COLUMNS,
        gcp_billing.SUFFIXES,
        gcp_billing.parse,
    ),
    "focus": ExportFormat("focus", ("focus",), focus.REQUIRED_COLUMNS, focus.SUFFIXES, focus.parse),
    "onprem": ExportFormat("onprem", ("onprem",), onprem.REQUIRED_COLUMNS, (".csv",), onprem.parse),
    "oci_cost": ExportFormat("oci_cost", ("oci_cost",), oci_cost.REQUIRED_COLUMNS, oci_cost.SUFFIXES, oci_cost.parse),
    "kubernetes": ExportFormat(
        "kubernetes", ("kubernetes",), kubernetes.REQUIRED_COLUMNS, kubernetes.SUFFIXES, kubernetes.parse
    ),
    # Not a cost export: the monitoring system's monthly availability per client and IT service (SLA credits).
    "sla": ExportFormat(
        "sla", (sla_metrics.RAW_TABLE,), sla_metrics.REQUIRED_COLUMNS, sla_metrics.SUFFIXES, sla_metrics.parse
    ),
}

# Columns each raw table has even before its first file arrives, so dbt sources always resolve.
RAW_TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "aws_cur": aws_cur.REQUIRED_COLUMNS,
    "azure_cost": azure_cost.REQUIRED_COLUMNS,
    "gcp_billing": gcp_billing.REQUIRED_COLUMNS,
    "gcp_billing_credits": gcp_billing.CREDIT_COLUMNS,
    "focus": focus.REQUIRED_COLUMNS,
    "onprem": onprem.REQUIRED_COLUMNS,
    "oci_cost": (*oci_cost.REQUIRED_COLUMNS, oci_cost.TAGS),
    "kubernetes": kubernetes.REQUIRED_COLUMNS,
    sla_metrics.RAW_TABLE: sla_metrics.REQUIRED_COLUMNS,
}

__all__ = ["FORMATS", "RAW_TABLE_COLUMNS", "ExportFormat", "ParsedFile", "RejectedFile"]
