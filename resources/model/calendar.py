"""Time slots: by default one day of twelve two-hour slots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from resources.errors import InputError
from resources.model import _check


@dataclass(frozen=True)
class Slot:
    """One planning slot: index from 0, day from 0, start and end times."""

    index: int
    day: int
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        """'HH:MM-HH:MM', prefixed with the day for multi-day plans."""
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def start_hour(self) -> float:
        """Hour of day at the slot's start (fractional)."""
        return self.start.hour + self.start.minute / 60.0


@dataclass(frozen=True)
class Calendar:
    """Planning horizon: a first day, slot length, slots per day, number of days."""

    start_date: date = date(2026, 1, 5)
    slot_minutes: int = 120
    days: int = 1
    day_start_hour: int = 0

    def __post_init__(self) -> None:
        try:
            if not isinstance(self.start_date, date):
                raise InputError("expected an ISO date", field="start_date")
            _check.integer(self.slot_minutes, "slot_minutes", lo=15, hi=1440)
            if 1440 % self.slot_minutes:
                raise InputError("expected a divisor of 1440 minutes", field="slot_minutes")
            _check.integer(self.days, "days", lo=1, hi=28)
            _check.integer(self.day_start_hour, "day_start_hour", lo=0, hi=23)
        except InputError as err:
            raise err.within(location="calendar") from None

    @property
    def slots_per_day(self) -> int:
        """Number of slots in one day."""
        return 1440 // self.slot_minutes

    @property
    def slot_count(self) -> int:
        """Number of slots over the whole horizon."""
        return self.slots_per_day * self.days

    def slots(self) -> tuple[Slot, ...]:
        """All slots of the horizon in order."""
        first = datetime.combine(self.start_date, datetime.min.time()) + timedelta(
            hours=self.day_start_hour
        )
        step = timedelta(minutes=self.slot_minutes)
        return tuple(
            Slot(i, i // self.slots_per_day, first + i * step, first + (i + 1) * step)
            for i in range(self.slot_count)
        )
