"""The per-user store: versioned scenarios and plans (no lost updates), each change audited."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from resources.errors import InputError
from resources.io.scenario_json import scenario_from_dict, scenario_to_dict
from resources.model import Scenario
from resources.store import audit, plans
from resources.store.admin import AdminMethods, Changes
from resources.store.builtin import BUILTIN_NAMES, builtin_scenario
from resources.store.connection import memory_db, open_db, reading
from resources.store.diff import scenario_diff
from resources.store.errors import ConflictError
from resources.store.foreign import ForeignContent, read_foreign_db
from resources.store.plan_methods import PlanMethods
from resources.store.plans import PlanInfo, dumps
from resources.store.schema import now_utc

_SCENARIO_ACTION = re.compile(r"^scenario\.[a-z_]{1,30}$")

__all__ = ["Changes", "ConflictError", "ImportSummary", "PlanInfo", "ScenarioInfo", "Store"]


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
class ImportSummary:
    """What `db import` copied from a foreign database."""

    source: str
    scenarios: tuple[tuple[str, int], ...]
    plans: tuple[tuple[str, str], ...]


class Store(PlanMethods, AdminMethods):
    """Scenarios and plans in one SQLite file. Use one Store per thread."""

    @classmethod
    def open(cls, path: Path, *, create: bool = True, allow_read_only: bool = False) -> Store:
        """Open the database at ``path`` (created owner-only if missing), migrating its schema.

        A damaged database, or one from a newer Hercules, raises StoreError; with
        ``allow_read_only`` it opens read-only instead (see ``read_only`` and ``restore``).
        """
        db, reason = open_db(path, create=create, allow_read_only=allow_read_only)
        return cls(db, path, reason)

    @classmethod
    def open_reading(cls, path: Path) -> Store:
        """Open for reading, never creating or initialising a file.

        A missing or empty (0-byte) file reads as a store with nothing saved yet: the built-in
        scenarios only. Anything else is opened as by ``open(path, create=False)``.
        """
        if not path.is_dir() and (not path.exists() or path.stat().st_size == 0):
            return cls(memory_db(), path, f"nothing is stored at {path} yet")
        return cls.open(path, create=False)

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

    def save_scenario(self, scenario: Scenario, expected_version: int | None = None, *,
                      rationale: str | None = None, action: str | None = None,
                      source: str | None = None) -> int:
        """Save and return the new version; ``expected_version`` guards against lost updates.

        ``expected_version`` 0 means 'not stored yet'; None saves whatever is stored. The audit
        entry (action 'scenario.create'/'scenario.save', or e.g. 'scenario.import' with the
        ``source`` file) summarises what changed: roster, sites, pins and forbids with their
        rationale.
        """
        why = audit.clean_rationale(rationale)
        if action is not None and not _SCENARIO_ACTION.match(action):
            raise InputError(f"expected an action like 'scenario.import', got {action!r}",
                             field="action")
        doc = dumps(scenario_to_dict(scenario))
        try:
            with self._write():
                return self._put_scenario(scenario.name, doc, expected_version, why, action,
                                          source)
        except ConflictError:
            self._record_refusal(action or "scenario.save", audit.scenario_object(scenario.name),
                                 {"expected_version": expected_version,
                                  "found_version": self.scenario_version(scenario.name)})
            raise

    def _put_scenario(self, name: str, doc: str, expected_version: int | None,
                      rationale: str | None, action: str | None, source: str | None) -> int:
        """Check the version and write one scenario with its audit entry (in a transaction)."""
        row = self.db.execute("SELECT version, document FROM scenarios WHERE name = ?",
                              (name,)).fetchone()
        current = int(row[0]) if row else 0
        if expected_version is not None and expected_version != current:
            raise ConflictError(
                f"scenario '{name}' was saved elsewhere meanwhile (version "
                f"{current}, expected {expected_version}); reload it and try again"
            )
        new = current + 1
        if row:
            self.db.execute("UPDATE scenarios SET document = ?, version = ?, updated_at = ? "
                            "WHERE name = ?", (doc, new, now_utc(), name))
        else:
            self.db.execute("INSERT INTO scenarios (name, document, version, updated_at) "
                            "VALUES (?, ?, ?, ?)", (name, doc, new, now_utc()))
        detail: dict[str, Any] = {
            "diff": scenario_diff(json.loads(row[1]) if row else None, json.loads(doc)),
            "state": {"sha256": audit.text_sha256(doc), "version": new},
        }
        if source:
            detail["source"] = source
        verb = action or ("scenario.save" if row else "scenario.create")
        audit.append(self.db, verb, audit.scenario_object(name), rationale=rationale,
                     detail=detail)
        return new

    def delete_scenario(self, name: str, expected_version: int | None = None, *,
                        rationale: str | None = None) -> None:
        """Delete a stored scenario (a built-in reverts to its embedded form); plans are kept."""
        why = audit.clean_rationale(rationale)
        try:
            with self._write():
                row = self.db.execute("SELECT version FROM scenarios WHERE name = ?",
                                      (name,)).fetchone()
                if row is None:
                    what = "has no saved changes" if name in BUILTIN_NAMES else "is not stored"
                    raise InputError(f"scenario '{name}' {what}")
                if expected_version is not None and expected_version != int(row[0]):
                    raise ConflictError(f"scenario '{name}' was saved elsewhere meanwhile "
                                        f"(version {row[0]}, expected {expected_version})")
                self.db.execute("DELETE FROM scenarios WHERE name = ?", (name,))
                audit.append(self.db, "scenario.delete", audit.scenario_object(name),
                             rationale=why, detail={"version": int(row[0]), "state": None})
        except ConflictError:
            self._record_refusal("scenario.delete", audit.scenario_object(name),
                                 {"expected_version": expected_version,
                                  "found_version": self.scenario_version(name)})
            raise

    # -- foreign databases -----------------------------------------------------------------

    def import_database(self, path: Path, *, replace: bool = False,
                        with_plans: bool = True) -> ImportSummary:
        """Copy the scenarios (and plans) of another Hercules database, validated, all or none.

        The file is opened read-only with its triggers and schema ignored; plans get new ids.
        """
        self._writable()
        if path.resolve() == self.path.resolve():
            raise InputError("cannot import a database into itself", source=str(path))
        return self.import_content(read_foreign_db(path), replace=replace, with_plans=with_plans)

    def import_content(self, content: ForeignContent, *, replace: bool = False,
                       with_plans: bool = True) -> ImportSummary:
        """Store what ``read_foreign_db`` read from another database, in one transaction."""
        src = content.source
        with self._write():
            saved: list[tuple[str, int]] = []
            for s in content.scenarios:
                current = self.db.execute("SELECT version FROM scenarios WHERE name = ?",
                                          (s.name,)).fetchone()
                if (current or s.name in BUILTIN_NAMES) and not replace:
                    raise InputError(f"scenario '{s.name}' already exists; use --replace to "
                                     "overwrite it", source=src)
                doc = dumps(scenario_to_dict(s))
                saved.append((s.name, self._put_scenario(s.name, doc, None, None,
                                                         "scenario.import", src)))
            copied = [
                (old, plans.insert(self.db, p, action="plan.import",
                                   extra={"source": src, "original_id": old}))
                for old, p in (content.plans if with_plans else ())
            ]
        return ImportSummary(src, tuple(saved), tuple(copied))
