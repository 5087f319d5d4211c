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
