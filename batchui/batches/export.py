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
ROWS_PER_WRITE = 256  # rows handed to the csv writer at once (a chunk is ~1,000 rows)
INCOMPLETE = "ERROR: the export stopped early and this file is INCOMPLETE."


def csv_safe(cell: str) -> str:
    if cell.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def csv_safe_row(row: list[str]) -> list[str]:
    """`row` with csv_safe applied to each cell; the row itself when no cell starts like a formula.

    Nearly every row has no such cell, so this asks each cell one C-level `startswith` and only
    builds a new list for the rare row that needs it.
    """
    for cell in row:
        if cell.startswith(FORMULA_STARTS):
            return [csv_safe(cell) for cell in row]
    return row


def csv_chunks(
    rows: Iterable[list[str]], *, first: list[str] | None = None, cells_safe: bool = False
) -> Iterator[bytes]:
    """UTF-8 CSV (with BOM) of `first` then `rows`, in chunks of about 64 KB, every cell
    csv_safe: made so here, or already (`cells_safe`: the caller made them so).

    When the rows fail mid-way (the API), the file ends with a line saying it is incomplete.
    """
    check = (lambda row: row) if cells_safe else csv_safe_row
    buffer = io.StringIO()
    buffer.write("\ufeff")  # a BOM: Excel then reads the file as UTF-8 (María, not MarÃ­a)
    writer = csv.writer(buffer)
    if first is not None:
        writer.writerow(check(first))
    pending: list[list[str]] = []
    try:
        for row in rows:
            pending.append(check(row))
            if len(pending) < ROWS_PER_WRITE:
                continue
            writer.writerows(pending)
            pending.clear()
            if buffer.tell() >= CHUNK_CHARS:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
    except BatchApiError as error:
        logger.warning("CSV export stopped early: %s", error.message)
        writer.writerows(pending)
        pending.clear()
        writer.writerow([f"{INCOMPLETE} {error.message}"])
    writer.writerows(pending)
    yield buffer.getvalue().encode()
