"""URL converters: ids as EnergyCAP has them, int32s. Anything else is no route (404)."""

from django.urls import register_converter

INT32_MAX = 2**31 - 1


class Int32Converter:
    """Digits that fit an int32 (the simulator's batch ids)."""

    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > INT32_MAX:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class BatchIdConverter(Int32Converter):
    """A positive int32: no dashboard view acts on an id the API could never have given (0,
    negative, too large)."""

    regex = "[1-9][0-9]{0,9}"


register_converter(BatchIdConverter, "batch_id")
register_converter(Int32Converter, "int32")
