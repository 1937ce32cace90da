"""The error the solver raises when the hard rules cannot all hold (the conflict named)."""

from __future__ import annotations

from collections.abc import Sequence

from resources.errors import InputError


class InfeasiblePlan(InputError):
    """The hard rules cannot all hold; ``conflicts`` is the smallest conflicting set found."""

    def __init__(self, conflicts: Sequence[str], *, minimal: bool = True) -> None:
        self.conflicts = tuple(conflicts)
        self.minimal = minimal
        size = "smallest conflicting set found" if minimal else "conflicting set"
        body = "; ".join(f"({i + 1}) {c}" for i, c in enumerate(self.conflicts))
        super().__init__(f"no plan: the hard rules cannot all hold; {size}: {body}",
                         source="solver")

