"""Hercules solvers (OR-Tools): pure functions from a scenario snapshot to a plan."""
