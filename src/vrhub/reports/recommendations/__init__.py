"""Recommendations: proposed by readable rules, reviewed by a named analyst, shown in the
executive summary and listed for the partnership's action register."""
