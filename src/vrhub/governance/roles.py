"""The roles people hold in the hub and what each may do, decided here once.

Roles, from most to least trusted: administrator, analyst, partner, provider, practitioner,
public. Each role reads the outputs meant for one audience (administrators and analysts read the
analyst tier: exact figures). Audiences are ordered: whatever an agreement lets go to the public
may go to every signed-in audience outside the analyst tier, at the same (public) disclosure, so
no signed-in role sees less than a visitor (see :func:`permits`). What a user sees is then
narrowed by their district scope, which is not a matter of role (see
:func:`vrhub.governance.people.require_districts`).

Every check of "may this user do this?" that depends on the role asks one of the permissions
below, never the role's name, so changing who may do something is a change to this file alone.
"""

from __future__ import annotations

from collections.abc import Collection

ADMINISTRATOR = "administrator"
ANALYST = "analyst"
PARTNER = "partner"
PROVIDER = "provider"
PRACTITIONER = "practitioner"
PUBLIC = "public"

#: Every role, from most to least trusted.
ROLES = (ADMINISTRATOR, ANALYST, PARTNER, PROVIDER, PRACTITIONER, PUBLIC)

#: The audience whose outputs each role may read (see ``vrhub.governance.terms.AUDIENCES``).
ROLE_AUDIENCE = {
    ADMINISTRATOR: "analyst",
    ANALYST: "analyst",
    PARTNER: "partner",
    PROVIDER: "provider",
    PRACTITIONER: "practitioner",
    PUBLIC: "public",
}

#: Roles that may upload partner files through the dashboard and use the data page.
_UPLOADERS = frozenset({ADMINISTRATOR, ANALYST, PARTNER})
#: Roles that see every upload and every feed's scorecard, whoever sent them.
_SEE_EVERY_UPLOAD = frozenset({ADMINISTRATOR, ANALYST})
#: Roles that may upload under any active agreement, whichever organisations are party to it.
_UPLOAD_FOR_ANY_ORGANISATION = frozenset({ADMINISTRATOR})
#: Roles that review recommendations: edit, accept or reject them (a named analyst).
_RECOMMENDATION_REVIEWERS = frozenset({ANALYST})
#: Roles that manage governance: the users, the agreements and the audit trail.
_GOVERNORS = frozenset({ADMINISTRATOR})


def audience_for(role: str) -> str:
    """The audience whose outputs someone with ``role`` reads."""
    return ROLE_AUDIENCE[role]


def permits(audiences: Collection[str], audience: str) -> bool:
    """Whether an agreement naming ``audiences`` lets its figures go to ``audience``: one it
    names, or any audience outside the analyst tier when it names the public (figures for those
    audiences are protected by the same disclosure rule, so they get what the public gets).

    >>> permits(("analyst", "partner", "public"), "provider")
    True
    >>> permits(("analyst", "partner"), "provider")
    False
    >>> permits(("public",), "analyst")
    False
    """
    if audience in audiences:
        return True
    return ROLE_AUDIENCE[PUBLIC] in audiences and not reads_exact_figures(audience)


def reads_exact_figures(audience: str) -> bool:
    """Whether outputs for ``audience`` are exact and may hold record-level data: only the
    analyst tier's (read by administrators and analysts). Every other audience reads counts
    protected by the disclosure rule."""
    return audience == ROLE_AUDIENCE[ANALYST]


def uploads_data(role: str) -> bool:
    """Whether the role may upload files under their organisation's agreements and use the
    data page (uploads, their validation results and the quality scorecard)."""
    return role in _UPLOADERS


def sees_every_upload(role: str) -> bool:
    """Whether the role sees every upload and feed; anyone else who uploads sees only those of
    their own organisation."""
    return role in _SEE_EVERY_UPLOAD


def uploads_for_any_organisation(role: str) -> bool:
    """Whether the role may upload under any active agreement, even one their own organisation
    is not a party to (everyone else who uploads needs their organisation to be a party)."""
    return role in _UPLOAD_FOR_ANY_ORGANISATION


def manages_governance(role: str) -> bool:
    """Whether the role may read the governance pages: the users, the agreements and the audit
    trail."""
    return role in _GOVERNORS


def reviews_recommendations(role: str) -> bool:
    """Whether the role may edit, accept or reject the recommendations proposed for the needs
    assessment: analysts alone, each by name."""
    return role in _RECOMMENDATION_REVIEWERS
