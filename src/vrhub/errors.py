"""The one exception hierarchy of vrhub.

Every error vrhub raises on purpose derives from :class:`VrhubError`. Its message is written
for a partner analyst: it says what is wrong, where, and what to do. The command line and the
dashboard are the only places that translate these: the command line prints the message on one
line and exits with status 1; the dashboard answers with the class's :attr:`~VrhubError.http_status`
on its one error page or in its one JSON error shape. Each status is decided here, once, and a
subclass inherits its parent's unless it says otherwise.
"""

from __future__ import annotations


class VrhubError(Exception):
    """Root of every error vrhub raises deliberately."""

    #: The HTTP status the dashboard answers with: by default the request could not be done as
    #: asked (400).
    http_status: int = 400


class ConfigurationError(VrhubError):
    """A setting, home folder or partnership file is missing or invalid."""

    #: The hub itself is not set up right: nothing the person asking can change (500).
    http_status = 500


class PseudonymisationKeyError(ConfigurationError):
    """The pseudonymisation key is missing, unreadable, too weak or a known default."""


class HomeNotFoundError(ConfigurationError):
    """The home folder has not been initialised with `vrhub init`."""


class PartnershipError(ConfigurationError):
    """A partnership definition cannot be found or is invalid."""


class RecordStoreError(ConfigurationError):
    """The record store cannot be reached, opened or brought up to date."""


class ReferenceDataError(VrhubError):
    """Reference data is missing, unreadable or of an unexpected shape."""

    #: The hub's own lookups are incomplete: for the dashboard, a fault of the hub (500).
    http_status = 500


class UnknownDatasetError(VrhubError):
    """A dataset name is not registered (a bad name in a request: 400)."""


class FileRejectedError(VrhubError):
    """A whole file was refused before any row could be read (empty, binary, wrong separator...)."""


class FileTooLargeError(FileRejectedError):
    """A file is larger than this hub accepts through the dashboard."""

    http_status = 413


class UnsupportedFieldError(VrhubError):
    """A field was asked of a dataset that does not hold it."""


class StoreInUseError(VrhubError):
    """Another process (such as ``vrhub serve``) holds the analytical store."""

    http_status = 409


class GovernanceError(VrhubError):
    """Something governance forbids or a governance record that is invalid."""


class AgreementInvalidError(GovernanceError):
    """An agreement's terms are incomplete or contradictory."""


class AgreementNotFoundError(GovernanceError):
    """No agreement has the given reference."""

    http_status = 404


class NoAgreementError(GovernanceError):
    """No active agreement covers the data being loaded."""

    #: Loading is refused until an agreement covers it (403).
    http_status = 403


class AudienceForbiddenError(GovernanceError):
    """An output would reach an audience that an agreement it draws on does not permit."""

    http_status = 403


class AccessDeniedError(GovernanceError):
    """A user asked for something their role or district scope does not allow."""

    http_status = 403


class SignInNeededError(GovernanceError):
    """A page needs someone signed in and nobody is (or their account is switched off)."""

    http_status = 401


class SessionExpiredError(SignInNeededError):
    """A signed session has gone unused for longer than the hub allows."""


class UnknownPersonError(GovernanceError):
    """No user or organisation has the given name."""

    http_status = 404


class DisclosureError(VrhubError):
    """A table cannot be made safe to publish under the disclosure rule."""


class RegistryError(ConfigurationError):
    """The dataset standards, measures or report sections installed cannot all be registered:
    two share a name, or an extension's entry point cannot be loaded."""


class DuplicateNameError(RegistryError):
    """Two different dataset standards, measures or report sections share one name."""


class ExtensionError(RegistryError):
    """An installed extension's entry point cannot be loaded or gives the wrong kind of thing."""


class UnknownNameError(VrhubError):
    """No dataset standard, measure or report section has the given name (a bad name in a
    request, so 400 like any other request vrhub cannot answer as asked)."""


class UnknownMeasureError(UnknownNameError):
    """A measure name is not registered."""


class UngovernedBatchError(GovernanceError):
    """Stored data cannot be tied to the data-sharing agreement it came under, so no output
    may use it until the hub repairs its lineage."""

    http_status = 503


class LineageWriteError(GovernanceError):
    """A batch was stored but its lineage could not be written to the record store."""

    http_status = 503


class NoDataHeldError(VrhubError):
    """A period was asked for that the data held does not cover (never read as zero)."""

    http_status = 422


class InvalidMonthError(VrhubError):
    """A month was given in a form other than YYYY-MM."""


class UnknownDistrictError(VrhubError):
    """A local authority district code that ONS has not used since 2011 (a bad code in a
    request or a partnership file: 400)."""


class RecommendationError(VrhubError):
    """A recommendation cannot be reviewed as asked (an empty text or reason, say)."""


class UnknownRecommendationError(RecommendationError):
    """No recommendation has the number given."""

    http_status = 404


class RecommendationDecidedError(RecommendationError):
    """A recommendation already accepted or rejected cannot be edited or decided again."""

    http_status = 409
