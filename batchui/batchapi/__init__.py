"""The Batch API client: the only code in the project that speaks HTTP to the Batch API.

from batchui.batchapi import get_client, Filter, BatchCreate
page = get_client().list_batches(filter=Filter.where("isOpen", "equals", True), api_key=key)
"""

from batchui.batchapi.client import (
    BatchApiClient,
    current_request_id,
    deadline_in,
    get_client,
    time_left,
)
from batchui.batchapi.errors import (
    ApiAuthError,
    ApiBadResponse,
    ApiForbidden,
    ApiNotFound,
    ApiOutcomeUnknown,
    ApiRateLimited,
    ApiResponseTooLarge,
    ApiServerError,
    ApiTimeout,
    ApiUnavailable,
    ApiValidationError,
    BatchApiError,
)
from batchui.batchapi.filters import FIELDS, Filter, FilterBuildError
from batchui.batchapi.retry import RetryPolicy
from batchui.batchapi.values import Batch, BatchCreate, BatchEdit, BatchPage, BatchStatus, UserChild

__all__ = [
    "FIELDS",
    "ApiAuthError",
    "ApiBadResponse",
    "ApiForbidden",
    "ApiNotFound",
    "ApiOutcomeUnknown",
    "ApiRateLimited",
    "ApiResponseTooLarge",
    "ApiServerError",
    "ApiTimeout",
    "ApiUnavailable",
    "ApiValidationError",
    "Batch",
    "BatchApiClient",
    "BatchApiError",
    "BatchCreate",
    "BatchEdit",
    "BatchPage",
    "BatchStatus",
    "Filter",
    "FilterBuildError",
    "RetryPolicy",
    "UserChild",
    "current_request_id",
    "deadline_in",
    "get_client",
    "time_left",
]
