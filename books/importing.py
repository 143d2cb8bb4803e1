"""Importing page files into the catalogue: planning a folder, then storing pages safely.

Used by ``manage.py import_directory``, admin uploads and the API alike. Rules:
- idempotent: a file whose content (sha256) is already in the volume is skipped;
- a file's rows commit whole, in one transaction (a folder import shares it among many
  files), after its images are in storage; a failure removes what was written, and a
  re-run after a crash overwrites leftovers;
- two imports of the same content at once: one commits it, the other counts it as skipped
  and never removes a stored file that a committed page references (names are by content);
- a bad file is reported with its reason and the rest goes on; a book or volume that the
  import created is removed again when none of its files made it in.
"""

import json
import logging
import os
import re
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, suppress
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils.text import slugify

from books import images
from books.models import Book, Page, TextDirection, Volume

logger = logging.getLogger(__name__)

DEFAULT_PATTERNS = tuple(f"*{ext}" for ext in images.ACCEPTED_EXTENSIONS)


# --- Names -----------------------------------------------------------------------------------


def display_name(name: str) -> str:
    """A file name safe to store and print: undecodable bytes replaced, Unicode in NFC."""
    raw = os.fsencode(name)
    return unicodedata.normalize("NFC", raw.decode("utf-8", errors="replace"))


def is_clean_name(name: str) -> bool:
    try:
        os.fsencode(name).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def relative_name(path: Path, root: Path) -> str:
    """``path`` inside ``root`` as text. Planned paths start with the root's own text, so it
    is cut off (``Path.relative_to`` showed in the profile of the import's storing thread)."""
    text, prefix = str(path), str(root).rstrip(os.sep) + os.sep
    return text[len(prefix) :] if text.startswith(prefix) else str(path.relative_to(root))


def natural_key(name: str) -> list:
    """Sort key that orders ``page2`` before ``page10`` and ignores case."""
    parts = re.split(r"(\d+)", display_name(name).casefold())
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts]


def matches(name: str, patterns: Iterable[str]) -> bool:
    folded = display_name(name).casefold()
    return any(fnmatchcase(folded, pattern.casefold()) for pattern in patterns)


# --- Planning --------------------------------------------------------------------------------


@dataclass
class VolumePlan:
    source_directory: str  # relative to the book folder; "" for files directly in it
    label: str
    files: list[Path]


@dataclass
class BookPlan:
    source: Path
    title: str
    volumes: list[VolumePlan]
    fields: dict = field(default_factory=dict)  # from the folder's book.json, if any
    # Files (and hidden folders) found but not planned, each with why: nothing is dropped
    # without a word.
    ignored: list["Failure"] = field(default_factory=list)

    @property
    def file_count(self) -> int:
        return sum(len(volume.files) for volume in self.volumes)


def plan_directory(
    root: Path,
    *,
    as_books: bool = False,
    patterns: Iterable[str] | None = None,
    recursive: bool = True,
    title: str | None = None,
) -> list[BookPlan]:
    """What an import of ``root`` would create: books, their volumes and files, in order.

    One book: files directly in ``root`` form the first volume, each sub-folder one more.
    ``as_books``: each sub-folder of ``root`` is a book planned the same way.
    ``recursive``: a volume folder's own sub-folders add their files to that volume.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"not a directory: {root}")
    patterns = tuple(patterns or DEFAULT_PATTERNS)
    if as_books:
        return [
            _plan_book(folder, patterns, recursive, None)
            for folder in _subfolders(root)
            if not folder.name.startswith(".")
        ]
    return [_plan_book(root, patterns, recursive, title)]


def _plan_book(folder: Path, patterns, recursive: bool, title: str | None) -> BookPlan:
    volumes, ignored = [], []
    loose = _files_in(folder, patterns, recursive=False, ignored=ignored, root=folder)
    if loose:
        volumes.append(VolumePlan("", display_name(folder.name), loose))
    for sub in _subfolders(folder):
        files = _files_in(sub, patterns, recursive=recursive, ignored=ignored, root=folder)
        if files:
            volumes.append(VolumePlan(display_name(sub.name), display_name(sub.name), files))
    for hidden in sorted(p for p in folder.iterdir() if p.is_dir() and p.name.startswith(".")):
        ignored.append(Failure(shown_name(hidden.name), "hidden folder, not read"))
    fields = read_book_json(folder)
    return BookPlan(
        source=folder,
        title=title or fields.pop("title", None) or display_name(folder.name),
        volumes=volumes,
        fields=fields,
        ignored=ignored,
    )


def shown_name(name: str) -> str:
    """``display_name`` with control and format characters (a right-to-left override that
    makes "\\u202egnp.exe" look like "exe.png") written as escapes, so a report shows the
    name as it is."""
    return "".join(
        f"\\u{ord(char):04x}" if unicodedata.category(char) in ("Cc", "Cf") else char
        for char in display_name(name)
    )


def _ignore_reason(name: str) -> str:
    if name.startswith("."):
        return "hidden file"
    suffix = Path(display_name(name)).suffix
    kind = f"a {suffix} file" if suffix else "no file extension"
    return f"not a page by its name ({kind}); --pattern imports other names"


BOOK_JSON_FIELDS = {
    "title",
    "slug",
    "author",
    "category",
    "description",
    "language",
    "text_direction",
    "metadata",
}


def read_book_json(folder: Path) -> dict:
    """Catalogue fields for a new book from an optional ``book.json`` in its folder."""
    path = folder / "book.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BookJsonError(f"{path}: not valid JSON: {error}") from None
    if not isinstance(data, dict) or set(data) - BOOK_JSON_FIELDS:
        unknown = ", ".join(sorted(set(data) - BOOK_JSON_FIELDS)) if isinstance(data, dict) else ""
        raise BookJsonError(
            f"{path}: expected an object with {sorted(BOOK_JSON_FIELDS)}; unknown: {unknown}"
        )
    return data


class BookJsonError(ValueError):
    """A book.json sidecar that cannot be used; the message names the file."""


def _subfolders(folder: Path) -> list[Path]:
    entries = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return sorted(entries, key=lambda p: natural_key(p.name))


def _files_in(folder: Path, patterns, *, recursive: bool, ignored: list, root: Path) -> list[Path]:
    """The page files of ``folder`` in natural order; the others go to ``ignored``."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        if recursive:
            for name in dirnames:
                if name.startswith("."):
                    hidden = relative_name(Path(dirpath) / name, root)
                    ignored.append(Failure(shown_name(hidden), "hidden folder, not read"))
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        else:
            dirnames[:] = []
        for name in filenames:
            path = Path(dirpath) / name
            if not name.startswith(".") and matches(name, patterns):
                found.append(path)
            elif not (path.parent == root and name == "book.json"):
                ignored.append(Failure(shown_name(relative_name(path, root)), _ignore_reason(name)))
    return sorted(found, key=lambda p: natural_key(relative_name(p, folder)))


# --- Results ---------------------------------------------------------------------------------


@dataclass
class Failure:
    path: str
    reason: str


@dataclass
class ImportSummary:
    books_created: int = 0
    volumes_created: int = 0
    pages_created: int = 0
    files_imported: int = 0
    files_skipped: int = 0
    failures: list[Failure] = field(default_factory=list)
    ignored: list[Failure] = field(default_factory=list)  # found, not page files (BookPlan)
    warnings: list[Failure] = field(default_factory=list)
    orphans_removed: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    page_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one source file: ``pages`` created, or skipped, or failed."""

    path: str
    pages: list[Page]
    skipped: bool = False
    error: str = ""


# --- Storing pages ---------------------------------------------------------------------------


def decode_limits() -> images.DecodeLimits:
    return images.DecodeLimits(
        max_pixels=settings.IMPORT_MAX_PIXELS,
        pdf_dpi=settings.IMPORT_PDF_DPI,
        thumbnail_size=settings.THUMBNAIL_SIZE,
    )


def storage_name(volume: Volume, sha256: str, frame: int, extension: str, kind: str) -> str:
    """Deterministic by content, so a re-run after a crash overwrites its own leftovers."""
    return f"{kind}/{volume.book_id}/{volume.id}/{sha256[:20]}-{frame}.{extension}"


@dataclass(frozen=True)
class Prepared:
    """A source file hashed (and, when it is a single image, decoded) ahead of storing."""

    data: bytes
    sha: str
    pages: list[images.PageImage] | None = None  # None: decode page by page while storing
    error: str = ""
    # Files already written to storage by the reader thread: (kind, frame) -> storage name.
    stored: dict[tuple[str, int], str] = field(default_factory=dict)


def prepare(data: bytes, *, decode: bool = False, sha: str = "") -> Prepared:
    """The CPU-heavy part of adding a file; thread-safe, touches no database or storage.

    ``sha``: the content's SHA-256 when the caller has hashed it already.
    """
    if len(data) > settings.UPLOAD_MAX_BYTES:
        return Prepared(data, "", error=_too_big(len(data)))
    sha = sha or images.sha256_hex(data)
    # Multi-page sources (PDF, TIFF) stream while storing so memory stays flat.
    if not decode or data[:5] == b"%PDF-" or data[:2] in (b"II", b"MM"):
        return Prepared(data, sha)
    try:
        return Prepared(data, sha, pages=list(images.decode_pages(data, decode_limits())))
    except images.BadFile as error:
        return Prepared(data, sha, error=str(error))


class PageNumbers:
    """Hands out the next page numbers of one volume to an importer adding many files.

    The last number is read from the database once and then counted on, without a lock, so
    storing a file costs one INSERT. When another writer appended to the volume meanwhile,
    the insert breaks the volume's unique (volume, sequence) constraint and the numbers are
    read again.
    """

    def __init__(self, volume: Volume):
        self.volume = volume
        self.last: int | None = None

    def read_last(self) -> int:
        pages = Page.objects.filter(volume=self.volume)
        return pages.aggregate(last=Max("sequence"))["last"] or 0


@dataclass
class StagedFile:
    """A file whose page images are in storage and whose rows wait for their transaction."""

    label: str
    sha: str
    rows: list[Page]
    written: list[str]  # storage names: removed again if the rows never commit


def add_file(
    volume: Volume,
    data: bytes,
    *,
    original_name: str,
    source_path: str = "",
    known: set[tuple[str, int]] | None = None,
    prepared: Prepared | None = None,
    numbers: PageNumbers | None = None,
) -> FileOutcome:
    """Add the pages of one source file to ``volume`` in one transaction; never raises for
    a bad file.

    ``known`` is the volume's set of (sha256, frame) already stored, for callers adding many
    files; without it the database is asked. ``prepared``: the result of ``prepare(data)``
    when it was done ahead, in another thread. ``numbers``: the volume's page numbering,
    shared by the files of one import.
    """
    prepared = prepared or prepare(data)
    if known is None:
        known = _known_content(volume, prepared.sha)
    staged = stage_file(
        volume, data, prepared, original_name=original_name, source_path=source_path, known=known
    )
    if isinstance(staged, FileOutcome):
        return staged
    return commit_staged(volume, [staged], known, numbers)[0]


def stage_file(
    volume: Volume,
    data: bytes,
    prepared: Prepared,
    *,
    original_name: str,
    source_path: str,
    known: set[tuple[str, int]],
) -> FileOutcome | StagedFile:
    """Write a file's page images to storage and build its rows, without inserting them.

    A file already in ``known``, or one that cannot be stored, ends here as an outcome.
    ``known`` gains the staged content at once, so a second copy of it in the same folder is
    skipped even before the first one's rows commit.
    """
    ahead = dict(prepared.stored)
    try:
        return _stage(volume, data, prepared, original_name, source_path, known, ahead)
    finally:
        # Written ahead but not used: the file was skipped, failed or lost a race.
        _delete_unreferenced(list(ahead.values()))


def _stage(volume, data, prepared, original_name, source_path, known, ahead):
    label = source_path or original_name
    sha = prepared.sha
    if sha and (sha, 0) in known:
        return FileOutcome(label, [], skipped=True)
    if prepared.error:
        return FileOutcome(label, [], error=prepared.error)

    staged = StagedFile(label, sha, [], [])
    try:
        pages = prepared.pages
        if pages is None:
            # Page by page: a 500-page PDF is never held in memory as images, only as rows.
            pages = images.decode_pages(data, decode_limits())
        for page_image in pages:
            if (sha, page_image.frame) in known:
                continue
            image_name = _write(volume, sha, page_image, "pages", staged.written, ahead)
            thumb_name = _write(volume, sha, page_image, "thumbs", staged.written, ahead)
            staged.rows.append(
                Page(
                    volume=volume,
                    image=image_name,
                    thumbnail=thumb_name,
                    width=page_image.width,
                    height=page_image.height,
                    original_name=original_name[:500],
                    source_path=source_path[:2000],
                    source_frame=page_image.frame,
                    sha256=sha,
                )
            )
    except images.BadFile as error:
        _delete_unreferenced(staged.written)
        return FileOutcome(label, [], error=str(error))
    except _AlreadyStored as error:
        return _lost_race(volume, staged, error, known)
    except BaseException:
        _delete_unreferenced(staged.written)
        raise
    if not staged.rows:
        return FileOutcome(label, [], skipped=True)
    known.update((sha, row.source_frame) for row in staged.rows)
    return staged


def commit_staged(
    volume: Volume,
    staged: list[StagedFile],
    known: set[tuple[str, int]],
    numbers: PageNumbers | None = None,
) -> list[FileOutcome]:
    """Number and insert the rows of staged files in one transaction; an outcome per file.

    A file's rows are never split: all of them commit or none. When another import
    committed some of this content meanwhile, the files are committed one by one instead, so
    that only those are skipped. On any other failure nothing commits, the files written for
    these rows are removed, and the error is raised.
    """
    if not staged:
        return []
    try:
        _create_pages(volume, [row for file in staged for row in file.rows], numbers)
    except IntegrityError as error:
        if len(staged) > 1:
            return [out for file in staged for out in commit_staged(volume, [file], known, numbers)]
        return [_lost_race(volume, staged[0], error, known)]
    except BaseException:
        _delete_unreferenced([name for file in staged for name in file.written])
        raise
    return [FileOutcome(file.label, file.rows) for file in staged]


def _known_content(volume: Volume, sha: str) -> set[tuple[str, int]]:
    pages = Page.objects.filter(volume=volume, sha256=sha)
    return set(pages.values_list("sha256", "source_frame")) if sha else set()


def _lost_race(volume: Volume, staged: StagedFile, error: Exception, known: set) -> FileOutcome:
    """Another import committed this content since ``known`` was read: its page rows
    reference the very names written here, so only unreferenced files are removed."""
    _delete_unreferenced(staged.written)
    for row in staged.rows:
        known.discard((staged.sha, row.source_frame))
    committed = _known_content(volume, staged.sha)
    if not committed:
        logger.warning("could not store %s: %s", staged.label, error)
        return FileOutcome(staged.label, [], error=f"could not be stored: {error}")
    known.update(committed)
    return FileOutcome(staged.label, [], skipped=True)


class _AlreadyStored(Exception):
    """A page row committed by another import already references the name being written."""


def _write(volume, sha, page_image: images.PageImage, kind: str, written: list[str], ahead) -> str:
    """Store the page image (``kind`` "pages") or its thumbnail ("thumbs"); its name."""
    if kind == "pages":
        data, extension = page_image.data, page_image.extension
    else:
        data, extension = page_image.thumbnail, "jpg"
        if data is None:
            return ""  # made on first view (books.thumbnails)
    if (kind, page_image.frame) in ahead:
        stored = ahead.pop((kind, page_image.frame))
        written.append(stored)
        return stored
    name = storage_name(volume, sha, page_image.frame, extension, kind)
    if default_storage.exists(name):
        if _referenced([name]):
            raise _AlreadyStored(name)
        # A leftover of an interrupted run (its row never committed): replace it.
        default_storage.delete(name)
    stored = default_storage.save(name, WholeContent(data))
    written.append(stored)
    return stored


class WholeContent(ContentFile):
    """Bytes a local storage writes in one call instead of 64 KiB pieces: each write call
    hands the GIL to another of the import's threads and back."""

    DEFAULT_CHUNK_SIZE = 1 << 30


def _referenced(names: list[str]) -> set[str]:
    """Which of ``names`` a committed page row references, as its image or thumbnail."""
    rows = Page.objects.filter(Q(image__in=names) | Q(thumbnail__in=names))
    found = set()
    for image, thumbnail in rows.values_list("image", "thumbnail"):
        found.update((image, thumbnail))
    return found & set(names)


def _delete_unreferenced(names: list[str]) -> None:
    """Remove what a failed attempt wrote, except files a committed page row references.

    Names are derived from the content, so another import of the same file writes (and may
    have committed rows for) the very same names. When the database cannot be asked, the
    files are kept: the orphan sweep removes them later if no row ever references them.
    """
    names = [name for name in names if name]  # "": a page without a thumbnail yet
    if not names:
        return
    try:
        keep = _referenced(names)
    except Exception:
        logger.warning("kept %d file(s) of a failed import: database unavailable", len(names))
        return
    for name in names:
        if name in keep:
            continue
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not remove %s after a failed import", name)


_NUMBERING_ATTEMPTS = 5


def _create_pages(volume: Volume, rows: list[Page], numbers: PageNumbers | None = None) -> None:
    """Number and insert pages at the end of the volume, all or nothing."""
    numbers = numbers or PageNumbers(volume)
    for attempt in range(1, _NUMBERING_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                last = numbers.last if numbers.last is not None else numbers.read_last()
                for offset, row in enumerate(rows, start=1):
                    row.sequence = last + offset
                Page.objects.bulk_create(rows)
        except IntegrityError:
            numbers.last = None
            for row in rows:
                row.pk = None
            if attempt == _NUMBERING_ATTEMPTS or _content_committed(volume, rows):
                raise
            continue
        numbers.last = rows[-1].sequence
        break


def _content_committed(volume: Volume, rows: list[Page]) -> bool:
    """Whether another import committed some of this content: the conflict was not about
    numbers (may say yes for a frame of one file and the hash of another: then the caller
    commits file by file, which asks again for each)."""
    same = Page.objects.filter(
        volume=volume,
        sha256__in={row.sha256 for row in rows},
        source_frame__in={row.source_frame for row in rows},
    )
    return same.exists()


def _too_big(size: int) -> str:
    return (
        f"file too large: {size / 1024**2:.1f} MiB exceeds "
        f"UPLOAD_MAX_BYTES={settings.UPLOAD_MAX_BYTES / 1024**2:.0f} MiB"
    )


# --- Importing a planned folder --------------------------------------------------------------

ProgressCallback = Callable[[FileOutcome], None]


@dataclass(frozen=True)
class ImportOptions:
    book: Book | None = None
    text_direction: str | None = None
    language: str | None = None


def unique_slug(title: str) -> str:
    base = slugify(title, allow_unicode=True)[:100] or "book"
    slug, n = base, 1
    while Book.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def find_book(identifier: str) -> Book | None:
    """A book by its identifier (slug) or numeric id."""
    book = Book.objects.filter(slug=identifier).first()
    if book is None and identifier.isdigit():
        book = Book.objects.filter(pk=int(identifier)).first()
    return book


def get_or_create_book(plan: BookPlan, options: ImportOptions, summary: ImportSummary) -> Book:
    if options.book is not None:
        return options.book
    # display_name: a folder name that is not UTF-8 cannot be sent to the database as is.
    source = display_name(str(plan.source.resolve()))
    book = Book.objects.filter(source_directory=source).order_by("pk").first()
    if book is None:
        fields = {
            "text_direction": TextDirection.AUTO,
            "language": "ch",
            **plan.fields,
            **{
                k: v
                for k, v in (
                    ("text_direction", options.text_direction),
                    ("language", options.language),
                )
                if v
            },
        }
        slug = fields.pop("slug", None)
        if not slug or Book.objects.filter(slug=slug).exists():
            slug = unique_slug(slug or plan.title)
        book = Book.objects.create(slug=slug, title=plan.title, source_directory=source, **fields)
        summary.books_created += 1
    return book


def get_or_create_volume(book: Book, plan: VolumePlan, summary: ImportSummary) -> Volume:
    volume = book.volumes.filter(source_directory=plan.source_directory).order_by("pk").first()
    if volume is None:
        last = book.volumes.aggregate(last=Max("sequence"))["last"] or 0
        volume = Volume.objects.create(
            book=book, sequence=last + 1, label=plan.label, source_directory=plan.source_directory
        )
        summary.volumes_created += 1
    return volume


def import_plans(
    plans: list[BookPlan],
    options: ImportOptions = ImportOptions(),
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    summary = ImportSummary()
    started = time.perf_counter()
    for plan in plans:
        summary.ignored += plan.ignored
        if not plan.file_count:
            summary.warnings.append(
                Failure(display_name(plan.source.name), "no importable file; no book created")
            )
            continue
        books_before = summary.books_created
        book = get_or_create_book(plan, options, summary)
        for volume_plan in plan.volumes:
            volumes_before = summary.volumes_created
            volume = get_or_create_volume(book, volume_plan, summary)
            _import_volume(volume, volume_plan.files, plan.source, summary, progress)
            summary.orphans_removed += len(remove_orphan_files(volume))
            # Right away, so the next new volume takes this one's number: no gap.
            if summary.volumes_created > volumes_before and _delete_if_empty(volume):
                summary.volumes_created -= 1
        if summary.books_created > books_before and _delete_if_empty(book):
            summary.books_created -= 1
    summary.seconds = time.perf_counter() - started
    return summary


def _import_volume(
    volume: Volume,
    paths: list[Path],
    book_root: Path,
    summary: ImportSummary,
    progress: ProgressCallback | None,
) -> None:
    """Threads read, check and write the files ahead; this thread commits their rows in
    order, many files per transaction (``PendingRows``)."""

    def report(outcome: FileOutcome) -> None:
        record(summary, outcome)
        if progress:
            progress(outcome)

    known = set(volume.pages.values_list("sha256", "source_frame"))
    pending = PendingRows(volume, known)
    try:
        with (
            ThreadPoolExecutor(settings.IMPORT_THREADS) as pool,
            closing(_read_ahead(pool, paths, known, volume)) as reads,
        ):
            for path, read in reads:
                staged = stage_path(volume, path, book_root, known, summary, read)
                if isinstance(staged, FileOutcome):
                    report(staged)
                else:
                    pending.add(staged)
                if pending.due():
                    for outcome in pending.commit():
                        report(outcome)
        for outcome in pending.commit():
            report(outcome)
    finally:
        pending.discard()


class PendingRows:
    """Staged files of one volume whose rows commit together: one transaction for up to
    ``IMPORT_COMMIT_PAGES`` pages or ``COMMIT_SECONDS`` of staging, whichever comes first.

    A transaction per file cost as much as storing the file (more on PostgreSQL). Each
    file's rows still commit whole or not at all; a crash loses at most the rows of one
    batch, whose files the re-run overwrites (their names are by content).
    """

    COMMIT_SECONDS = 1.0

    def __init__(self, volume: Volume, known: set[tuple[str, int]]):
        self.volume, self.known = volume, known
        self.numbers = PageNumbers(volume)
        self.files: list[StagedFile] = []
        self.rows = 0
        self.since = 0.0

    def add(self, staged: StagedFile) -> None:
        if not self.files:
            self.since = time.monotonic()
        self.files.append(staged)
        self.rows += len(staged.rows)

    def due(self) -> bool:
        return bool(self.files) and (
            self.rows >= settings.IMPORT_COMMIT_PAGES
            or time.monotonic() - self.since >= self.COMMIT_SECONDS
        )

    def commit(self) -> list[FileOutcome]:
        outcomes = commit_staged(self.volume, self.files, self.known, self.numbers)
        self.files, self.rows = [], 0
        return outcomes

    def discard(self) -> None:
        """Remove the stored files of rows that never committed (an interrupted import)."""
        files, self.files, self.rows = self.files, [], 0
        _delete_unreferenced([name for file in files for name in file.written])


def _delete_if_empty(obj: Book | Volume) -> bool:
    """Delete a book or volume this import created when none of its files made it in."""
    with transaction.atomic():
        # Locked (on PostgreSQL) so a concurrent import cannot add to it meanwhile.
        type(obj).objects.select_for_update().filter(pk=obj.pk).exists()
        children = obj.pages if isinstance(obj, Volume) else obj.volumes
        if children.exists():
            return False
        obj.delete()
    return True


def _read_ahead(pool: ThreadPoolExecutor, paths: list[Path], known: set, volume: Volume):
    """Yield (path, read result) in order while threads read, hash, decode and write ahead
    the next files.

    Decoding and writing dominate an import and release the GIL; rows stay in the calling
    thread, in order. At most two files per thread wait in memory. Closed early (an
    interrupted import), it removes what the readers wrote for files not stored yet.
    """
    window = 2 * settings.IMPORT_THREADS
    pending: deque = deque()
    try:
        for path in paths:
            pending.append((path, pool.submit(_read_file, path, known, volume)))
            if len(pending) >= window:
                path, future = pending.popleft()
                yield path, future.result()
        while pending:
            path, future = pending.popleft()
            yield path, future.result()
    finally:
        for _, future in pending:
            future.cancel()
        for _, future in pending:
            read = None if future.cancelled() else future.result()
            if isinstance(read, Prepared):
                _delete_unreferenced(list(read.stored.values()))


def _read_file(path: Path, known: set, volume: Volume | None = None) -> Prepared | str:
    """A prepared file, or the reason it cannot be read; never raises (it runs in a thread
    whose exception would otherwise end the whole import)."""
    try:
        size = path.stat().st_size
        if size > settings.UPLOAD_MAX_BYTES:
            return _too_big(size)
        data = path.read_bytes()
    except PermissionError:
        return "permission denied: the file cannot be read"
    except OSError as error:
        return f"cannot read file: {error.strerror or error}"
    except ValueError as error:  # e.g. "embedded null byte" in the name
        return f"cannot read file: {error}"
    try:
        sha = images.sha256_hex(data)
        if (sha, 0) in known:
            return Prepared(data, sha)  # already imported: stage_file skips it undecoded
        prepared = prepare(data, decode=True, sha=sha)
        return _store_ahead(volume, prepared) if volume is not None else prepared
    except Exception as error:
        logger.exception("unexpected error reading %s", display_name(str(path)))
        return f"unexpected error reading the file: {type(error).__name__}: {error}"


def _store_ahead(volume: Volume, prepared: Prepared) -> Prepared:
    """Write a decoded file's pages to storage from the reader thread, under names still free.

    Names already taken (a crash leftover, another import of the same content) are left to
    the storing thread, which asks the database whether a committed page uses them. Rows
    are only ever inserted by the storing thread, after its files are written.
    """
    if not prepared.pages:
        return prepared
    stored: dict[tuple[str, int], str] = {}
    try:
        for page in prepared.pages:
            for kind, extension, content in (
                ("pages", page.extension, page.data),
                ("thumbs", "jpg", page.thumbnail),
            ):
                name = storage_name(volume, prepared.sha, page.frame, extension, kind)
                if content is not None and not default_storage.exists(name):
                    stored[(kind, page.frame)] = default_storage.save(name, WholeContent(content))
    except Exception as error:  # OSError, or a remote storage's own errors
        # The storing thread writes them again and reports the error with the file's name.
        logger.warning("could not write ahead: %s", error)
        for name in stored.values():  # just created here (the names were free): no row has them
            with suppress(Exception):
                default_storage.delete(name)
        return prepared
    return replace(prepared, stored=stored)


def stage_path(
    volume: Volume,
    path: Path,
    book_root: Path,
    known: set,
    summary: ImportSummary,
    read: Prepared | str | None = None,
) -> FileOutcome | StagedFile:
    """Stage one file of a folder import (``read``: what ``_read_file`` returned for it)."""
    shown = display_name(relative_name(path, book_root))
    if not is_clean_name(path.name):
        summary.warnings.append(
            Failure(shown, "file name is not valid UTF-8; stored with replacement characters")
        )
    read = read if read is not None else _read_file(path, known)
    if isinstance(read, str):
        return FileOutcome(shown, [], error=read)
    summary.bytes_read += len(read.data)
    return stage_file(
        volume,
        read.data,
        read,
        original_name=display_name(path.name),
        source_path=shown,
        known=known,
    )


def record(summary: ImportSummary, outcome: FileOutcome) -> None:
    if outcome.error:
        summary.failures.append(Failure(outcome.path, outcome.error))
        logger.debug("import failed: %s: %s", outcome.path, outcome.error)
    elif outcome.skipped:
        summary.files_skipped += 1
    else:
        summary.files_imported += 1
        summary.pages_created += len(outcome.pages)
        summary.page_ids.extend(page.pk for page in outcome.pages)


def remove_orphan_files(volume: Volume, *, older_than_seconds: float = 600) -> list[str]:
    """Delete stored files of ``volume`` that no page row references (crash leftovers).

    Files younger than ``older_than_seconds`` are left alone: they may belong to an upload
    whose row is about to commit.
    """
    referenced = set()
    for image, thumbnail in volume.pages.values_list("image", "thumbnail"):
        referenced.update((image, thumbnail))
    removed = []
    now = time.time()
    for kind in ("pages", "thumbs"):
        folder = f"{kind}/{volume.book_id}/{volume.id}"
        try:
            _, names = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        for name in names:
            path = f"{folder}/{name}"
            if path in referenced:
                continue
            modified = default_storage.get_modified_time(path).timestamp()
            if now - modified >= older_than_seconds:
                default_storage.delete(path)
                removed.append(path)
    return removed
