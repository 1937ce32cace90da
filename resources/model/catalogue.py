"""The standard unit types of the embedded London force (figures from public sources)."""

from __future__ import annotations

from resources.model.units import Mode, Tactic, UnitType

T = Tactic

#: Default unit types. Forces can add their own; these are plain data.
STANDARD_UNIT_TYPES: tuple[UnitType, ...] = (
    UnitType("ARV", "Armed response vehicle", 3, 3, Mode.VEHICLE, 40.0,
             frozenset({"armed", "anpr"}),
             frozenset({T.VEHICLE_PATROL, T.STATIC_POINT, T.VCP_ANPR, T.RESERVE})),
    UnitType("AFP", "Armed foot patrol", 2, 2, Mode.FOOT, 5.0, frozenset({"armed"}),
             frozenset({T.FOOT_PATROL, T.STATIC_POINT, T.RESERVE})),
    UnitType("CTSFO", "CTSFO immediate response team", 8, 8, Mode.VEHICLE, 50.0,
             frozenset({"armed", "immediate_response"}), frozenset({T.RESERVE}),
             officers_min=6, officers_max=10, reserve_only=True),
    UnitType("DOG-GP", "Dog unit, general purpose", 1, 0, Mode.VEHICLE, 35.0,
             frozenset({"dog"}), frozenset({T.DOG_SWEEP, T.VEHICLE_PATROL, T.RESERVE})),
    UnitType("DOG-EX", "Dog unit, explosives search", 1, 0, Mode.VEHICLE, 35.0,
             frozenset({"dog", "explosives_search"}),
             frozenset({T.DOG_SWEEP, T.VEHICLE_PATROL, T.RESERVE})),
    UnitType("TSG", "TSG carrier", 8, 0, Mode.VEHICLE, 35.0, frozenset({"public_order"}),
             frozenset({T.VEHICLE_PATROL, T.STATIC_POINT, T.RESERVE}),
             officers_min=6, officers_max=8),
    UnitType("MARINE", "Marine Policing Unit boat", 3, 0, Mode.BOAT, 30.0, frozenset({"river"}),
             frozenset({T.RIVER_PATROL, T.RESERVE}), officers_min=2, officers_max=3),
    UnitType("MOUNTED", "Mounted patrol", 2, 0, Mode.HORSE, 8.0, frozenset({"mounted"}),
             frozenset({T.MOUNTED_PATROL, T.STATIC_POINT, T.RESERVE})),
    UnitType("NHT", "Neighbourhood team", 4, 0, Mode.FOOT, 5.0, frozenset({"neighbourhood"}),
             frozenset({T.FOOT_PATROL, T.STATIC_POINT, T.RESERVE}),
             officers_min=2, officers_max=6),
    UnitType("ANPR", "ANPR intercept car", 2, 0, Mode.VEHICLE, 45.0, frozenset({"anpr"}),
             frozenset({T.VCP_ANPR, T.VEHICLE_PATROL, T.RESERVE})),
)
