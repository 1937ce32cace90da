"""The Options panel: a unit's possible postings in a slot, each with what it would change,
or why the unit has none."""

from __future__ import annotations

from collections import Counter

from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from resources.model import Scenario, Tactic, Unit, UnitStatus
from resources.model.units import TACTIC_RULES
from resources.placement import PlacementChecker, Proposal, default_tactic
from resources.ranking import Option

ASK_OPTIONS = "Select a unit, then Edit > Ranked options (Ctrl+R): its best postings in the slot."


def signed(value: float, digits: int = 1) -> str:
    """``value`` with its sign, never "-0.0" (a change that rounds to nothing reads "0.0")."""
    text = f"{value:+.{digits}f}"
    return text if float(text) != 0 else f"{0:.{digits}f}"


def tactic_words(tactic: Tactic) -> str:
    """A tactic in plain words: "vehicle patrol", "reserve"."""
    rule = TACTIC_RULES.get(tactic)
    label = rule.label if rule is not None else str(tactic).replace("_", " ")
    return label[:1].lower() + label[1:]


def option_text(option: Option, scenario: Scenario) -> str:
    """One line of the options list: place, tactic and what the posting changes."""
    site = scenario.sites_by_id.get(option.site_id) if option.site_id else None
    return (f"{site.name if site else 'Reserve'} ({tactic_words(option.tactic)}): coverage "
            f"{signed(100 * option.coverage_delta)} pts, armed reach "
            f"{signed(100 * option.reach_delta)} pts, armed share "
            f"{100 * option.armed_share:.1f}%, unpredictability "
            f"{signed(option.entropy_delta_bits, 2)} bits")


def no_options_reason(checker: PlacementChecker, unit: Unit, slot: int) -> str:
    """Why a unit has no allowed posting in a slot: off duty, committed, or the rules."""
    if not unit.on_duty(slot):
        if unit.status is not UnitStatus.AVAILABLE:
            where = f" ({unit.committed_to})" if unit.committed_to else ""
            return f"it is committed elsewhere{where}"
        return "it is off duty in this slot (not rostered then)"
    sc, seen = checker.scenario, Counter[str]()
    first: dict[str, str] = {}
    for site_id in [*(s.site_id for s in sc.sites), None]:
        tactic = default_tactic(sc, unit, site_id)
        for b in checker.hard_breaches(Proposal(unit.callsign, slot, site_id, tactic)):
            seen[b.rule] += 1
            first.setdefault(b.rule, b.message)
    return ("every posting would break a rule, most often: "
            + "; ".join(first[r] for r, _ in seen.most_common(2)))


class OptionsPanel(QWidget):
    """The ranked options: which unit and slot (or why there are none) above the list."""

    def __init__(self) -> None:
        super().__init__()
        self.header = QLabel(ASK_OPTIONS)
        self.header.setObjectName("options_header")
        self.header.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("ranked_options")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.list, 1)

    def set_options(self, header: str, lines: list[str] | None = None) -> None:
        """Set the header and the list (empty when there are no options)."""
        self.header.setText(header)
        self.list.clear()
        for line in lines or []:
            self.list.addItem(QListWidgetItem(line))
