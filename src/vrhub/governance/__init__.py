"""Governance: agreements, organisations and users, lineage and audiences, the audit trail."""
