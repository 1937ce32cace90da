"""The tidal Thames through London: course, the reaches patrolled by boat, and where each sits."""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise

from resources.model.geo import haversine_km

LonLat = tuple[float, float]

#: The course from Hampton Court Bridge to the mouth of Dartford Creek, mid-river, downstream.
#: A name marks a point that a river reach starts or ends at.
_COURSE: tuple[tuple[float, float, str], ...] = (
    (-0.3430, 51.4030, "Hampton Court"),
    (-0.3350, 51.4005, ""),
    (-0.3280, 51.3945, "Thames Ditton"),
    (-0.3200, 51.3925, ""),
    (-0.3135, 51.3935, "Seething Wells"),
    (-0.3100, 51.4000, ""),
    (-0.3090, 51.4117, "Kingston Bridge"),
    (-0.3070, 51.4195, ""),
    (-0.3165, 51.4265, ""),
    (-0.3228, 51.4310, "Teddington Lock"),
    (-0.3265, 51.4385, ""),
    (-0.3255, 51.4455, "Eel Pie Island"),
    (-0.3165, 51.4475, ""),
    (-0.3100, 51.4515, ""),
    (-0.3060, 51.4573, "Richmond Bridge"),
    (-0.3105, 51.4620, ""),
    (-0.3168, 51.4668, "Richmond Lock"),
    (-0.3175, 51.4720, ""),
    (-0.3080, 51.4785, ""),
    (-0.3000, 51.4848, ""),
    (-0.2878, 51.4872, "Kew Bridge"),
    (-0.2780, 51.4858, ""),
    (-0.2720, 51.4790, ""),
    (-0.2693, 51.4729, "Chiswick Bridge"),
    (-0.2620, 51.4700, ""),
    (-0.2550, 51.4722, "Barnes Bridge"),
    (-0.2495, 51.4800, ""),
    (-0.2465, 51.4870, ""),
    (-0.2385, 51.4895, ""),
    (-0.2300, 51.4882, "Hammersmith Bridge"),
    (-0.2280, 51.4820, ""),
    (-0.2248, 51.4745, ""),
    (-0.2180, 51.4690, ""),
    (-0.2130, 51.4668, "Putney Bridge"),
    (-0.2000, 51.4650, ""),
    (-0.1883, 51.4655, "Wandsworth Bridge"),
    (-0.1820, 51.4712, ""),
    (-0.1780, 51.4765, ""),
    (-0.1722, 51.4818, "Battersea Bridge"),
    (-0.1667, 51.4826, ""),
    (-0.1500, 51.4846, "Chelsea Bridge"),
    (-0.1400, 51.4862, ""),
    (-0.1275, 51.4878, "Vauxhall Bridge"),
    (-0.1235, 51.4945, "Lambeth Bridge"),
    (-0.1218, 51.5008, "Westminster Bridge"),
    (-0.1200, 51.5060, ""),
    (-0.1164, 51.5087, "Waterloo Bridge"),
    (-0.1100, 51.5096, ""),
    (-0.1043, 51.5097, "Blackfriars Bridge"),
    (-0.0985, 51.5096, ""),
    (-0.0943, 51.5088, ""),
    (-0.0878, 51.5079, "London Bridge"),
    (-0.0810, 51.5068, ""),
    (-0.0754, 51.5055, "Tower Bridge"),
    (-0.0680, 51.5042, ""),
    (-0.0590, 51.5027, ""),
    (-0.0520, 51.5035, ""),
    (-0.0450, 51.5068, ""),
    (-0.0360, 51.5085, "Limehouse"),
    (-0.0300, 51.5050, ""),
    (-0.0285, 51.4980, ""),
    (-0.0260, 51.4900, ""),
    (-0.0200, 51.4852, ""),
    (-0.0090, 51.4857, "Greenwich"),
    (-0.0025, 51.4890, ""),
    (-0.0020, 51.4980, ""),
    (-0.0020, 51.5060, ""),
    (0.0040, 51.5097, ""),
    (0.0110, 51.5060, ""),
    (0.0150, 51.4990, ""),
    (0.0250, 51.4962, ""),
    (0.0365, 51.4966, "Thames Barrier"),
    (0.0620, 51.4960, "Woolwich Ferry"),
    (0.0750, 51.4990, ""),
    (0.0850, 51.5060, ""),
    (0.0950, 51.5118, "Barking Creek"),
    (0.1150, 51.5128, ""),
    (0.1350, 51.5098, "Crossness"),
    (0.1500, 51.5062, ""),
    (0.1600, 51.4990, ""),
    (0.1680, 51.4910, ""),
    (0.1800, 51.4858, "Erith"),
    (0.1950, 51.4890, ""),
    (0.2080, 51.4880, ""),
    (0.2170, 51.4790, "Dartford Creek"),
)

#: Upstream of the course, Hampton to Hampton Court, where the river is still London's edge.
UPSTREAM: tuple[LonLat, ...] = ((-0.3870, 51.4100), (-0.3680, 51.4130), (-0.3580, 51.4065))

#: Reaches patrolled by boat: (name, borough code, risk, from point, to point).
REACHES: tuple[tuple[str, str, float, str, str], ...] = (
    ("Hampton Court reach", "TW", 3, "Hampton Court", "Seething Wells"),
    ("Kingston reach", "VK", 4, "Seething Wells", "Teddington Lock"),
    ("Twickenham and Richmond reach", "TW", 4, "Teddington Lock", "Richmond Lock"),
    ("Kew and Chiswick reach", "TX", 3, "Richmond Lock", "Barnes Bridge"),
    ("Hammersmith and Putney reach", "FH", 5, "Barnes Bridge", "Putney Bridge"),
    ("Wandsworth and Battersea reach", "WW", 5, "Putney Bridge", "Chelsea Bridge"),
    ("Nine Elms and Vauxhall reach", "LX", 6, "Chelsea Bridge", "Lambeth Bridge"),
    ("Westminster reach", "CW", 9, "Lambeth Bridge", "Waterloo Bridge"),
    ("Blackfriars and Bankside reach", "MD", 8, "Waterloo Bridge", "London Bridge"),
    ("Pool of London", "MD", 9, "London Bridge", "Tower Bridge"),
    ("Wapping and Rotherhithe reach", "HT", 6, "Tower Bridge", "Limehouse"),
    ("Limehouse and Greenwich reach", "HT", 7, "Limehouse", "Greenwich"),
    ("Blackwall and Bugsby's reach", "RG", 7, "Greenwich", "Thames Barrier"),
    ("Woolwich reach", "RG", 6, "Thames Barrier", "Woolwich Ferry"),
    ("Gallions and Barking reach", "KF", 4, "Woolwich Ferry", "Crossness"),
    ("Halfway and Erith reach", "RY", 3, "Crossness", "Erith"),
    ("Long Reach to Dartford Creek", "KD", 3, "Erith", "Dartford Creek"),
)


def thames_course() -> tuple[LonLat, ...]:
    """The Thames as a lon/lat polyline from Hampton Court to Dartford Creek (for drawing)."""
    return tuple((lon, lat) for lon, lat, _ in _COURSE)


def _index(name: str) -> int:
    for i, (_, _, label) in enumerate(_COURSE):
        if label == name:
            return i
    raise KeyError(f"no point named {name!r} on the Thames course")


def reach_midpoint(start: str, end: str) -> LonLat:
    """The point halfway along the course (by distance) between two named points."""
    pts = thames_course()[_index(start): _index(end) + 1]
    legs = [haversine_km(*a, *b) for a, b in pairwise(pts)]
    half = sum(legs) / 2.0
    for (a, b), leg in zip(pairwise(pts), legs, strict=True):
        if half <= leg and leg > 0:
            t = half / leg
            return (round(a[0] + t * (b[0] - a[0]), 6), round(a[1] + t * (b[1] - a[1]), 6))
        half -= leg
    return pts[-1]


@lru_cache(maxsize=1)
def course_km() -> float:
    """Length of the course in kilometres."""
    pts = thames_course()
    return sum(haversine_km(*a, *b) for a, b in pairwise(pts))
