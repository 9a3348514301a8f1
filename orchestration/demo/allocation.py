"""Cost-center assignment by the mapping rules, written plainly in Python (independent of the dbt SQL).

A charge is described by its normalised dimensions: tags (AWS `user:` prefix already stripped), project,
sub-account and billing account. Rules are tried by precedence (lowest first); the first match wins and a
charge nothing matches goes to UNALLOCATED.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from orchestration.demo.organisation import UNALLOCATED, MappingRule


@dataclass(frozen=True)
class ChargeDimensions:
    tags: Mapping[str, str] = field(default_factory=dict)
    project: str | None = None
    sub_account: str | None = None
    billing_account: str | None = None

    def value_for(self, rule: MappingRule) -> str | None:
        if rule.match_dimension == "tag":
            value = self.tags.get(rule.tag_key or "")
        elif rule.match_dimension == "project":
            value = self.project
        elif rule.match_dimension == "sub_account":
            value = self.sub_account
        elif rule.match_dimension == "billing_account":
            value = self.billing_account
        else:
            raise ValueError(f"unknown match_dimension {rule.match_dimension!r}")
        return value or None


def by_precedence(rules: Iterable[MappingRule]) -> list[MappingRule]:
    """Rules in the order they are tried: precedence, then mapping id."""
    return sorted(rules, key=lambda r: (r.precedence, r.mapping_id))


def assign_cost_center(dimensions: ChargeDimensions, ordered_rules: Sequence[MappingRule]) -> str:
    """The cost center of the first matching rule of `ordered_rules` (see by_precedence), else UNALLOCATED.

    Every demo rule is open-ended from 2026-01-01, before the demo months, so validity never excludes one.
    """
    for rule in ordered_rules:
        if dimensions.value_for(rule) == rule.match_value:
            return rule.cost_center_id
    return UNALLOCATED


def strip_aws_user_prefix(tags: Mapping[str, str]) -> dict[str, str]:
    """AWS user-defined cost-allocation tags arrive as 'user:key'; the dbt layer keys them by 'key'."""
    return {key.removeprefix("user:"): value for key, value in tags.items()}
