"""Who sees and fetches which export, and the download answer, shared by the admin's
download view and the API.

A user sees the exports they asked for (``Export.requesters``: a reused export counts for
everyone who asked for the same file); a role with ``exports.view_all_exports``
(Librarians) sees every export. Reading exports at all needs ``exports.view_export``.
"""

from urllib.parse import quote

from django.http import FileResponse, HttpResponseRedirect
from django.utils import timezone

from exports import formats
from exports.models import Export, ExportStatus

SEE_ALL = "exports.view_all_exports"
# A signed storage URL only has to be valid when the download starts.
SIGNED_URL_SECONDS = 300


def visible_exports(user):
    """The exports ``user`` may see (and, once built, download)."""
    exports = Export.objects.all()
    if user.has_perm(SEE_ALL):
        return exports
    return exports.filter(requesters=user)


def is_expired(export: Export) -> bool:
    return export.expires_at <= timezone.now()


def is_ready(export: Export) -> bool:
    return export.status == ExportStatus.DONE and bool(export.file) and not is_expired(export)


def download_name(export: Export) -> str:
    return export.file.name.rsplit("/", 1)[-1]


def content_type(export: Export) -> str:
    if download_name(export).endswith(".zip"):
        return "application/zip"
    return formats.get(export.format).media_type


def signed_url(export: Export) -> str | None:
    """A short-lived signed URL straight to the file, where the storage makes them (S3 with
    query-string auth); None for storage whose URLs are not signed (local files)."""
    storage = export.file.storage
    if not getattr(storage, "querystring_auth", False) or not hasattr(storage, "bucket_name"):
        return None
    disposition = f"attachment; filename*=UTF-8''{quote(download_name(export))}"
    return storage.url(
        export.file.name,
        parameters={
            "ResponseContentDisposition": disposition,
            "ResponseContentType": content_type(export),
        },
        expire=SIGNED_URL_SECONDS,
    )


def file_response(export: Export):
    """A redirect to a signed storage URL when the storage makes them, else the file
    streamed from storage. FileNotFoundError when the file is gone."""
    url = signed_url(export)
    if url is not None:
        if not export.file.storage.exists(export.file.name):
            raise FileNotFoundError(export.file.name)
        return HttpResponseRedirect(url)
    handle = export.file.open("rb")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(export),
        content_type=content_type(export),
    )
