"""Hercules domain layer: units, sites, areas, slots, posture, scenarios, plans and the store.

Imports neither Qt nor OR-Tools; usable from plain scripts and the command line.
"""

__version__ = "0.1.0"
