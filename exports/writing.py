"""Writing an export's bytes: one file for the scope, or a ZIP of per-page files and/or the
page images. Pages are streamed from ``exports.source`` one batch at a time."""

import dataclasses
import shutil
import zipfile
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import BinaryIO

from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename

from exports import formats
from exports.formats.base import PageData
from exports.models import Export, Scope, TextSource
from exports.source import export_info, iter_pages


def file_name(export: Export) -> str:
    """``<book>[-vol<N>|-pages]-<format>[-engine].<ext>`` (``.zip`` with images or pages)."""
    fmt = formats.get(export.format)
    parts = [export.book.slug]
    if export.scope == Scope.VOLUME:
        parts.append(f"vol{export.volume.sequence}")
    elif export.scope == Scope.PAGES:
        parts.append("pages")
    parts.append(export.format)
    if export.text_source == TextSource.ENGINE:
        parts.append("engine")
    stem = get_valid_filename("-".join(parts)) or f"export-{export.pk}"
    zipped = export.include_images or export.per_page
    return f"{stem}.{'zip' if zipped else fmt.extension}"


def page_stem(page: PageData) -> str:
    return f"{page.volume_sequence:02d}-{page.sequence:04d}"


def write_export(export: Export, page_ids: list[int], out: BinaryIO, progress: Callable) -> None:
    fmt = formats.get(export.format)
    info = export_info(export, len(page_ids))
    pages = iter_pages(export, page_ids)
    if not (export.include_images or export.per_page):
        writer = fmt(out, info)
        writer.start()
        for page in pages:
            writer.add_page(page)
            progress()
        writer.finish()
        return
    stem = PurePosixPath(file_name(export)).stem
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if export.per_page:
            for page in pages:
                name = f"{stem}/{page_stem(page)}.{fmt.extension}"
                page_info = dataclasses.replace(
                    info,
                    options={**info.options, "image_name": page.original_name, "page_count": 1},
                )
                with archive.open(name, "w", force_zip64=True) as entry:
                    writer = fmt(entry, page_info)
                    writer.start()
                    writer.add_page(page)
                    writer.finish()
                if export.include_images:
                    _add_image(archive, stem, page)
                progress()
            return
        with archive.open(f"{stem}/{stem}.{fmt.extension}", "w", force_zip64=True) as entry:
            writer = fmt(entry, info)
            writer.start()
            for page in pages:
                writer.add_page(page)
                progress()
            writer.finish()
        for page in iter_pages(export, page_ids):
            _add_image(archive, stem, page)


def _add_image(archive: zipfile.ZipFile, stem: str, page: PageData) -> None:
    """Page images go in as stored (already compressed: no deflate)."""
    if not page.image_name:
        return
    suffix = PurePosixPath(page.image_name).suffix
    info = zipfile.ZipInfo(f"{stem}/images/{page_stem(page)}{suffix}")
    info.compress_type = zipfile.ZIP_STORED
    with (
        default_storage.open(page.image_name, "rb") as source,
        archive.open(info, "w", force_zip64=True) as entry,
    ):
        shutil.copyfileobj(source, entry, 1024 * 1024)
