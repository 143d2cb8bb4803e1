"""Downloading an export's file from the admin: staff who may view exports, their own
exports (every export with ``exports.view_all_exports``), while it has not expired."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from exports import access


@staff_member_required
def download(request, pk: int):
    if not request.user.has_perm("exports.view_export"):
        raise PermissionDenied("You may not download exports.")
    export = get_object_or_404(access.visible_exports(request.user), pk=pk)
    if not access.is_ready(export):
        raise Http404("This export is not ready or has expired.")
    try:
        return access.file_response(export)
    except FileNotFoundError:
        raise Http404("The export's file is gone.") from None
