"""The plan history inside a transaction: insert, status (draft/approved) with versions, export."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from resources.errors import InputError
from resources.io.plan_json import plan_from_dict
from resources.model import Plan
from resources.store import audit
from resources.store.errors import ConflictError

#: A plan is a draft until approved; an approval can be withdrawn (back to draft).
PLAN_STATUSES = ("draft", "approved")
_INFO = ("id, scenario, threat_level, created_at, day, content_hash, seed, status, version, "
         "status_by, status_at")


@dataclass(frozen=True)
class PlanInfo:
    """One line of the plan list, with its approval status and version."""

    plan_id: str
    scenario: str
    threat_level: str
    created_at: str
    day: int
    content_hash: str
    seed: int | None
    status: str = "draft"
    version: int = 1
    status_by: str | None = None
    status_at: str | None = None


def dumps(doc: Any) -> str:
    """Compact JSON text with finite numbers only, as stored."""
    return json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _info(r: tuple[Any, ...]) -> PlanInfo:
    return PlanInfo(r[0], r[1], r[2], r[3], int(r[4]), r[5], r[6], str(r[7]), int(r[8]),
                    r[9], r[10])


def _day_stamp(created_at: str) -> str:
    try:
        when = datetime.fromisoformat(created_at)
    except ValueError:
        when = datetime.now(UTC)
    return f"{when:%Y%m%d}"


def _state(doc: str, status: str, version: int) -> dict[str, Any]:
    return {"sha256": audit.text_sha256(doc), "status": status, "version": version}


def insert(db: Database, plan: Plan, *, action: str = "plan.create",
           rationale: str | None = None, extra: dict[str, Any] | None = None) -> str:
    """Store a plan under a new id 'P-YYYYMMDD-NNNN' (inside a write transaction)."""
    created = plan.created_at or audit.now_utc()
    prefix = f"P-{_day_stamp(created)}-"
    row = db.execute(
        "SELECT MAX(CAST(substr(id, ?) AS INTEGER)) FROM plans WHERE id LIKE ?",
        (len(prefix) + 1, prefix + "%"),
    ).fetchone()
    plan_id = f"{prefix}{int(row[0] or 0) + 1:04d}"
    saved = dataclasses.replace(plan, plan_id=plan_id, created_at=created)
    doc = dumps(saved.to_dict())
    content = saved.content_hash()
    db.execute(
        "INSERT INTO plans (id, scenario, threat_level, created_at, day, content_hash, document, "
        "seed, status, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft', 1)",
        (plan_id, plan.scenario, plan.threat_level, created, plan.day, content, doc,
         plan.solver.seed),
    )
    audit.append(db, action, audit.plan_object(plan_id), rationale=rationale, detail={
        "scenario": plan.scenario, "day": plan.day, "content_hash": content,
        "seed": plan.solver.seed, **(extra or {}), "state": _state(doc, "draft", 1),
    })
    return plan_id


def info(db: Database, plan_id: str) -> PlanInfo:
    """A plan's list line (status and version included)."""
    row = db.execute(f"SELECT {_INFO} FROM plans WHERE id = ?", (plan_id,)).fetchone()
    if row is None:
        raise InputError(f"no plan with id '{plan_id}'")
    return _info(row)


def load(db: Database, plan_id: str) -> Plan:
    """A stored plan by id."""
    row = db.execute("SELECT document FROM plans WHERE id = ?", (plan_id,)).fetchone()
    if row is None:
        raise InputError(f"no plan with id '{plan_id}'")
    return plan_from_dict(json.loads(row[0]), source=f"stored plan '{plan_id}'")


def listing(db: Database, scenario: str | None, limit: int) -> list[PlanInfo]:
    """Plans, newest first, optionally for one scenario."""
    sql = f"SELECT {_INFO} FROM plans"
    params: list[object] = []
    if scenario is not None:
        sql += " WHERE scenario = ?"
        params.append(scenario)
    sql += " ORDER BY created_at DESC, rowid DESC LIMIT ?"
    params.append(max(0, int(limit)))
    return [_info(r) for r in db.execute(sql, params).fetchall()]


def set_status(db: Database, plan_id: str, status: str, expected_version: int,
               rationale: str | None) -> int:
    """Approve or withdraw a plan if its version is still ``expected_version``; the new version."""
    if status not in PLAN_STATUSES:
        raise InputError(f"expected a status among {', '.join(PLAN_STATUSES)}, got {status!r}",
                         field="status")
    row = db.execute("SELECT status, version, document FROM plans WHERE id = ?",
                     (plan_id,)).fetchone()
    if row is None:
        raise InputError(f"no plan with id '{plan_id}'")
    current, version, doc = str(row[0]), int(row[1]), str(row[2])
    if expected_version != version:
        raise ConflictError(
            f"plan '{plan_id}' was changed elsewhere meanwhile (version {version}, expected "
            f"{expected_version}, now {current}); reload it and try again")
    if status == current:
        raise InputError(f"plan '{plan_id}' is already {current}")
    new = version + 1
    actor = audit.current_actor()
    when = audit.now_utc()
    db.execute("UPDATE plans SET status = ?, version = ?, status_by = ?, status_at = ? "
               "WHERE id = ?", (status, new, f"{actor.user}@{actor.host}", when, plan_id))
    action = "plan.approve" if status == "approved" else "plan.withdraw"
    audit.append(db, action, audit.plan_object(plan_id), rationale=rationale,
                 detail={"from": current, "state": _state(doc, status, new)})
    return new


def delete(db: Database, plan_id: str, rationale: str | None) -> None:
    """Delete a draft plan (an approved plan is the record of what was authorised)."""
    row = db.execute("SELECT status, version FROM plans WHERE id = ?", (plan_id,)).fetchone()
    if row is None:
        raise InputError(f"no plan with id '{plan_id}'")
    if row[0] == "approved":
        raise InputError(f"plan '{plan_id}' is approved; withdraw the approval first")
    db.execute("DELETE FROM plans WHERE id = ?", (plan_id,))
    audit.append(db, "plan.delete", audit.plan_object(plan_id), rationale=rationale,
                 detail={"version": int(row[1]), "state": None})


def export(db: Database, plan_id: str, path: Path, fmt: str,
           file_sha256: str | None) -> audit.AuditEntry:
    """Record that a plan was written to ``path`` in format ``fmt``."""
    row = db.execute("SELECT status, version, content_hash FROM plans WHERE id = ?",
                     (plan_id,)).fetchone()
    if row is None:
        raise InputError(f"no plan with id '{plan_id}'")
    fmt_text = fmt.strip()
    if not fmt_text or len(fmt_text) > 40:
        raise InputError(f"expected a format name of 1-40 characters, got {fmt!r}",
                         field="format")
    detail: dict[str, Any] = {"path": str(path), "format": fmt_text, "status": row[0],
                              "version": int(row[1]), "content_hash": row[2]}
    if file_sha256 is not None:
        detail["file_sha256"] = file_sha256
    return audit.append(db, "plan.export", audit.plan_object(plan_id), detail=detail)
