"""The Store's plan history: save, load, list, approve/withdraw with versions, delete, export."""

from __future__ import annotations

from pathlib import Path

from resources.model import Plan
from resources.store import audit, plans
from resources.store.base import StoreBase
from resources.store.connection import reading
from resources.store.errors import ConflictError
from resources.store.plans import PlanInfo


class PlanMethods(StoreBase):
    """Plans: each created, approved, withdrawn, deleted or exported with an audit entry."""

    def save_plan(self, plan: Plan, *, rationale: str | None = None) -> str:
        """Store a plan under a new id 'P-YYYYMMDD-NNNN' (a draft, version 1); return the id."""
        why = audit.clean_rationale(rationale)
        with self._write():
            return plans.insert(self.db, plan, rationale=why)

    def load_plan(self, plan_id: str) -> Plan:
        """A stored plan by id."""
        with reading(self.path):
            return plans.load(self.db, plan_id)

    def plan_info(self, plan_id: str) -> PlanInfo:
        """A plan's list line: status (draft/approved), version, who changed it and when."""
        with reading(self.path):
            return plans.info(self.db, plan_id)

    def list_plans(self, scenario: str | None = None, limit: int = 50) -> list[PlanInfo]:
        """Plans, newest first, optionally for one scenario."""
        with reading(self.path):
            return plans.listing(self.db, scenario, limit)

    def recent_plans(self, scenario: str, k: int) -> list[Plan]:
        """The ``k`` most recent plans of a scenario, newest first."""
        return [self.load_plan(i.plan_id) for i in self.list_plans(scenario, limit=k)]

    def approve_plan(self, plan_id: str, expected_version: int, rationale: str) -> int:
        """Approve a draft plan; refused (ConflictError) if it changed since ``expected_version``.

        Returns the plan's new version. A rationale is required.
        """
        return self.set_plan_status(plan_id, "approved", expected_version, rationale)

    def set_plan_status(self, plan_id: str, status: str, expected_version: int,
                        rationale: str) -> int:
        """Set 'approved' or 'draft' (withdraw an approval) with a rationale; the new version."""
        why = audit.clean_rationale(rationale, required=True)
        try:
            with self._write():
                return plans.set_status(self.db, plan_id, status, expected_version, why)
        except ConflictError:
            action = "plan.approve" if status == "approved" else "plan.withdraw"
            self._record_refusal(action, audit.plan_object(plan_id),
                                 {"expected_version": expected_version, "rationale": why})
            raise

    def delete_plan(self, plan_id: str, *, rationale: str | None = None) -> None:
        """Delete a draft plan (approved plans are kept: withdraw the approval first)."""
        why = audit.clean_rationale(rationale)
        with self._write():
            plans.delete(self.db, plan_id, why)

    def record_export(self, plan_id: str, path: Path, fmt: str, *,
                      file_sha256: str | None = None) -> str:
        """Record that a plan was exported to ``path`` as ``fmt``; returns the new chain head.

        Exporters print ``audit_head()`` on the document they write, then call this.
        """
        with self._write():
            return plans.export(self.db, plan_id, path, fmt, file_sha256).hash
