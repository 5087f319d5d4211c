"""The multi-agency dashboard: FastAPI, the GOV.UK Design System, sign-in and scoping."""
