"""Command line of the randomised plans: `predictability --scenario NAME [--last K]`.

``register(subparsers)`` adds the verb; ``main.py`` resolves ``args.db``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import asdict
from typing import Any

from resources.errors import InputError
from resources.model import Plan
from resources.predictability import RunMetrics, randomisation_of, run_metrics
from resources.store import Store

__all__ = ["draw_modes", "format_report", "register", "run_predictability"]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"expected 1-10000, got {value}")
    return value


def register(subparsers: Any) -> None:
    """Add the `predictability` verb."""
    p = subparsers.add_parser(
        "predictability",
        help="how predictable the stored plans of a scenario are",
        description="Report, over the newest stored plans of a scenario: site-choice entropy "
        "(Shannon and min-entropy, bits, per slot), overlap (Jaccard) of each plan with the "
        "plans before it against the overlap its probabilities imply, the largest gap between "
        "realised frequency and drawn probability, the defender value against the "
        "optimum, and how the draws were made (independent days, or balanced over days "
        "with its gain; see docs/randomisation.md).",
    )
    p.add_argument("--scenario", required=True, metavar="NAME", help="scenario name")
    p.add_argument("--last", type=_positive, default=14, metavar="K",
                   help="how many of the newest plans to measure (default 14)")
    p.add_argument("--window", type=_positive, default=7, metavar="W",
                   help="overlap of each plan with the W plans before it (default 7)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead")
    p.set_defaults(func=run_predictability)


def _f(value: float | None, fmt: str = ".3f") -> str:
    return "-" if value is None else format(value, fmt)


def draw_modes(plans: list[Plan]) -> list[dict[str, Any]]:
    """How the plans' targets were drawn: one entry per mode (and gain), with its plans."""
    counts: Counter[tuple[str, float | None]] = Counter()
    for plan in plans:
        info = randomisation_of(plan).get("balance")
        if isinstance(info, dict) and info.get("mode") == "balanced":
            gain = info.get("gain")
            counts[("balanced", float(gain) if isinstance(gain, int | float) else None)] += 1
        elif randomisation_of(plan):
            counts[("independent", None)] += 1
    return [{"mode": mode, "gain": gain, "plans": n} for (mode, gain), n in sorted(
        counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0.0))]


def _modes_line(modes: list[dict[str, Any]]) -> str:
    parts = [f"balanced over days (gain {m['gain']}) for {m['plans']} plan"
             f"{'s' if m['plans'] != 1 else ''}" if m["mode"] == "balanced" else
             f"independent days for {m['plans']} plan{'s' if m['plans'] != 1 else ''}"
             for m in modes]
    return "draws: " + ("; ".join(parts) if parts else "none (plans made without a draw)")


def format_report(name: str, m: RunMetrics, modes: list[dict[str, Any]] | None = None) -> str:
    """The report as text lines (plans oldest first, then the run)."""
    lines = [f"Predictability of the {len(m.plans)} newest plans of '{name}' (oldest first)",
             "plan              day  seed        site H  min H  overlap  implied  kept    value"]
    for p in m.plans:
        kept = "-" if p.kept is None else f"{100 * p.kept:.1f}%"
        lines.append(f"{p.plan_id or '-':<17} {p.day:>3}  {p.seed:<10}  {p.site_entropy:6.2f} "
                     f"{p.min_entropy:6.2f}  {_f(p.overlap):>7}  {_f(p.expected_overlap):>7}  "
                     f"{kept:>6}  {_f(p.value, '.2f'):>7}")
    lines += [
        f"site-choice entropy over the run (mean slot): {m.site_entropy:.2f} bits, "
        f"min-entropy {m.min_entropy:.2f} bits",
        f"overlap with earlier plans: {_f(m.overlap)} (implied by the probabilities: "
        f"{_f(m.expected_overlap)})",
        f"largest |frequency - probability|: {_f(m.frequency_gap)}",
        f"defender value per day: {_f(m.value, '.3f')} (optimum {_f(m.optimum, '.3f')})",
    ]
    if modes is not None:
        lines.append(_modes_line(modes))
    return "\n".join(lines)


def run_predictability(args: argparse.Namespace) -> int:
    """Handler of `predictability`: metrics over the newest stored plans of a scenario."""
    with Store.open(args.db, create=False) as store:
        scenario = store.load_scenario(args.scenario)
        plans = list(reversed(store.recent_plans(args.scenario, args.last)))
    if not plans:
        raise InputError(f"no stored plans for scenario '{args.scenario}' (save some with "
                         f"`plan --scenario {args.scenario} --days N --save`)",
                         field="scenario")
    metrics = run_metrics(scenario, plans, args.window)
    modes = draw_modes(plans)
    if args.json:
        print(json.dumps({"scenario": args.scenario, **asdict(metrics), "draw_modes": modes},
                         sort_keys=True))
    else:
        print(format_report(args.scenario, metrics, modes))
    return 0
