"""Named penalty terms (shift_scheduling_sat style): what a soft-target builder returns."""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

#: Objective points are multiplied by SCALE and rounded to integers for CP-SAT.
SCALE = 100


@dataclass(frozen=True)
class PenaltyTerm:
    """A named soft-target term: ``coef`` objective units per unit of ``var`` (0..``ub``)."""

    name: str
    kind: str
    slot: int | None
    subject: str
    var: cp_model.IntVar
    coef: int
    ub: int = 1

    def also(self, kind: str, coef: int) -> PenaltyTerm:
        """A second term on the same variable with another kind and coefficient."""
        return PenaltyTerm(self.name, kind, self.slot, self.subject, self.var, coef, self.ub)


def points(value: float) -> int:
    """Objective units for ``value`` points: at least 1 when positive, 0 otherwise."""
    return max(1, round(value * SCALE)) if value > 0 else 0


def new_term(model: cp_model.CpModel, kind: str, slot: int | None, subject: str, name: str,
             coef: int, ub: int = 1) -> PenaltyTerm:
    """A fresh penalty variable (bool, or integer 0..ub) named ``name``."""
    var = model.new_bool_var(name) if ub == 1 else model.new_int_var(0, ub, name)
    return PenaltyTerm(name, kind, slot, subject, var, coef, ub)
