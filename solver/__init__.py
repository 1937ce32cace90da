"""Hercules solvers (OR-Tools): pure functions from a scenario snapshot to a plan.

The deployment solver's public API (docs/solver.md): ``solve``, ``SolveOptions``, ``Weights``,
``Progress``, ``CancelToken``, ``InfeasiblePlan``.
"""

from solver.api import solve
from solver.errors import InfeasiblePlan
from solver.options import CancelToken, Progress, SolveOptions, Weights

__all__ = [
    "CancelToken", "InfeasiblePlan", "Progress", "SolveOptions", "Weights",
    "solve",
]
