"""The one exception hierarchy of vrhub.

Every error vrhub raises on purpose derives from :class:`VrhubError`. Its message is written
for a partner analyst: it says what is wrong, where, and what to do. The CLI and (later) the
web layer are the only places that translate these into exit codes or pages.
"""

from __future__ import annotations


class VrhubError(Exception):
    """Root of every error vrhub raises deliberately."""


class ConfigurationError(VrhubError):
    """A setting, home folder or partnership file is missing or invalid."""


class PseudonymisationKeyError(ConfigurationError):
    """The pseudonymisation key is missing, unreadable, too weak or a known default."""


class HomeNotFoundError(ConfigurationError):
    """The home folder has not been initialised with `vrhub init`."""


class PartnershipError(ConfigurationError):
    """A partnership definition cannot be found or is invalid."""


class ReferenceDataError(VrhubError):
    """Reference data is missing, unreadable or of an unexpected shape."""


class UnknownDatasetError(VrhubError):
    """A dataset name is not registered."""


class FileRejectedError(VrhubError):
    """A whole file was refused before any row could be read (empty, binary, wrong separator...)."""


class UnsupportedFieldError(VrhubError):
    """A field was asked of a dataset that does not hold it."""


class StoreInUseError(VrhubError):
    """Another process (such as ``vrhub serve``) holds the analytical store."""


class RecordStoreError(ConfigurationError):
    """The record store cannot be reached, opened or brought up to date."""


class GovernanceError(VrhubError):
    """Something governance forbids or a governance record that is invalid."""


class AgreementInvalidError(GovernanceError):
    """An agreement's terms are incomplete or contradictory."""


class AgreementNotFoundError(GovernanceError):
    """No agreement has the given reference."""


class NoAgreementError(GovernanceError):
    """No active agreement covers the data being loaded."""


class AudienceForbiddenError(GovernanceError):
    """An output would reach an audience that an agreement it draws on does not permit."""


class AccessDeniedError(GovernanceError):
    """A user asked for something their role or district scope does not allow."""


class UnknownPersonError(GovernanceError):
    """No user or organisation has the given name."""


class DisclosureError(VrhubError):
    """A table cannot be made safe to publish under the disclosure rule."""
