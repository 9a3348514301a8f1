"""External tax service plug-in: the TaxService protocol, the configured-service registry and the writer of
raw.external_tax_determinations, which int_tax_determination prefers over the seed rules."""

from orchestration.tax.external import (
    EXTERNAL_TABLE,
    ExternalTaxReport,
    TaxServiceError,
    apply_external_tax_service,
    ensure_tax_tables,
    read_tax_requests,
)
from orchestration.tax.registry import TaxServiceConfigurationError, load_tax_service
from orchestration.tax.service import TaxDetermination, TaxRequest, TaxService

__all__ = [
    "EXTERNAL_TABLE",
    "ExternalTaxReport",
    "TaxDetermination",
    "TaxRequest",
    "TaxService",
    "TaxServiceConfigurationError",
    "TaxServiceError",
    "apply_external_tax_service",
    "ensure_tax_tables",
    "load_tax_service",
    "read_tax_requests",
]
