"""Police stations used as standby points and unit bases, the Marine base and the stables."""

from __future__ import annotations

from functools import lru_cache

from resources.london.names import BOROUGHS
from resources.model.geo import StandbyPoint

#: (id, name, lon, lat, borough code): real Met police stations spread over London.
STATIONS: tuple[tuple[str, str, float, float, str], ...] = (
    ("SB-CHARING-CROSS", "Charing Cross police station", -0.1245, 51.5097, "CW"),
    ("SB-ISLINGTON", "Islington police station", -0.1105, 51.5330, "NI"),
    ("SB-STOKE-NEWINGTON", "Stoke Newington police station", -0.0735, 51.5600, "GD"),
    ("SB-BETHNAL-GREEN", "Bethnal Green police station", -0.0580, 51.5270, "HT"),
    ("SB-WAPPING", "Wapping police station (Marine Policing Unit)", -0.0597, 51.5048, "HT"),
    ("SB-FOREST-GATE", "Forest Gate police station", 0.0255, 51.5475, "KF"),
    ("SB-ILFORD", "Ilford police station", 0.0705, 51.5580, "JI"),
    ("SB-ROMFORD", "Romford police station", 0.1845, 51.5760, "KD"),
    ("SB-PLUMSTEAD", "Plumstead police station", 0.0815, 51.4875, "RG"),
    ("SB-LEWISHAM", "Lewisham police station", -0.0125, 51.4600, "PL"),
    ("SB-BROMLEY", "Bromley police station", 0.0150, 51.4010, "PY"),
    ("SB-CROYDON", "Croydon police station", -0.1010, 51.3700, "ZD"),
    ("SB-SUTTON", "Sutton police station", -0.1945, 51.3645, "ZT"),
    ("SB-KINGSTON", "Kingston police station", -0.3010, 51.4095, "VK"),
    ("SB-LAVENDER-HILL", "Lavender Hill police station", -0.1655, 51.4635, "WW"),
    ("SB-BRIXTON", "Brixton police station", -0.1130, 51.4615, "LX"),
    ("SB-HAMMERSMITH", "Hammersmith police station", -0.2230, 51.4950, "FH"),
    ("SB-HOUNSLOW", "Hounslow police station", -0.3700, 51.4690, "TX"),
    ("SB-UXBRIDGE", "Uxbridge police station", -0.4780, 51.5480, "XH"),
    ("SB-COLINDALE", "Colindale police station", -0.2510, 51.5960, "SX"),
)

#: Mounted Branch stables: (name, lon, lat, borough code).
STABLES: tuple[tuple[str, float, float, str], ...] = (
    ("Great Scotland Yard", -0.1262, 51.5063, "CW"),
    ("Hyde Park", -0.1645, 51.5085, "CW"),
    ("Lewisham", -0.0125, 51.4600, "PL"),
    ("Bow", -0.0225, 51.5290, "HT"),
    ("Hammersmith", -0.2232, 51.4955, "FH"),
    ("West Hampstead", -0.1985, 51.5535, "EK"),
)

#: Where the armed foot patrols and CTSFO teams start (plausible, not operational, bases).
CENTRAL_BASES: tuple[str, ...] = (
    "SB-CHARING-CROSS", "SB-ISLINGTON", "SB-BETHNAL-GREEN", "SB-BRIXTON", "SB-HAMMERSMITH",
    "SB-LAVENDER-HILL",
)
CTSFO_BASES: tuple[str, ...] = ("SB-CHARING-CROSS", "SB-LAVENDER-HILL", "SB-BETHNAL-GREEN",
                                "SB-COLINDALE")
MARINE_BASE = "SB-WAPPING"


@lru_cache(maxsize=1)
def standby_points() -> tuple[StandbyPoint, ...]:
    """The standby points (police stations) of the embedded London."""
    return tuple(
        StandbyPoint(pid, name, lon, lat, BOROUGHS[code]) for pid, name, lon, lat, code in STATIONS
    )
