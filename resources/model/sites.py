"""Sites to be covered: crowded places, hubs, iconic sites, river stretches, events."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from resources.errors import InputError
from resources.model import _check
from resources.model.units import Mode


class SiteKind(StrEnum):
    """The broad kind of a site."""

    CROWDED_PLACE = "crowded_place"
    TRANSPORT_HUB = "transport_hub"
    ICONIC = "iconic"
    RIVER_STRETCH = "river_stretch"
    NIGHT_TIME_ECONOMY = "night_time_economy"
    EVENT = "event"


class Sector(StrEnum):
    """The twelve crowded-place sectors of national guidance."""

    NIGHT_TIME_ECONOMY = "night_time_economy"
    CINEMAS_THEATRES = "cinemas_theatres"
    STADIA_ARENAS = "stadia_arenas"
    RETAIL = "retail"
    HEALTH = "health"
    EDUCATION = "education"
    PLACES_OF_WORSHIP = "places_of_worship"
    HOTELS_RESTAURANTS = "hotels_restaurants"
    MAJOR_EVENTS = "major_events"
    VISITOR_ATTRACTIONS = "visitor_attractions"
    COMMERCIAL_CENTRES = "commercial_centres"
    TRANSPORT = "transport"


#: Crowd multiplier per hour of day (0-23) for each named risk profile.
RISK_PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 24,
    "daytime": (0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 1.0,
                1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.7, 0.5, 0.4, 0.3, 0.3, 0.2),
    "commuter": (0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 0.7, 0.6, 0.6,
                 0.6, 0.6, 0.6, 0.7, 0.9, 1.0, 1.0, 0.8, 0.6, 0.5, 0.4, 0.3),
    "evening": (0.6, 0.4, 0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6,
                0.6, 0.6, 0.6, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 1.0, 0.9, 0.8),
    "night": (1.0, 1.0, 0.8, 0.5, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
              0.2, 0.2, 0.2, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    "event": (0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.3, 0.4, 0.6,
              0.8, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.6, 0.3, 0.2),
}

#: Modes that can work at each kind of site unless the site says otherwise.
DEFAULT_MODES: dict[SiteKind, frozenset[Mode]] = {
    SiteKind.RIVER_STRETCH: frozenset({Mode.BOAT}),
    SiteKind.TRANSPORT_HUB: frozenset({Mode.FOOT, Mode.VEHICLE}),
    SiteKind.CROWDED_PLACE: frozenset({Mode.FOOT, Mode.VEHICLE, Mode.HORSE}),
    SiteKind.ICONIC: frozenset({Mode.FOOT, Mode.VEHICLE, Mode.HORSE}),
    SiteKind.NIGHT_TIME_ECONOMY: frozenset({Mode.FOOT, Mode.VEHICLE, Mode.HORSE}),
    SiteKind.EVENT: frozenset({Mode.FOOT, Mode.VEHICLE, Mode.HORSE}),
}


@dataclass(frozen=True)
class Site:
    """A place to be covered, with its risk weight, crowd profile and presence limits.

    ``min_presence``/``max_presence`` count units at the site in one slot.
    ``required_capability`` (e.g. 'river') must be held by every unit posted there.
    """

    site_id: str
    name: str
    kind: SiteKind
    sector: Sector
    lon: float
    lat: float
    borough: str
    risk: float
    profile: str = "daytime"
    required_capability: str | None = None
    min_presence: int = 0
    max_presence: int = 4
    modes: frozenset[Mode] | None = None
    notes: str = ""

    def __post_init__(self) -> None:
        try:
            _check.ident(self.site_id, "id")
            _check.text(self.name, "name")
            object.__setattr__(self, "kind", SiteKind(self.kind))
            object.__setattr__(self, "sector", Sector(self.sector))
            _check.lonlat(self.lon, self.lat)
            _check.text(self.borough, "borough")
            _check.number(self.risk, "risk", lo=0.0, hi=100.0)
            if self.profile not in RISK_PROFILES:
                raise InputError(
                    f"expected one of {sorted(RISK_PROFILES)}, got {_check.shown(self.profile)}",
                    field="profile",
                )
            if self.required_capability is not None:
                _check.ident(self.required_capability, "required_capability")
            _check.integer(self.max_presence, "max_presence", lo=1, hi=200)
            _check.integer(self.min_presence, "min_presence", lo=0, hi=self.max_presence)
            modes = DEFAULT_MODES[self.kind] if self.modes is None else frozenset(
                Mode(m) for m in self.modes
            )
            if not modes:
                raise InputError("expected at least one mode", field="modes")
            object.__setattr__(self, "modes", modes)
            if self.kind is SiteKind.RIVER_STRETCH and modes != {Mode.BOAT}:
                raise InputError("a river stretch can be covered only from a boat", field="modes")
            _check.text(self.notes, "notes", max_len=1000, empty=True)
        except InputError as err:
            raise err.within(location=f"site '{_check.label(self.site_id)}'") from None
        except ValueError as err:
            raise InputError(_check.clip(str(err), 120),
                             location=f"site '{_check.label(self.site_id)}'") from None

    @property
    def allowed_modes(self) -> frozenset[Mode]:
        """Modes that can work at this site (never None after construction)."""
        assert self.modes is not None
        return self.modes

    def risk_at(self, hour: float) -> float:
        """Risk weight times the crowd profile at ``hour`` (0-24, fractional allowed)."""
        return self.risk * RISK_PROFILES[self.profile][int(hour) % 24]
