"""What a solve is asked to do (SolveOptions, Weights), what it reports (Progress), how to stop."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

#: Largest seed: CP-SAT's random seed and the daily draws' seeds are 32-bit signed integers.
MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class Weights:
    """Relative weights of the soft targets (points per unit of shortfall; see docs/solver.md).

    The security targets (presence, coverage, armed_top, armed_reach) are multiplied by the
    posture's ``weight``; mix, idle and change are not, so a graver posture trades more of those
    for security.  The CTSFO reach term is always weighted above everything else in its slot.
    """

    presence: float = 1.0
    coverage: float = 1.0
    armed_top: float = 4.0
    armed_reach: float = 1.0
    tactic_mix: float = 0.5
    asset_mix: float = 0.5
    idle: float = 0.05
    change: float | None = None
    required: float | None = None


@dataclass(frozen=True)
class Requirement:
    """``count`` units of ``type_code`` at ``site_id`` in ``slot``, taken from ``callsigns``
    (any unit of the type when empty): one drawn target of a randomised day."""

    slot: int
    site_id: str
    type_code: str
    count: int
    callsigns: tuple[str, ...] = ()


@dataclass(frozen=True)
class SolveOptions:
    """Knobs of one solve. Defaults suit the embedded London on a 2-core machine.

    ``deterministic``: one worker and a deterministic time limit of ``time_limit_s`` work units
    instead of a wall-clock limit, so the same inputs and seed give the same plan.
    ``window_slots``: slots per sub-model (None: 1, the slots decouple; see docs/solver.md).
    ``sites_per_unit``/``standby_per_unit``/``home_range_minutes``/``units_per_site``: pruning.
    ``required``: drawn targets the plan should meet (a soft term above every other target of
    the slot but CTSFO reach; candidate postings that can meet them are always kept).
    ``lp_guided``: first improve each window within the support of its linear relaxation
    (solver/relaxation.py), then run CP-SAT on the whole window (docs/solver.md).
    """

    time_limit_s: float = 30.0
    seed: int = 0
    deterministic: bool = False
    workers: int = 2
    min_disruption: bool = True
    window_slots: int | None = None
    sites_per_unit: int = 10
    standby_per_unit: int = 2
    home_range_minutes: float = 60.0
    units_per_site: int = 4
    linearization_level: int | None = None
    extra_subsolvers: tuple[str, ...] = ("max_lp",)
    weights: Weights = field(default_factory=Weights)
    required: tuple[Requirement, ...] = ()
    lp_guided: bool = True

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError("time_limit_s must be positive")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if self.window_slots is not None and self.window_slots < 1:
            raise ValueError("window_slots must be at least 1")
        if any(r.count < 1 for r in self.required):
            raise ValueError("every requirement needs a count of at least 1")


@dataclass(frozen=True)
class Progress:
    """A progress report: elapsed seconds, incumbent objective, best bound, relative gap."""

    elapsed_s: float
    objective: float | None
    bound: float | None
    gap: float | None
    solutions: int
    phase: str = "solve"


ProgressFn = Callable[[Progress], None]


class CancelToken:
    """Cancels a running solve from any thread; the solve keeps the best plan found so far."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._stoppers: list[Callable[[], None]] = []

    def cancel(self) -> None:
        """Ask the solve to stop as soon as it can (thread-safe, idempotent)."""
        with self._lock:
            self._cancelled = True
            stoppers = list(self._stoppers)
        for stop in stoppers:
            stop()

    @property
    def cancelled(self) -> bool:
        """True once cancel() has been called."""
        with self._lock:
            return self._cancelled

    def attach(self, stop: Callable[[], None]) -> None:
        """Register a stop function for the running search (called at once if cancelled)."""
        with self._lock:
            self._stoppers.append(stop)
            cancelled = self._cancelled
        if cancelled:
            stop()

    def detach(self, stop: Callable[[], None]) -> None:
        """Forget a stop function once its search has finished."""
        with self._lock:
            if stop in self._stoppers:
                self._stoppers.remove(stop)


def gap_of(objective: float | None, bound: float | None) -> float | None:
    """Relative gap |objective - bound| / max(|objective|, 1); 0 when both are 0."""
    if objective is None or bound is None:
        return None
    return abs(objective - bound) / max(abs(objective), 1.0)
