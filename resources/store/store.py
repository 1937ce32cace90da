"""The per-user store: scenarios (versioned, no lost updates) and the plan history."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlite_utils import Database

from resources.errors import InputError
from resources.io.plan_json import plan_from_dict
from resources.io.scenario_json import scenario_from_dict, scenario_to_dict
from resources.model import Plan, Scenario
from resources.store.builtin import BUILTIN_NAMES, builtin_scenario
from resources.store.connection import connect, reading, write_transaction
from resources.store.schema import StoreError, now_utc


class ConflictError(StoreError):
    """A save based on an out-of-date version: someone else saved first."""


@dataclass(frozen=True)
class ScenarioInfo:
    """One line of the scenario list. ``version`` 0: a built-in never saved."""

    name: str
    units: int
    sites: int
    areas: int
    threat_level: str
    updated_at: str | None
    version: int
    builtin: bool
    stored: bool


@dataclass(frozen=True)
class PlanInfo:
    """One line of the plan list."""

    plan_id: str
    scenario: str
    threat_level: str
    created_at: str
    day: int
    content_hash: str
    seed: int | None


def _dumps(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


class Store:
    """Scenarios and plans in one SQLite file. Use one Store per thread."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> Store:
        """Open the database at ``path`` (created owner-only if missing), migrating its schema."""
        return cls(connect(path, create=create), path)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- scenarios -------------------------------------------------------------------------

    def list_scenarios(self) -> list[ScenarioInfo]:
        """Stored scenarios and the built-ins, by name."""
        with reading(self.path):
            rows = self.db.execute(
                "SELECT name, json_array_length(document, '$.units'), "
                "json_array_length(document, '$.sites'), "
                "json_array_length(document, '$.areas'), "
                "json_extract(document, '$.threat_level'), updated_at, version "
                "FROM scenarios ORDER BY name"
            ).fetchall()
        out = [
            ScenarioInfo(r[0], int(r[1] or 0), int(r[2] or 0), int(r[3] or 0), str(r[4]),
                         r[5], int(r[6]), r[0] in BUILTIN_NAMES, True)
            for r in rows
        ]
        stored = {i.name for i in out}
        for name in BUILTIN_NAMES:
            if name in stored:
                continue
            s = builtin_scenario(name)
            if s is not None:
                out.append(ScenarioInfo(name, len(s.units), len(s.sites), len(s.areas),
                                        s.threat_level.value, None, 0, True, False))
        return sorted(out, key=lambda i: i.name)

    def scenario_version(self, name: str) -> int:
        """The stored version of a scenario; 0 when not stored."""
        with reading(self.path):
            row = self.db.execute("SELECT version FROM scenarios WHERE name = ?",
                                  (name,)).fetchone()
        return int(row[0]) if row else 0

    def load_versioned(self, name: str) -> tuple[Scenario, int]:
        """A scenario and its version (a never-saved built-in is built fresh, version 0)."""
        with reading(self.path):
            row = self.db.execute("SELECT document, version FROM scenarios WHERE name = ?",
                                  (name,)).fetchone()
        if row is not None:
            doc = json.loads(row[0])
            return scenario_from_dict(doc, source=f"stored scenario '{name}'"), int(row[1])
        built = builtin_scenario(name)
        if built is None:
            known = ", ".join(i.name for i in self.list_scenarios()) or "none"
            raise InputError(f"no scenario named '{name}' (known: {known})")
        return built, 0

    def load_scenario(self, name: str) -> Scenario:
        """A scenario by name; the stored version wins over a built-in of the same name."""
        return self.load_versioned(name)[0]

    def save_scenario(self, scenario: Scenario, expected_version: int | None = None) -> int:
        """Save and return the new version; ``expected_version`` guards against lost updates.

        ``expected_version`` 0 means 'not stored yet'; None saves whatever is stored.
        """
        doc = _dumps(scenario_to_dict(scenario))
        with write_transaction(self.db, self.path):
            row = self.db.execute("SELECT version FROM scenarios WHERE name = ?",
                                  (scenario.name,)).fetchone()
            current = int(row[0]) if row else 0
            if expected_version is not None and expected_version != current:
                raise ConflictError(
                    f"scenario '{scenario.name}' was saved elsewhere meanwhile (version "
                    f"{current}, expected {expected_version}); reload it and try again"
                )
            new = current + 1
            record = {"document": doc, "version": new, "updated_at": now_utc()}
            if row:
                self.db.table("scenarios").update(scenario.name, record)
            else:
                self.db.table("scenarios").insert({"name": scenario.name, **record})
        return new

    def delete_scenario(self, name: str, expected_version: int | None = None) -> None:
        """Delete a stored scenario (a built-in reverts to its embedded form); plans are kept."""
        with write_transaction(self.db, self.path):
            row = self.db.execute("SELECT version FROM scenarios WHERE name = ?",
                                  (name,)).fetchone()
            if row is None:
                what = "has no saved changes" if name in BUILTIN_NAMES else "is not stored"
                raise InputError(f"scenario '{name}' {what}")
            if expected_version is not None and expected_version != int(row[0]):
                raise ConflictError(f"scenario '{name}' was saved elsewhere meanwhile "
                                    f"(version {row[0]}, expected {expected_version})")
            self.db.execute("DELETE FROM scenarios WHERE name = ?", (name,))

    # -- plans -----------------------------------------------------------------------------

    def save_plan(self, plan: Plan) -> str:
        """Store a plan under a new id 'P-YYYYMMDD-NNNN' and return the id."""
        created = plan.created_at or now_utc()
        stamp = _day_stamp(created)
        with write_transaction(self.db, self.path):
            prefix = f"P-{stamp}-"
            row = self.db.execute(
                "SELECT MAX(CAST(substr(id, ?) AS INTEGER)) FROM plans WHERE id LIKE ?",
                (len(prefix) + 1, prefix + "%"),
            ).fetchone()
            plan_id = f"{prefix}{int(row[0] or 0) + 1:04d}"
            saved = dataclasses.replace(plan, plan_id=plan_id, created_at=created)
            self.db.table("plans").insert({
                "id": plan_id, "scenario": plan.scenario, "threat_level": plan.threat_level,
                "created_at": created, "day": plan.day, "content_hash": saved.content_hash(),
                "document": _dumps(saved.to_dict()), "seed": plan.solver.seed,
            })
        return plan_id

    def load_plan(self, plan_id: str) -> Plan:
        """A stored plan by id."""
        with reading(self.path):
            row = self.db.execute("SELECT document FROM plans WHERE id = ?",
                                  (plan_id,)).fetchone()
        if row is None:
            raise InputError(f"no plan with id '{plan_id}'")
        return plan_from_dict(json.loads(row[0]), source=f"stored plan '{plan_id}'")

    def list_plans(self, scenario: str | None = None, limit: int = 50) -> list[PlanInfo]:
        """Plans, newest first, optionally for one scenario."""
        sql = ("SELECT id, scenario, threat_level, created_at, day, content_hash, seed "
               "FROM plans")
        params: list[object] = []
        if scenario is not None:
            sql += " WHERE scenario = ?"
            params.append(scenario)
        sql += " ORDER BY created_at DESC, rowid DESC LIMIT ?"
        params.append(max(0, int(limit)))
        with reading(self.path):
            rows = self.db.execute(sql, params).fetchall()
        return [PlanInfo(r[0], r[1], r[2], r[3], int(r[4]), r[5], r[6]) for r in rows]

    def recent_plans(self, scenario: str, k: int) -> list[Plan]:
        """The ``k`` most recent plans of a scenario, newest first."""
        return [self.load_plan(i.plan_id) for i in self.list_plans(scenario, limit=k)]

    def delete_plan(self, plan_id: str) -> None:
        """Delete one plan."""
        with write_transaction(self.db, self.path):
            cur = self.db.execute("DELETE FROM plans WHERE id = ?", (plan_id,))
            if cur.rowcount == 0:
                raise InputError(f"no plan with id '{plan_id}'")


def _day_stamp(created_at: str) -> str:
    try:
        when = datetime.fromisoformat(created_at)
    except ValueError:
        when = datetime.now(UTC)
    return f"{when:%Y%m%d}"
