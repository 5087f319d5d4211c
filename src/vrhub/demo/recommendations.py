"""The demo's recommendations: proposed by the rules for the latest year, left for an analyst
to review (accepting is a person's decision, so the demo accepts none)."""

from __future__ import annotations

from vrhub.demo.governance import ACTOR
from vrhub.hub import Hub
from vrhub.outputs.period import latest_year
from vrhub.reports.recommendations.review import propose


def propose_demo_recommendations(hub: Hub) -> int:
    """Propose recommendations for the latest year held; how many were proposed."""
    return len(propose(hub, latest_year(hub.con), ACTOR).added)
