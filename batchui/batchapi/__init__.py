"""The Batch API client: the only code in the project that speaks HTTP to the Batch API.

from batchui.batchapi import get_client, Filter, BatchCreate
page = get_client().list_batches(filter=Filter.where("isOpen", "equals", True), api_key=key)

The names imported here are the package's interface (pyproject.toml lets ruff know they are
re-exported).
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
