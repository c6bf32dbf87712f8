"""Streams a publisher's CSV file row by row: byte counting for progress, header checks, row numbers."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from conflictkg.errors import InputError

# ACLED notes and UCDP source fields can be long; the csv module's default limit is 128 KiB.
csv.field_size_limit(16 * 1024 * 1024)

BOM = b"\xef\xbb\xbf"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Row:
    """One data record: its number (1 = first record after the header), the file line it starts on,
    and its fields by column name (whitespace around values kept as published)."""

    number: int
    line: int
    values: dict[str, str]

    def where(self) -> str:
        """"row N (line L)", as problems are reported."""
        return f"row {self.number} (line {self.line})"


@dataclass
class RowProblem:
    """A malformed row: where it is and everything wrong with it."""

    number: int
    line: int
    messages: list[str] = field(default_factory=list)

    def short(self) -> str:
        return f"row {self.number} (line {self.line}): {'; '.join(self.messages)}"

    def text(self, file_name: str) -> str:
        return f"{file_name}: {self.short()}"


class MalformedRow(Exception):
    """Raised by a row converter; carries every problem found in the row."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


class _CountingReader(io.RawIOBase):
    """A raw binary stream that reports how many bytes have been read from `inner`."""

    def __init__(self, inner: io.BufferedReader, on_bytes: Callable[[int], None] | None):
        self._inner = inner
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        count = len(data)
        buffer[:count] = data
        if count and self._on_bytes is not None:
            self._on_bytes(count)
        return count

    def close(self) -> None:
        self._inner.close()
        super().close()


def file_digest(path: str | Path) -> str:
    """The SHA-256 of the file's bytes, read in chunks (memory does not grow with the file)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    return digest.hexdigest()


class CsvStream:
    """The rows of one CSV file, read lazily.

    The header is read on `open()`: a byte-order mark is dropped, column names are stripped, and a
    missing required column is an InputError for the whole file (no row could be imported). Rows
    with more or fewer fields than the header are reported as problems, not raised, so that the
    caller can skip or reject them. Quoted fields may hold line breaks; rows are numbered from 1
    after the header and also carry the physical line on which they start.
    """

    def __init__(self, path: str | Path, display_name: str, on_bytes: Callable[[int], None] | None = None):
        self.path = Path(path)
        self.display_name = display_name
        self._on_bytes = on_bytes
        self._text: io.TextIOWrapper | None = None
        self._reader = None
        self.columns: list[str] = []
        self.had_bom = False

    def open(self, required: tuple[str, ...], what: str) -> list[str]:
        """Open the file, read and check the header; return the column names."""
        try:
            raw = open(self.path, "rb")  # noqa: SIM115 - closed in close()
        except FileNotFoundError:
            raise InputError(f"{self.display_name}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{self.display_name}: is a directory, not a file") from None
        except OSError as error:
            raise InputError(f"{self.display_name}: cannot read: {error.strerror}") from None
        self.had_bom = raw.peek(3)[:3] == BOM
        counting = io.BufferedReader(_CountingReader(raw, self._on_bytes), buffer_size=CHUNK)
        self._text = io.TextIOWrapper(counting, encoding="utf-8-sig", newline="")
        self._reader = csv.reader(self._text)
        try:
            header = next(self._reader)
        except StopIteration:
            self.close()
            raise InputError(f"{self.display_name}: the file is empty (no header line)") from None
        except UnicodeDecodeError as error:
            self.close()
            raise InputError(f"{self.display_name}:1: not UTF-8 text (byte 0x{error.object[error.start]:02x})") from None
        except csv.Error as error:
            self.close()
            raise InputError(f"{self.display_name}:1: cannot read the header as CSV: {error}") from None
        self.columns = [name.strip() for name in header]
        duplicates = sorted({name for name in self.columns if self.columns.count(name) > 1 and name})
        if duplicates:
            self.close()
            raise InputError(f"{self.display_name}:1: the header names a column twice: {', '.join(duplicates)}")
        missing = [name for name in required if name not in self.columns]
        if missing:
            self.close()
            raise InputError(
                f"{self.display_name}:1: not {what}: the header lacks the column(s) {', '.join(missing)} "
                f"(it has {len(self.columns)} columns: {', '.join(self.columns[:8])}{', …' if len(self.columns) > 8 else ''})"
            )
        return self.columns

    def rows(self) -> Iterator[Row | RowProblem]:
        """Each record as a Row, or a RowProblem when it cannot be split into the header's columns."""
        assert self._reader is not None, "open() first"
        width = len(self.columns)
        number = 0
        previous_line = self._reader.line_num
        while True:
            try:
                fields = next(self._reader)
            except StopIteration:
                return
            except UnicodeDecodeError as error:
                raise InputError(
                    f"{self.display_name}: after line {previous_line}: not UTF-8 text "
                    f"(byte 0x{error.object[error.start]:02x})"
                ) from None
            except csv.Error as error:
                number += 1
                yield RowProblem(number, previous_line + 1, [f"cannot be read as CSV: {error}"])
                previous_line = self._reader.line_num
                continue
            start_line = previous_line + 1
            previous_line = self._reader.line_num
            if not fields:  # a blank line: not a record
                continue
            number += 1
            if len(fields) != width:
                if len(fields) == 1 and not fields[0].strip():
                    number -= 1
                    continue
                yield RowProblem(
                    number, start_line, [f"has {len(fields)} fields but the header has {width} columns"]
                )
                continue
            yield Row(number, start_line, dict(zip(self.columns, fields)))

    def close(self) -> None:
        if self._text is not None:
            self._text.close()
            self._text = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
