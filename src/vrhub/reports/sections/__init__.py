"""The built-in report sections (registered on import, as a deployment registers its own)."""

from vrhub.reports.sections import context, factors, place, success, timing, violence

__all__ = ["context", "factors", "place", "success", "timing", "violence"]
