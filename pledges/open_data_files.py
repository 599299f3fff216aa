"""The full open-data downloads, built in advance: the CSV and the JSON of every public pledge, in
every offered language (the pledge addresses carry the language), as files in
settings.OPEN_DATA_DIR, served as they are (FileResponse: sent by the server's file copy, with
ETag and Last-Modified) instead of being computed for each download (tens of seconds and a
worker's CPU at 100,000 pledges).

Never a stale file: each file's name carries the version of the public set it was built from
(`public_version`, a digest of pledges.public_cache.public_fingerprint: the last save of a
pledge that is or was public, the next end of an embargo, the last save of an entity, the
deletion of a public pledge, the day...). A download asks for the file of the current version;
when there is none (a pledge was published, withdrawn, edited or deleted, an embargo ended, a new
day began), it is streamed as before and a rebuild is queued. The version is read in the same
REPEATABLE READ snapshot as the rows, so a file holds exactly the public set its name says.

Rebuilding (`open_data_files_build`, a Celery task on the reports queue) is idempotent: the
files of the current version that exist are kept, each file is written to a temporary name and
renamed into place (atomic: a download sees the whole old file or the whole new one), and the
files of older versions are removed. Each row is read and formatted once for all languages: only
the pledge's address differs between them (open_data.row_batches: each row comes cut where the
address goes).

Filtered downloads are cut from the same files: beside each file, its row index (`.rows`: each
pledge's id and the byte span of its row, in id order, which is the facet bitsets' order of
positions) lets a download of some pledges be the header and those rows' bytes, read from the file
in runs (0.1–0.5 s instead of 2–3 s for PostgreSQL to write them again, at 100,000 pledges), the
same bytes as the streamed writer (tests/pledges/test_open_data_files.py).

Several web containers: OPEN_DATA_DIR is a volume they share (like the import files); a
container that does not see the files streams the download, which stays correct.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from array import array
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string

from p2c_portal.queueing import task_enqueue

from . import open_data
from .models import Pledge
from .public_cache import public_fingerprint

FORMATS = ("csv", "json")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}
# A rebuild is queued at most once in this many seconds, however many downloads miss the file.
REBUILD_DEBOUNCE_SECONDS = 60
# One build of a version at a time; a build that died frees the version after this long.
BUILD_LOCK_SECONDS = 1800
_TEMPORARY_PREFIX = ".building-"


def open_data_dir() -> Path:
    return Path(settings.OPEN_DATA_DIR)


def public_version() -> str:
    """The public set's version: a digest of what every public list depends on."""
    return version_of(public_fingerprint())


def version_of(fingerprint: tuple) -> str:
    """The version of the public set told by a public_fingerprint() (the facet bitsets')."""
    return hashlib.sha256("|".join(fingerprint).encode()).hexdigest()[:20]


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def file_path(file_format: str, language: str, version: str) -> Path:
    return open_data_dir() / f"pledges-{language}-{version}.{file_format}"


def current_file(file_format: str, language: str) -> tuple[Path, str] | None:
    """(path, version) of the file of the public set as it is now, or None if not built yet."""
    version = public_version()
    path = file_path(file_format, language, version)
    return (path, version) if path.is_file() else None


def open_data_files_rebuild_soon() -> bool:
    """Queue a rebuild, at most once in REBUILD_DEBOUNCE_SECONDS. Returns whether it queued."""
    if not cache.add("pledges:open-data:rebuild-queued", 1, REBUILD_DEBOUNCE_SECONDS):
        return False
    # By name: pledges.tasks imports this module.
    build = import_string("pledges.tasks.open_data_files_build")
    transaction.on_commit(lambda: task_enqueue(build, event="open_data_files"))
    return True


def open_data_files_missing() -> bool:
    """Whether a file of the current public set is missing (checked by beat's sweep)."""
    version = public_version()
    return any(not file_path(file_format, language, version).is_file()
               for file_format in FORMATS for language in languages())


@contextmanager
def _one_snapshot():
    """The version and the rows read in one snapshot (PostgreSQL: REPEATABLE READ, read only),
    so that a publication during the build cannot slip into a file named for the version before
    it."""
    outermost = not connection.in_atomic_block  # (tests run inside a transaction already)
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _url_parts(file_format: str, language_codes: list[str]) -> dict[str, tuple[str, str]]:
    """Per language, the pledge page address as written before and after the id."""
    parts = {}
    for language in language_codes:
        with translation.override(language):
            parts[language] = open_data.url_parts(file_format, open_data.pledge_url_template())
    return parts


class RowIndex:
    """Where each row of a file is: the pledge's id, the byte its row starts at and its length
    in bytes (without the separator before the next row), in the file's order (ids ascending)."""

    SUFFIX = ".rows"

    def __init__(self):
        self.ids, self.starts, self.lengths = array("q"), array("q"), array("q")

    def add(self, pk: int, start: int, length: int) -> None:
        self.ids.append(pk)
        self.starts.append(start)
        self.lengths.append(length)

    def write(self, handle) -> None:
        array("q", [len(self.ids)]).tofile(handle)
        for values in (self.ids, self.starts, self.lengths):
            values.tofile(handle)

    @classmethod
    def read(cls, path: Path) -> RowIndex | None:
        """The index of a file, or None if it has none (built before indexes existed, or
        removed by a newer build)."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        values = array("q")
        values.frombytes(data[:len(data) - len(data) % values.itemsize])
        count = values[0] if values else -1
        if len(values) != 1 + 3 * count:
            return None
        index = cls()
        index.ids, index.starts, index.lengths = (values[1 + n * count:1 + (n + 1) * count]
                                                  for n in range(3))
        return index


def _byte_length(text: str) -> int:
    return len(text.encode())


def _index_rows(batch, parts: tuple[str, str], index: RowIndex, offset: int,
                separator: int) -> int:
    """Add a batch's rows to a file's index; returns the offset after them. `separator`: the
    bytes written before each row (the JSON files' ",\n"; the first row's "\n" is counted in
    the offset given)."""
    around = _byte_length(parts[0]) + _byte_length(parts[1])
    for head, pk, tail in batch:
        offset += separator
        length = _byte_length(head) + len(str(pk)) + around + _byte_length(tail)
        index.add(pk, offset, length)
        offset += length
    return offset


def _csv_files(queryset, outputs: dict, parts: dict, indexes: dict) -> None:
    header = open_data.csv_header()
    offsets = dict.fromkeys(outputs, _byte_length(header))
    for out in outputs.values():
        out.write(header)
    for batch in open_data.row_batches(queryset, "csv"):
        for language, out in outputs.items():
            out.write(open_data.rows_text(batch, parts[language]))
            offsets[language] = _index_rows(batch, parts[language], indexes[language],
                                            offsets[language], 0)


def _json_files(queryset, outputs: dict, parts: dict, indexes: dict) -> None:
    offsets = {}
    for language, out in outputs.items():
        with translation.override(language):
            source = settings.SITE_URL + reverse("pledges:pledge_list")
        header = open_data.json_header(source_url=source)
        out.write(header)
        # The first row comes after "\n", each other after JSON_SEPARATOR.
        offsets[language] = _byte_length(header) + 1 - _byte_length(open_data.JSON_SEPARATOR)
    separator = "\n"
    for batch in open_data.row_batches(queryset, "json"):
        for language, out in outputs.items():
            out.write(separator + open_data.rows_text(batch, parts[language],
                                                      open_data.JSON_SEPARATOR))
            offsets[language] = _index_rows(batch, parts[language], indexes[language],
                                            offsets[language],
                                            _byte_length(open_data.JSON_SEPARATOR))
        separator = open_data.JSON_SEPARATOR
    for out in outputs.values():
        out.write(open_data.JSON_END)


_WRITERS = {"csv": _csv_files, "json": _json_files}


def index_path(path: Path) -> Path:
    return path.with_name(path.name + RowIndex.SUFFIX)


def _write_files(file_format: str, language_codes: list[str], version: str) -> None:
    """The files of one format, for these languages, from one read of the rows, and their row
    indexes; each renamed into place once complete, the index before its file."""
    directory = open_data_dir()
    with ExitStack() as stack:
        outputs, temporary = {}, {}
        for language in language_codes:
            handle = stack.enter_context(tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", newline="", dir=directory, delete=False,
                prefix=_TEMPORARY_PREFIX, suffix=f".{file_format}",
            ))
            outputs[language], temporary[language] = handle, Path(handle.name)
        indexes = {language: RowIndex() for language in language_codes}
        index_files = {}
        try:
            _WRITERS[file_format](Pledge.objects.public(), outputs,
                                  _url_parts(file_format, language_codes), indexes)
            for handle in outputs.values():
                handle.flush()
                os.fsync(handle.fileno())
            for language, index in indexes.items():
                with tempfile.NamedTemporaryFile(
                    "wb", dir=directory, delete=False, prefix=_TEMPORARY_PREFIX,
                    suffix=RowIndex.SUFFIX,
                ) as handle:
                    index_files[language] = Path(handle.name)
                    index.write(handle)
                    handle.flush()
                    os.fsync(handle.fileno())
        except BaseException:
            for path in [*temporary.values(), *index_files.values()]:
                path.unlink(missing_ok=True)
            raise
    for language, path in temporary.items():
        final = file_path(file_format, language, version)
        index_files[language].chmod(0o644)
        os.replace(index_files[language], index_path(final))
        path.chmod(0o644)
        os.replace(path, final)


def filtered_rows(file_format: str, language: str, version: str,
                  positions: list[int], ids: list[int]) -> Iterator[bytes] | None:
    """The rows of the pledges at `positions` (ascending ranks by id in the public set of
    `version`, whose ids are `ids`) cut from that version's file, as the streamed writer would
    join them (JSON: JSON_SEPARATOR between them); None when the file or its index is missing
    or does not hold those pledges there (then the caller streams). Consecutive rows are read in
    one piece: in the file they are already joined so."""
    path = file_path(file_format, language, version)
    index = RowIndex.read(index_path(path))
    if index is None or len(index.ids) != len(ids):
        return None
    if any(index.ids[position] != ids[position] for position in positions):
        return None
    try:
        handle = path.open("rb")  # kept open: a rebuild renaming a newer file in is harmless
    except FileNotFoundError:
        return None
    separator = open_data.JSON_SEPARATOR.encode() if file_format == "json" else b""
    return _runs(handle, index, positions, separator)


READ_SIZE = 1 << 20  # bytes read at a time from a run of consecutive rows


def _runs(handle, index: RowIndex, positions: list[int], separator: bytes) -> Iterator[bytes]:
    starts, lengths = index.starts, index.lengths
    with handle:
        first = True
        run_start = run_end = None
        for position in [*positions, None]:
            if position is not None and run_end == position:
                run_end += 1
                continue
            if run_start is not None:
                if not first:
                    yield separator
                first = False
                begin = starts[run_start]
                remaining = starts[run_end - 1] + lengths[run_end - 1] - begin
                handle.seek(begin)
                while remaining > 0:
                    chunk = handle.read(min(READ_SIZE, remaining))
                    if not chunk:
                        return
                    remaining -= len(chunk)
                    yield chunk
            run_start, run_end = position, (position + 1 if position is not None else None)


def _remove_older(version: str, started: float) -> None:
    """Files of other versions made before this build started (a newer build's are kept), and
    temporary files left by a build that died an hour ago or more."""
    for path in open_data_dir().iterdir():
        try:
            modified = path.stat().st_mtime
        except FileNotFoundError:
            continue
        if path.name.startswith(_TEMPORARY_PREFIX):
            stale = modified < started - 3600
        else:
            stale = (path.name.startswith("pledges-") and f"-{version}." not in path.name
                     and modified < started)
        if stale:
            path.unlink(missing_ok=True)


def open_data_files_build() -> int:
    """Build the missing files of the current public set; returns how many were written (0:
    all there already, or another worker is building them)."""
    started = time.time()
    open_data_dir().mkdir(parents=True, exist_ok=True)
    written = 0
    with _one_snapshot():
        version = public_version()
        lock = f"pledges:open-data:building:{version}"
        if not cache.add(lock, 1, BUILD_LOCK_SECONDS):
            return 0
        try:
            for file_format in FORMATS:
                missing = [language for language in languages()
                           if not file_path(file_format, language, version).is_file()]
                if missing:
                    _write_files(file_format, missing, version)
                    written += len(missing)
        finally:
            cache.delete(lock)
    _remove_older(version, started)
    return written
