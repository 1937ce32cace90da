"""A run of randomised daily plans as `plan --days` and the console make it: a checked request,
the stored history that steers balanced draws, and each day saved as soon as it is made.

Every day is saved in its own transaction after it is solved, so a run that fails or is
cancelled keeps the days already made and writes nothing for the day it stopped on.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from resources.errors import InputError
from resources.model import Plan, Scenario
from resources.predictability import randomisation_of
from solver.daily_plans import draw_mode, solve_days, stored_run
from solver.options import MAX_SEED, CancelToken, SolveOptions
from solver.stackelberg import GameError

__all__ = ["MAX_DAYS", "MAX_SEED", "DaysRequest", "last_run", "run_days", "run_summary",
           "run_warnings"]

#: Most days one run draws (a year, leap day included).
MAX_DAYS = 366
#: Last day number a plan carries (the plan JSON format's bound on `day`).
MAX_DAY = 10_000

PlanFn = Callable[[Plan], None]
SavedFn = Callable[[Plan, str | None], None]


@dataclass(frozen=True)
class DaysRequest:
    """What a run asks for: days, seed, first day, seconds per day, how draws are made."""

    days: int
    seed: int
    first_day: int = 0
    time_limit_s: float = 10.0
    deterministic: bool = False
    balanced: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.days, bool) or not 1 <= self.days <= MAX_DAYS:
            raise InputError(f"expected 1 to {MAX_DAYS} days, got {self.days}", field="days")
        if isinstance(self.seed, bool) or not 0 <= self.seed <= MAX_SEED:
            raise InputError(f"expected a seed from 0 to {MAX_SEED}, got {self.seed}",
                             field="seed")
        if isinstance(self.first_day, bool) or not 0 <= self.first_day <= MAX_DAY:
            raise InputError(f"expected a day from 0 to {MAX_DAY}, got {self.first_day}",
                             field="first day")
        if self.first_day + self.days - 1 > MAX_DAY:
            raise InputError(f"days {self.first_day} to {self.first_day + self.days - 1} go "
                             f"past the last day a plan can carry ({MAX_DAY})", field="days")
        if not (math.isfinite(self.time_limit_s) and 0 < self.time_limit_s <= 86_400):
            raise InputError(f"expected seconds in (0, 86400], got {self.time_limit_s}",
                             field="seconds per day")

    @property
    def mode(self) -> str:
        """'balanced' or 'independent' (solver/balance.py; independent days are the default)."""
        return "balanced" if self.balanced else "independent"

    def options(self) -> SolveOptions:
        """The solve options of every day (each day's seed is set from the run's seed)."""
        return SolveOptions(time_limit_s=self.time_limit_s, deterministic=self.deterministic)


def run_days(scenario: Scenario, request: DaysRequest, db: Path, *, save: bool = True,
             on_plan: PlanFn | None = None, on_saved: SavedFn | None = None,
             cancel: CancelToken | None = None) -> list[Plan]:
    """Make the request's daily plans; balanced draws read the run's earlier days from ``db``.

    Each plan goes to ``on_plan`` (which may raise to stop the run before that day is stored),
    then, with ``save``, into the store at ``db`` in its own transaction; ``on_saved`` gets the
    stored plan and its id (the plan as made and None, unsaved). Games the scenario cannot
    play raise InputError.
    """
    history = stored_run(db, scenario.name, request.seed,
                         request.first_day) if request.balanced else []
    store = None
    if save:
        from resources.store import Store

        store = Store.open(db)

    def on_day(plan: Plan) -> None:
        if on_plan is not None:
            on_plan(plan)
        plan_id = None
        if store is not None:
            plan_id = store.save_plan(plan)
            plan = store.load_plan(plan_id)
        if on_saved is not None:
            on_saved(plan, plan_id)

    try:
        return solve_days(scenario, request.days, request.seed, request.options(),
                          first_day=request.first_day, on_day=on_day, cancel=cancel,
                          mode=request.mode, history=history)
    except GameError as err:
        raise InputError(f"the daily draws cannot be made: {err}",
                         source=f"scenario '{scenario.name}'") from None
    finally:
        if store is not None:
            store.close()


def run_summary(plans: Sequence[Plan], seed: int) -> str:
    """One line: plans made, kept share of the drawn units, design entropy, how drawn."""
    if not plans:
        return f"no daily plans made (seed {seed})"
    rec = randomisation_of(plans[0])
    drawn = sum(int(randomisation_of(p).get("drawn_units", 0)) for p in plans)
    kept = sum(int(randomisation_of(p).get("kept_units", 0)) for p in plans)
    return (f"{len(plans)} daily plans (seed {seed}): kept {kept} of {drawn} drawn units "
            f"({100 * kept / max(drawn, 1):.1f}%); design entropy "
            f"{rec.get('design_entropy_bits', [0, 0])[0]} bits a day; {draw_mode(plans[0])}")


def run_warnings(plans: Sequence[Plan]) -> list[str]:
    """What the scenario's pins and forbids cost the randomisation (warnings of the run)."""
    if not plans:
        return []
    overrides = randomisation_of(plans[0]).get("overrides", {})
    warnings = overrides.get("warnings", []) if isinstance(overrides, dict) else []
    return [str(w) for w in warnings] if isinstance(warnings, list) else []


def last_run(db: Path, scenario: str) -> tuple[int, int, bool] | None:
    """(run seed, next day, balanced) when the scenario's newest stored plan is a daily plan."""
    if not db.exists():
        return None
    from resources.store import Store

    with Store.open(db, create=False) as store:
        infos = store.list_plans(scenario, limit=1)
        if not infos:
            return None
        rec = randomisation_of(store.load_plan(infos[0].plan_id))
    seed, day, balance = rec.get("run_seed"), rec.get("day"), rec.get("balance")
    if not isinstance(seed, int) or not isinstance(day, int) or isinstance(seed, bool) \
            or isinstance(day, bool) or not 0 <= seed <= MAX_SEED or day < 0:
        return None
    balanced = isinstance(balance, dict) and balance.get("mode") == "balanced"
    return seed, day + 1, balanced
