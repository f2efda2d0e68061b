"""URL converters of the dashboard."""

from django.urls import register_converter

INT32_MAX = 2**31 - 1


class BatchIdConverter:
    """A batch id as EnergyCAP has them: a positive int32. Anything else is no route (404), so
    no view acts on an id the API could never have given (0, negative, too large)."""

    regex = "[1-9][0-9]{0,9}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > INT32_MAX:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(BatchIdConverter, "batch_id")
