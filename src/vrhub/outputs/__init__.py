"""Governed outputs: every figure that leaves vrhub is read here.

:mod:`vrhub.outputs.reads` runs a :class:`~vrhub.outputs.reads.Query` through the measures
engine and the one release step; :mod:`vrhub.outputs.protect` shows its counts as the
audience may see them; :mod:`vrhub.outputs.period` names the periods outputs cover. Reports,
the dashboard, exports and the command line all read through this package, so a number and
its access rules are the same everywhere.
"""
