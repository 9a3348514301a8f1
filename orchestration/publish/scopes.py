"""The scopes a publication writes an extract for, and the scope of each user of seeds/billing_users.csv.

finance (finance controller, billing managers) reads everything; analyst (billing analysts) every row but no
finance-only table or column; a department viewer its department's rows; a client viewer its client's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.ops.people import Directory, User

FINANCE_ROLES = frozenset({"finance_controller", "billing_manager"})
ANALYST_ROLES = frozenset({"billing_analyst"})


@dataclass(frozen=True)
class Scope:
    scope_id: str
    kind: str  # "finance" | "analyst" | "department_viewer" | "client_viewer"
    department_id: str | None = None
    client_id: str | None = None

    @property
    def sees_margins(self) -> bool:
        return self.kind == "finance"

    @property
    def label(self) -> str:
        if self.kind == "department_viewer":
            return f"department {self.department_id}"
        if self.kind == "client_viewer":
            return f"client {self.client_id}"
        return "finance: every row and column" if self.kind == "finance" else "billing team: every row, no margins"


FINANCE = Scope("finance", "finance")
ANALYST = Scope("analyst", "analyst")


def scope_of(user: User) -> Scope | None:
    """The user's scope; None for a role that reads no publication (a viewer without its department/client)."""
    if user.role in FINANCE_ROLES:
        return FINANCE
    if user.role in ANALYST_ROLES:
        return ANALYST
    if user.role == "department_viewer" and user.department_id:
        return Scope(f"department-{user.department_id}", "department_viewer", department_id=user.department_id)
    if user.role == "client_viewer" and user.client_id:
        return Scope(f"client-{user.client_id}", "client_viewer", client_id=user.client_id)
    return None


def scopes_to_publish(directory: Directory) -> list[Scope]:
    """finance and analyst always, and one scope per department or client that has an active viewer."""
    scopes = {FINANCE.scope_id: FINANCE, ANALYST.scope_id: ANALYST}
    for user in directory.users.values():
        scope = scope_of(user)
        if scope is not None:
            scopes.setdefault(scope.scope_id, scope)
    return sorted(scopes.values(), key=lambda s: s.scope_id)
