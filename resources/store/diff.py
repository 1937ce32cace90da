"""What a scenario save changed, summarised for the audit trail (roster, sites, pins, forbids)."""

from __future__ import annotations

from typing import Any

from resources.store.audit import canonical

JSON = dict[str, Any]
#: Names listed per category before the summary says "+N more".
MAX_LISTED = 50
_KEYED = (("units", "callsign"), ("sites", "id"), ("unit_types", "code"), ("areas", "name"),
          ("standby_points", "id"), ("cells", "id"))
_SETTINGS = ("name", "description", "threat_level", "armed_share_cap", "deployed_rule",
             "cell_size_m", "calendar", "postures", "travel")


def _capped(names: list[str]) -> list[str]:
    if len(names) <= MAX_LISTED:
        return names
    return [*names[:MAX_LISTED], f"+{len(names) - MAX_LISTED} more"]


def _keyed(old: list[JSON], new: list[JSON], key: str, counts: bool) -> JSON:
    a = {str(r.get(key)): r for r in old}
    b = {str(r.get(key)): r for r in new}
    out: JSON = {}
    for label, names in (("added", sorted(b.keys() - a.keys())),
                         ("removed", sorted(a.keys() - b.keys())),
                         ("changed", sorted(k for k in a.keys() & b.keys() if a[k] != b[k]))):
        if names:
            out[label] = len(names) if counts else _capped(names)
    return out


def _overrides(old: list[JSON], new: list[JSON]) -> JSON:
    """Pins or forbids added and removed, each with its rationale."""
    a = {canonical(r): r for r in old}
    b = {canonical(r): r for r in new}
    out: JSON = {}
    for label, keys in (("added", [k for k in b if k not in a]),
                        ("removed", [k for k in a if k not in b])):
        if keys:
            source = b if label == "added" else a
            listed = [source[k] for k in keys[:MAX_LISTED]]
            out[label] = listed + ([f"+{len(keys) - MAX_LISTED} more"]
                                   if len(keys) > MAX_LISTED else [])
    return out


def scenario_diff(old: JSON | None, new: JSON | None) -> JSON:
    """A summary of the change from ``old`` to ``new`` scenario documents (None: absent)."""
    if new is None:
        return {"deleted": True}
    if old is None:
        return {"created": True, **{k: len(new.get(k, [])) for k, _ in _KEYED},
                "pins": new.get("pins", []), "forbids": new.get("forbids", [])}
    out: JSON = {}
    for key, ident in _KEYED:
        found = _keyed(old.get(key, []), new.get(key, []), ident, counts=key == "cells")
        if found:
            out[key] = found
    for key in ("pins", "forbids"):
        found = _overrides(old.get(key, []), new.get(key, []))
        if found:
            out[key] = found
    changed = [k for k in _SETTINGS if old.get(k) != new.get(k)]
    if changed:
        out["settings"] = changed
    if old.get("threat_level") != new.get("threat_level"):
        out["threat_level"] = {"from": old.get("threat_level"), "to": new.get("threat_level")}
    if not out:
        out["unchanged"] = True
    return out
