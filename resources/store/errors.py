"""Errors of the store: unusable database, lost-update conflicts, read-only databases."""

from __future__ import annotations

from resources.errors import InputError


class StoreError(InputError):
    """The database cannot be used as asked (wrong file, newer schema, busy, full disk)."""


class ConflictError(StoreError):
    """A save based on an out-of-date version: someone else saved first."""


class ReadOnlyError(StoreError):
    """A write to a database that was opened read-only (damaged or from a newer Hercules)."""
