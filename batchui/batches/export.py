"""CSV text for the export, streamed in chunks, safe to open in a spreadsheet.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula
by Excel and its kin (CSV injection): it gets a leading `'`. A plain number such as `-12.50`
(a credit) is not a formula and is left as it is, so totals stay numbers.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterable, Iterator

from batchui.batchapi import BatchApiError

logger = logging.getLogger("batchui.batches")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
CHUNK_CHARS = 64 * 1024
INCOMPLETE = "ERROR: the export stopped early and this file is INCOMPLETE."


def csv_safe(cell: str) -> str:
    if cell.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def csv_chunks(rows: Iterable[list[str]]) -> Iterator[bytes]:
    """UTF-8 CSV (with BOM) of `rows`, every cell csv_safe, in chunks of about 64 KB.

    When the rows fail mid-way (the API), the file ends with a line saying it is incomplete.
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")  # a BOM: Excel then reads the file as UTF-8 (María, not MarÃ­a)
    writer = csv.writer(buffer)
    try:
        for row in rows:
            writer.writerow([csv_safe(cell) for cell in row])
            if buffer.tell() >= CHUNK_CHARS:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
    except BatchApiError as error:
        logger.warning("CSV export stopped early: %s", error.message)
        writer.writerow([f"{INCOMPLETE} {error.message}"])
    yield buffer.getvalue().encode()
