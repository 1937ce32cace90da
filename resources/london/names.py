"""Borough names and their two-letter codes (the Met's borough codes; 'CL' for the City)."""

from __future__ import annotations

CITY = "City of London"

#: Code -> name for the 32 London boroughs and the City of London.
BOROUGHS: dict[str, str] = {
    "KG": "Barking and Dagenham", "SX": "Barnet", "RY": "Bexley", "QK": "Brent",
    "PY": "Bromley", "EK": "Camden", "ZD": "Croydon", "XD": "Ealing", "YE": "Enfield",
    "RG": "Greenwich", "GD": "Hackney", "FH": "Hammersmith and Fulham", "YR": "Haringey",
    "QA": "Harrow", "KD": "Havering", "XH": "Hillingdon", "TX": "Hounslow", "NI": "Islington",
    "BS": "Kensington and Chelsea", "VK": "Kingston upon Thames", "LX": "Lambeth",
    "PL": "Lewisham", "VW": "Merton", "KF": "Newham", "JI": "Redbridge",
    "TW": "Richmond upon Thames", "MD": "Southwark", "ZT": "Sutton", "HT": "Tower Hamlets",
    "JC": "Waltham Forest", "WW": "Wandsworth", "CW": "Westminster", "CL": CITY,
}

#: The 32 boroughs the Met tasks by default (everything but the City).
MET_CODES: tuple[str, ...] = tuple(sorted(c for c in BOROUGHS if c != "CL"))
