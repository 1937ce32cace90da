"""Readable text summaries of a scenario for the command line (scenario show)."""

from __future__ import annotations

from collections import Counter

from resources.model import Scenario, UnitStatus


def armed_share_all_on_duty(s: Scenario) -> tuple[int, int]:
    """(armed officers, officers) if every available (not committed) unit were deployed."""
    armed = officers = 0
    for u in s.units:
        if u.status is UnitStatus.AVAILABLE:
            officers += u.officers
            armed += s.unit_type(u).armed_for(u.officers)
    return armed, officers


def scenario_summary(s: Scenario, header: str = "") -> str:
    """A multi-line summary: posture, cap, calendar, units by type, sites by kind, areas."""
    p = s.posture
    cal = s.calendar
    cap = s.armed_share_cap
    lines = [f"Scenario '{s.name}'" + (f" ({header})" if header else "")]
    if s.description:
        lines.append(f"  {s.description}")
    lines += [
        f"Threat level: {s.threat_level.value} ({p.response.value} response); presence x"
        f"{p.presence_factor:g}, armed reach {p.armed_reach_minutes:g} min, CTSFO reach "
        f"{p.ctsfo_reach_minutes:g} min, armed presence at the top {p.armed_top_sites} sites",
        f"Armed share cap: {cap.percent} of deployed officers ({cap.integer_form}), "
        f"counting {s.deployed_rule.value.replace('_', ' ')}",
        f"Calendar: from {cal.start_date.isoformat()}, {cal.days} day(s) x "
        f"{cal.slots_per_day} slots of {cal.slot_minutes} min, day starting "
        f"{cal.day_start_hour:02d}:00",
    ]
    committed = sum(1 for u in s.units if u.status is UnitStatus.COMMITTED)
    lines.append(f"Units: {len(s.units)} ({len(s.units) - committed} available, "
                 f"{committed} committed to other operations)")
    lines.append(f"  {'type':<9} {'name':<32} {'units':>5} {'officers':>8} {'armed':>6}")
    for t in s.unit_types:
        units = [u for u in s.units if u.type_code == t.code]
        if not units:
            continue
        officers = sum(u.officers for u in units)
        armed = sum(t.armed_for(u.officers) for u in units)
        lines.append(f"  {t.code:<9} {t.name[:32]:<32} {len(units):>5} {officers:>8} {armed:>6}")
    armed, officers = armed_share_all_on_duty(s)
    if officers:
        within = "within" if cap.allows(armed, officers) else "ABOVE"
        lines.append(f"Armed share if every available unit were on duty: {armed}/{officers} = "
                     f"{100 * armed / officers:.1f}% ({within} the {cap.percent} cap)")
    kinds = Counter(x.kind.value for x in s.sites)
    by_kind = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in sorted(kinds.items()))
    lines.append(f"Sites: {len(s.sites)}" + (f" ({by_kind})" if by_kind else ""))
    taskable = sum(1 for a in s.areas if a.taskable)
    km2 = sum(a.geodesic_km2() for a in s.areas)
    lines.append(f"Areas: {len(s.areas)} ({taskable} taskable), {km2:,.0f} km²")
    lines.append(f"Standby points: {len(s.standby_points)}; coverage cells: {len(s.cells)} "
                 f"({s.cell_size_m:g} m)")
    lines.append(f"Pins: {len(s.pins)}; forbids: {len(s.forbids)}; travel times imported: "
                 f"{len(s.travel.matrix)}")
    return "\n".join(lines)
