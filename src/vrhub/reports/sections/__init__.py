"""The built-in report sections.

Each module defines sections with :func:`vrhub.reports.registry.section`; vrhub's
``pyproject.toml`` names each one in the ``vrhub.report_sections`` entry-point group, exactly
as an extension names its own. Importing this package registers nothing.
"""
