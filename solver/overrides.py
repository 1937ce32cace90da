"""What the planner's pins and forbids cost the randomisation: defender value and entropy lost.

The same scenario is solved again without its pins and forbids, in the slots they touch only,
and the two are compared slot by slot (as fielded systems warned when overrides weakened the
randomisation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from resources.model import Scenario
from resources.predictability import value_loss
from solver.daily import RandomisedPosture
from solver.designs import SlotDesign
from solver.marginals import slot_marginals
from solver.payoffs import GameOptions, slot_games

__all__ = ["OverrideCost", "SlotCost", "override_cost"]

#: Losses above these shares of the unconstrained value or entropy raise a warning.
VALUE_WARNING = 0.01
ENTROPY_WARNING = 0.05


@dataclass(frozen=True)
class SlotCost:
    """One slot with and without the overrides (value: defender value; entropy: bits)."""

    slot: int
    value: float
    value_without: float
    entropy: float
    entropy_without: float


@dataclass(frozen=True)
class OverrideCost:
    """The cost of all pins and forbids, over the slots they touch."""

    pins: int
    forbids: int
    slots: tuple[SlotCost, ...]

    @property
    def value_loss(self) -> float:
        """Defender value lost, as a share of the value without overrides (touched slots)."""
        return value_loss(sum(s.value for s in self.slots),
                          sum(s.value_without for s in self.slots))

    @property
    def entropy_lost_bits(self) -> float:
        """Entropy (bits per day) lost in the touched slots."""
        return sum(s.entropy_without - s.entropy for s in self.slots)

    @property
    def entropy_loss(self) -> float:
        """Entropy lost, as a share of the entropy without overrides (touched slots)."""
        total = sum(s.entropy_without for s in self.slots)
        return self.entropy_lost_bits / total if total > 0 else 0.0

    def warnings(self) -> list[str]:
        """Plain-English warnings when the overrides weaken the randomisation noticeably."""
        out = []
        if self.value_loss > VALUE_WARNING:
            out.append(f"the {self.pins} pins and {self.forbids} forbids cost "
                       f"{100 * self.value_loss:.1f}% of the defender value in the slots "
                       f"they touch")
        if self.entropy_loss > ENTROPY_WARNING:
            out.append(f"the pins and forbids make the plan more predictable: "
                       f"{self.entropy_lost_bits:.1f} bits a day "
                       f"({100 * self.entropy_loss:.1f}%) of randomness lost")
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (kept in a daily plan's ``extra``)."""
        return {
            "pins": self.pins, "forbids": self.forbids,
            "value_loss": round(self.value_loss, 6),
            "entropy_lost_bits": round(self.entropy_lost_bits, 3),
            "entropy_loss": round(self.entropy_loss, 6),
            "slots": [[s.slot, round(s.value, 6), round(s.value_without, 6),
                       round(s.entropy, 3), round(s.entropy_without, 3)] for s in self.slots],
            "warnings": self.warnings(),
        }


def _touched(scenario: Scenario) -> list[int]:
    slots = set(range(scenario.calendar.slot_count))
    touched = {p.slot for p in scenario.pins}
    for fb in scenario.forbids:
        touched |= slots if fb.slots is None else (set(fb.slots) & slots)
    return sorted(touched)


def override_cost(posture: RandomisedPosture, options: GameOptions | None = None,
                  design: str = "auto") -> OverrideCost | None:
    """Cost of the scenario's pins and forbids (None when it has none)."""
    sc = posture.scenario
    if not sc.pins and not sc.forbids:
        return None
    opts = options or GameOptions()
    free = sc.with_changes(pins=(), forbids=())
    games = slot_games(free, opts)
    out = []
    for t in _touched(sc):
        mine = posture.slots[t]
        other = SlotDesign.fit(slot_marginals(games[t], opts.backend), design)
        out.append(SlotCost(t, mine.marginals.value, other.marginals.value,
                            mine.entropy_bounds()[0], other.entropy_bounds()[0]))
    return OverrideCost(len(sc.pins), len(sc.forbids), tuple(out))
