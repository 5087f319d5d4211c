"""Play the differencing attacker against a home's measure explorer, and say what it learned.

    python scripts/disclosure_attack.py HOME_FOLDER --measure non-domestic-homicide
    python scripts/disclosure_attack.py HOME_FOLDER --measure serious-violence \\
        --audience partner --district E08000035 --district E08000032

Gathers every answer the explorer gives the audience (every area in scope, every year held,
every breakdown), solves for the hidden counts as an integer programme
(:mod:`vrhub.disclosure.attack`) and prints how many answers were gathered and hidden, how
many hidden counts the answers pin down (it should be none) and what the method costs in
accuracy on the counts it shows. ``--weak`` also attacks the same answers as if every shown
count had been published exactly, to show what the noise and rounding protect against.

The home is opened with its own pseudonymisation key (``secrets/pseudonymisation.key``, or
``VRHUB_KEY_FILE``), as the command line opens it. Exit status 1 if anything is pinned.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from vrhub import pipeline
from vrhub.disclosure.attack import Answer, attack
from vrhub.disclosure.engine import DisclosureRule
from vrhub.hub import open_hub
from vrhub.web.harvest import harvest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("home", type=Path, help="the home folder")
    parser.add_argument("--measure", default="non-domestic-homicide")
    parser.add_argument("--dataset", default="police-crime")
    parser.add_argument("--audience", default="public", choices=["public", "partner"])
    parser.add_argument(
        "--district",
        action="append",
        default=[],
        help="a district code in the viewer's scope (repeat; default: every district)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--budget", type=float, default=900.0, help="seconds the attack may take in all"
    )
    parser.add_argument(
        "--weak", action="store_true", help="also attack with the shown counts exact"
    )
    args = parser.parse_args(argv)
    home = pipeline.open_partnership_home(args.home)
    scope = args.district or list(home.partnership.district_codes)
    with open_hub(home) as hub:
        started = time.perf_counter()
        h = harvest(hub.home, hub.con, hub.gov, args.measure, args.dataset, args.audience, scope)
        gathered = time.perf_counter() - started
        result = attack(h.answers, h.relations, truth=h.truth, seed=args.seed, budget=args.budget)
    shown = [(a.published, t) for a, t in zip(h.answers, h.truth, strict=True) if not a.hidden]
    errors = [abs(p - t) for p, t in shown if p is not None]
    print(f"Measure: {args.measure} ({args.dataset}), {args.audience} audience, "
          f"scope {', '.join(scope)}")  # fmt: skip
    print(f"Explorer pages asked: {h.pages:,} ({h.rows:,} published rows, "
          f"gathered in {gathered:.1f} s)")  # fmt: skip
    print(f"Answers gathered (distinct sets of records): {len(h.answers):,}")
    print(f"Hidden answers: {h.hidden:,} ({h.hidden / max(len(h.answers), 1):.0%} of answers)")
    print(f"Unknowns solved for: {result.atoms:,}; relations: {len(h.relations):,}")
    print(f"Pinned hidden answers: {len(result.pinned)} (undecided: {len(result.undecided)})")
    for p in result.pinned:
        print(f"  PINNED {p.answer.name} = {p.value}")
    print(f"Settled by random solutions: {result.by_sampling:,}; searches: {result.searches}; "
          f"integer programmes: {result.solves} in {result.seconds:.1f} s")  # fmt: skip
    if errors:
        exact = sum(e == 0 for e in errors) / len(errors)
        print(f"Accuracy on the {len(errors):,} shown answers: mean absolute difference "
              f"{sum(errors) / len(errors):.2f}, largest {max(errors)}, "
              f"{exact:.0%} shown exactly")  # fmt: skip
    if args.weak:
        weak = [
            a if a.hidden else Answer(a.name, a.atoms, t)
            for a, t in zip(h.answers, h.truth, strict=True)
        ]
        exact_rule = DisclosureRule(round_to=1)
        old = attack(weak, h.relations, exact_rule, 0, h.truth, seed=args.seed, budget=args.budget)
        print(f"With the shown counts exact instead: {len(old.pinned)} hidden answers pinned")
        for p in old.pinned[:10]:
            print(f"  e.g. {p.answer.name} = {p.value}")
    return 1 if result.pinned or result.undecided else 0


if __name__ == "__main__":
    sys.exit(main())
