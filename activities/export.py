"""Streaming CSV export with constant memory, safe to open in a spreadsheet."""

import csv
import logging
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse

logger = logging.getLogger(__name__)

BYTE_ORDER_MARK = "\ufeff"
# Lines go out in blocks of about this many characters. One block per line meant one socket
# write per row under gunicorn, which took about a third of an export's time.
STREAM_BLOCK_CHARACTERS = 64 * 1024
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """Return the cell text, prefixed with an apostrophe when a spreadsheet would run it."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() returns the line instead of storing it."""

    def write(self, value):
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """Yield the CSV text line by line: the byte order mark and header first, then each row."""
    writer = csv.writer(_Echo())
    yield BYTE_ORDER_MARK + writer.writerow(header)
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def blocks(lines: Iterable[str]) -> Iterator[str]:
    """Join ``lines`` into blocks of about ``STREAM_BLOCK_CHARACTERS``, keeping memory bounded."""
    buffer: list[str] = []
    size = 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= STREAM_BLOCK_CHARACTERS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """Stream ``rows`` as a CSV download.

    Pass a queryset's ``.values_list(...).iterator(chunk_size=...)`` as ``rows`` so memory stays
    flat in the row count: at most one block of lines is held before it goes out.
    """
    response = StreamingHttpResponse(
        blocks(csv_lines(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
