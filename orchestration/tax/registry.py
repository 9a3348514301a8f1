"""Find the configured external tax service: `Settings.tax_service` ("package.module:attribute", from
BILLING_TAX_SERVICE). The attribute is an object with a `determine` method, or a class / factory that takes no
arguments and returns one."""

from __future__ import annotations

import importlib

from orchestration.settings import Settings
from orchestration.tax.service import TaxService


class TaxServiceConfigurationError(ValueError):
    pass


def load_tax_service(settings: Settings) -> TaxService | None:
    """The configured service, or None when none is configured (the seed rules decide everything)."""
    reference = settings.tax_service
    if not reference:
        return None
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise TaxServiceConfigurationError(f"tax service {reference!r} is not of the form 'package.module:attribute'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise TaxServiceConfigurationError(f"tax service module {module_name!r} cannot be imported: {error}") from None
    target: object = module
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise TaxServiceConfigurationError(f"tax service {reference!r}: {module_name} has no {attribute!r}")
        target = getattr(target, part)
    if not isinstance(target, TaxService) or isinstance(target, type):
        if not callable(target):
            raise TaxServiceConfigurationError(f"tax service {reference!r} has no determine(requests) method")
        target = target()
    if not isinstance(target, TaxService):
        raise TaxServiceConfigurationError(f"tax service {reference!r} has no determine(requests) method")
    return target
