"""A plan: who is where, doing what, in every slot; its KPIs, unmet targets and solver record."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from resources.model.units import Tactic

JSON = dict[str, Any]


@dataclass(frozen=True)
class Assignment:
    """One unit's posting in one slot. ``site_id`` None means a reserve posting."""

    callsign: str
    slot: int
    site_id: str | None
    tactic: Tactic
    officers: int
    armed_officers: int
    pinned: bool = False
    standby_id: str | None = None


@dataclass(frozen=True)
class SlotKpi:
    """Measures of one slot; shares are 0-1."""

    slot: int
    officers: int
    armed_officers: int
    armed_share: float
    risk_coverage: float
    armed_reach: float
    ctsfo_reach: float = 1.0
    sites_covered: int = 0


@dataclass(frozen=True)
class Unmet:
    """A target the plan misses, in plain English. ``slot`` None: the whole horizon."""

    slot: int | None
    subject: str
    message: str
    kind: str = "target"


@dataclass(frozen=True)
class SolverInfo:
    """How the plan was made, for audit and replay."""

    backend: str
    status: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seed: int = 0
    wall_time_s: float = 0.0
    parameters: Mapping[str, Any] = field(default_factory=dict)
    versions: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanSlot:
    """A slot as recorded in a plan (index, ISO start and end)."""

    index: int
    start: str
    end: str


@dataclass(frozen=True)
class Plan:
    """A complete plan for a scenario at a threat level."""

    scenario: str
    threat_level: str
    armed_share_cap: str
    slots: tuple[PlanSlot, ...]
    assignments: tuple[Assignment, ...]
    kpis: tuple[SlotKpi, ...] = ()
    unmet: tuple[Unmet, ...] = ()
    solver: SolverInfo = field(default_factory=lambda: SolverInfo("none", "UNKNOWN"))
    created_at: str = ""
    plan_id: str | None = None
    day: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> JSON:
        """The documented plan JSON document (see docs/formats.md)."""
        s = self.solver
        return {
            "format": "hercules-plan/1",
            "id": self.plan_id,
            "scenario": self.scenario,
            "threat_level": self.threat_level,
            "armed_share_cap": self.armed_share_cap,
            "created_at": self.created_at,
            "day": self.day,
            "slots": [{"index": p.index, "start": p.start, "end": p.end} for p in self.slots],
            "assignments": [
                {
                    "unit": a.callsign, "slot": a.slot, "site": a.site_id,
                    "tactic": a.tactic.value, "officers": a.officers,
                    "armed_officers": a.armed_officers, "pinned": a.pinned,
                    "standby": a.standby_id,
                }
                for a in self.assignments
            ],
            "kpis": {
                "per_slot": [
                    {
                        "slot": k.slot, "officers": k.officers, "armed_officers": k.armed_officers,
                        "armed_share": k.armed_share, "risk_coverage": k.risk_coverage,
                        "armed_reach": k.armed_reach, "ctsfo_reach": k.ctsfo_reach,
                        "sites_covered": k.sites_covered,
                    }
                    for k in self.kpis
                ]
            },
            "unmet": [
                {"slot": u.slot, "subject": u.subject, "message": u.message, "kind": u.kind}
                for u in self.unmet
            ],
            "solver": {
                "backend": s.backend, "status": s.status, "objective": s.objective,
                "bound": s.bound, "gap": s.gap, "seed": s.seed, "wall_time_s": s.wall_time_s,
                "parameters": dict(s.parameters), "versions": dict(s.versions),
            },
            "extra": dict(self.extra),
        }

    def content_hash(self) -> str:
        """SHA-256 of the plan's content (everything but id and timing), hex."""
        doc = self.to_dict()
        doc.pop("id", None)
        doc["solver"].pop("wall_time_s", None)
        doc.pop("created_at", None)
        raw = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(raw).hexdigest()

    def by_slot(self) -> dict[int, list[Assignment]]:
        """Assignments grouped by slot index."""
        out: dict[int, list[Assignment]] = {p.index: [] for p in self.slots}
        for a in self.assignments:
            out.setdefault(a.slot, []).append(a)
        return out
