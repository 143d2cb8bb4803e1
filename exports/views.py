"""Downloading an export's file: staff who may view exports, while it has not expired."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from exports.models import Export, ExportStatus


@staff_member_required
def download(request, pk: int):
    if not request.user.has_perm("exports.view_export"):
        raise PermissionDenied("You may not download exports.")
    export = get_object_or_404(Export, pk=pk)
    if export.status != ExportStatus.DONE or not export.file or export.expires_at <= timezone.now():
        raise Http404("This export is not ready or has expired.")
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404("The export's file is gone.") from None
    name = export.file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)
