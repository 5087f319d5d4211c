"""One error hierarchy: every error class vrhub defines is a VrhubError, with its HTTP status
decided once, in vrhub.errors."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import vrhub
from vrhub import errors
from vrhub.errors import VrhubError

#: The dashboard's status for each error class. A new class needs a row here: its status is a
#: decision, not an accident of which class it happens to extend.
STATUS = {
    "VrhubError": 400,
    "ConfigurationError": 500,
    "PseudonymisationKeyError": 500,
    "HomeNotFoundError": 500,
    "PartnershipError": 500,
    "RecordStoreError": 500,
    "RegistryError": 500,
    "DuplicateNameError": 500,
    "ExtensionError": 500,
    "ReferenceDataError": 500,
    "UnknownDatasetError": 400,
    "UnknownNameError": 400,
    "UnknownMeasureError": 400,
    "FileRejectedError": 400,
    "FileTooLargeError": 413,
    "UnsupportedFieldError": 400,
    "StoreInUseError": 409,
    "GovernanceError": 400,
    "AgreementInvalidError": 400,
    "AgreementNotFoundError": 404,
    "NoAgreementError": 403,
    "AudienceForbiddenError": 403,
    "AccessDeniedError": 403,
    "SignInNeededError": 401,
    "SessionExpiredError": 401,
    "UnknownPersonError": 404,
    "UngovernedBatchError": 503,
    "LineageWriteError": 503,
    "DisclosureError": 400,
    "NoDataHeldError": 422,
    "InvalidMonthError": 400,
    "UnknownDistrictError": 400,
    "RecommendationError": 400,
    "UnknownRecommendationError": 404,
    "RecommendationDecidedError": 409,
}


def _error_classes() -> dict[str, type[VrhubError]]:
    return {
        name: obj
        for name, obj in vars(errors).items()
        if inspect.isclass(obj) and issubclass(obj, VrhubError)
    }


def test_each_error_class_carries_its_status() -> None:
    found = {name: cls.http_status for name, cls in _error_classes().items()}
    assert found == STATUS


def test_statuses_are_client_or_server_errors() -> None:
    for name, cls in _error_classes().items():
        assert isinstance(cls.http_status, int) and 400 <= cls.http_status <= 599, name


def test_every_exception_class_in_vrhub_is_a_vrhub_error() -> None:
    outside = []
    for info in pkgutil.walk_packages(vrhub.__path__, "vrhub."):
        if ".migrations.versions" in info.name:
            continue  # Alembic scripts, loaded by Alembic alone
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == module.__name__
                and not issubclass(obj, VrhubError)
            ):
                outside.append(f"{info.name}.{name}")
    assert outside == []


def test_the_root_status_is_400_and_a_subclass_inherits_its_parents() -> None:
    class Local(errors.AccessDeniedError):
        pass

    assert VrhubError("x").http_status == 400
    assert Local("x").http_status == 403
