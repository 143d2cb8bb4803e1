"""The review screen of a page: admin URLs of the page model, thin views over ``corrections``.

Every view works as a plain HTML form (no JavaScript) and answers JSON to the screen's
script (``Accept: application/json``). Permissions are checked here, on the server:
viewing needs ``books.view_page``, editing ``ocr.change_textline``, adding a line
``ocr.add_textline``, deleting one ``ocr.delete_textline``, marking reviewed
``ocr.add_pagereview``, restoring an earlier version ``ocr.add_pageversion`` with
``ocr.change_textline``.
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from books.models import Page
from ocr import (
    corrections,
    display,
    line_structure,
    page_versions,
    region_order,
    review_queue,
    variants,
)
from ocr.models import LineRevision, TextLine
from ocr.review_common import (
    PERM_ADD,
    PERM_DELETE,
    PERM_EDIT,
    PERM_REVIEW,
    PERM_VIEW,
    counts,
    is_low,
    review_url,
    token,
)
from ocr.review_screen import screen_context


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def refused(request, error: Exception, page_id: int):
    """A change that could not be made: 409 with the reason to the script, else the reason
    as a message on the review screen."""
    if wants_json(request):
        return JsonResponse({"error": str(error)}, status=409)
    messages.error(request, str(error))
    return HttpResponseRedirect(review_url(page_id))


def require(request, *perms: str) -> None:
    if not request.user.has_perms(perms):
        raise PermissionDenied


def require_post(request) -> None:
    if request.method != "POST":
        raise PermissionDenied("Only POST changes anything here.")


def load_page(object_id) -> Page:
    page = Page.objects.select_related("volume__book").filter(pk=object_id).first()
    if page is None:
        raise Http404("No such page")
    return page


def line_json(line: TextLine) -> dict:
    return {
        "id": line.pk,
        "order": line.order,
        "text": line.text,
        "version": line.version,
        "token": token(line.version, line.text),
        "corrected": line.text != line.engine_text,
        "low": is_low(line.confidence, line.text != line.engine_text),
    }


def conflict_json(conflict: corrections.Conflict, mine: str) -> dict:
    return {
        "id": conflict.line_id,
        "text": conflict.text,
        "version": conflict.version,
        "token": token(conflict.version, conflict.text),
        "by": conflict.corrected_by,
        "at": conflict.corrected_at.isoformat() if conflict.corrected_at else "",
        "mine": mine,
    }


class ReviewViews:
    """The screen and its endpoints, mounted under ``PageAdmin.get_urls()``."""

    def __init__(self, model_admin):
        self.model_admin = model_admin
        self.site = model_admin.admin_site

    def urls(self):
        wrap = self.site.admin_view
        return [
            path("<int:object_id>/review/", wrap(self.screen), name="books_page_review"),
            path("<int:object_id>/review/save/", wrap(self.save), name="books_page_review_save"),
            path("<int:object_id>/review/image/", wrap(self.image), name="books_page_image"),
            path("<int:object_id>/review/scan/", wrap(self.scan), name="books_page_scan"),
            path("<int:object_id>/review/add/", wrap(self.add), name="books_page_line_add"),
            path(
                "<int:object_id>/review/reviewed/",
                wrap(self.reviewed),
                name="books_page_reviewed",
            ),
            path(
                "<int:object_id>/review/regions/<int:region_id>/move/",
                wrap(self.move_region),
                name="books_page_region_move",
            ),
            path(
                "<int:object_id>/review/characters/",
                wrap(self.characters),
                name="books_page_characters",
            ),
            path(
                "<int:object_id>/review/versions/<int:version_id>/restore/",
                wrap(self.restore),
                name="books_page_version_restore",
            ),
            path(
                "<int:object_id>/review/line/<int:line_id>/",
                wrap(self.line),
                name="books_page_line",
            ),
        ]

    # --- the screen ------------------------------------------------------------------------

    def screen(self, request, object_id):
        require(request, *PERM_VIEW)
        if request.method == "POST":
            return self.form_post(request, object_id)
        return self.render(request, load_page(object_id), {})

    def render(self, request, page: Page, overrides: dict, status: int = 200):
        context = {
            **self.site.each_context(request),
            **screen_context(request, page, overrides),
            "opts": Page._meta,
            "is_nav_sidebar_enabled": False,
        }
        return TemplateResponse(request, "admin/ocr/review.html", context, status=status)

    def form_post(self, request, object_id):
        """The screen without JavaScript: save the changed lines, then go where asked."""
        page = load_page(object_id)
        edits = []
        for key, seen in request.POST.items():
            if not (key.startswith("v") and key[1:].isdigit()) or "." not in seen:
                continue
            text = request.POST.get(f"t{key[1:]}")
            version = seen.partition(".")[0]
            if text is None or not version.isdigit():
                continue
            if token(int(version), text) != seen:  # changed by the corrector
                edits.append((int(key[1:]), text, int(version)))
        action = request.POST.get("_action", "save")
        if edits:
            require(request, PERM_EDIT)
        if action in ("reviewed", "unreview"):
            require(request, PERM_REVIEW)
        result = corrections.save_lines(edits, request.user, page_id=page.pk)
        if not result.ok:
            overrides = {
                conflict.line_id: {"text": mine, "conflict": conflict}
                for conflict, mine in result.conflicts
            }
            for line_id in result.gone:
                messages.error(request, corrections.LineGone(line_id))
            if result.conflicts:
                messages.error(
                    request,
                    f"{len(result.conflicts)} line(s) were changed by someone else meanwhile: "
                    "their text is shown under yours. Save again to keep yours.",
                )
            return self.render(request, page, overrides, status=409)
        if result.saved:
            messages.success(request, f"{len(result.saved)} line(s) saved.")
        if action in ("reviewed", "unreview"):
            reviewed = action == "reviewed"
            try:
                corrections.mark_reviewed(page.pk, request.user, reviewed=reviewed)
                messages.success(
                    request, "Page marked reviewed." if reviewed else "Review mark taken back."
                )
            except corrections.PageNotReviewable as error:
                messages.error(request, str(error))
        previous, following = review_queue.neighbours(page)
        target = {"save_next": following, "save_prev": previous}.get(action) or page.pk
        return HttpResponseRedirect(review_url(target))

    # --- JSON and form endpoints ---------------------------------------------------------------

    def save(self, request, object_id):
        require_post(request)
        require(request, PERM_EDIT)
        page_id = int(object_id)
        try:
            body = json.loads(request.body or b"{}")
            edits = [(int(e["id"]), str(e["text"]), int(e["version"])) for e in body["lines"]]
        except (ValueError, KeyError, TypeError):
            return JsonResponse({"error": "Expected {lines: [{id, text, version}]}."}, status=400)
        result = corrections.save_lines(edits, request.user, page_id=page_id)
        return JsonResponse(
            {
                "saved": [line_json(line) for line in result.saved],
                "conflicts": [conflict_json(c, mine) for c, mine in result.conflicts],
                "gone": result.gone,
                "counts": counts(page_id),
            },
            status=200 if result.ok else 409,
        )

    def reviewed(self, request, object_id):
        require_post(request)
        require(request, PERM_REVIEW)
        page = load_page(object_id)
        reviewed = request.POST.get("reviewed", "1") != "0"
        try:
            status = corrections.mark_reviewed(page.pk, request.user, reviewed=reviewed)
        except corrections.PageNotReviewable as error:
            return refused(request, error, page.pk)
        if wants_json(request):
            return JsonResponse({"status": status})
        messages.success(request, "Page marked reviewed." if reviewed else "Review mark removed.")
        return HttpResponseRedirect(review_url(page.pk))

    def move_region(self, request, object_id, region_id):
        """Move a layout region (with its lines) in the page's reading order."""
        require_post(request)
        require(request, *PERM_VIEW, PERM_EDIT)
        page = load_page(object_id)
        try:
            after, seen = int(request.POST["after"]), int(request.POST["order"])
            region_order.move_region(page.pk, region_id, after, seen, request.user)
        except (KeyError, ValueError):
            return JsonResponse({"error": "Expected after and order."}, status=400)
        except corrections.CorrectionError as error:
            return refused(request, error, page.pk)
        if wants_json(request):
            return JsonResponse({"url": review_url(page.pk)})
        messages.success(request, _("Region moved: its lines are read in its new place."))
        return HttpResponseRedirect(review_url(page.pk))

    def characters(self, request, object_id):
        """The character picker: variants of ``c``, and the characters used in the book
        (``q``: only the variant family of that character; else those of ``c``)."""
        require(request, *PERM_VIEW)
        page = load_page(object_id)
        character = request.GET.get("c", "")[:2]
        query = request.GET.get("q", character)[:16]
        texts = TextLine.objects.filter(page__volume__book_id=page.volume.book_id)
        used = variants.used_characters(texts.values_list("text", flat=True).iterator(), query)
        return JsonResponse(
            {
                "char": character,
                "variants": variants.variants(character) if len(character) == 1 else [],
                "used": used,
            }
        )

    def restore(self, request, object_id, version_id):
        """Make an earlier text of the page its text again (the replaced one is kept)."""
        require_post(request)
        require(request, *PERM_VIEW, *page_versions.RESTORE_PERMISSIONS)
        page = load_page(object_id)
        try:
            page_versions.restore(page.pk, version_id, request.user)
        except corrections.CorrectionError as error:
            return refused(request, error, page.pk)
        if wants_json(request):
            return JsonResponse({"url": review_url(page.pk), "counts": counts(page.pk)})
        messages.success(
            request,
            _("Earlier version restored. The text it replaced is kept as the newest version."),
        )
        return HttpResponseRedirect(review_url(page.pk))

    def add(self, request, object_id):
        require_post(request)
        require(request, PERM_ADD)
        page = load_page(object_id)
        try:
            body = json.loads(request.body or b"{}")
            box = corrections.Box(*(int(body[key]) for key in ("x0", "y0", "x1", "y1")))
            after = body.get("after")
            line = line_structure.add_line(
                page.pk,
                box,
                str(body.get("text", "")),
                request.user,
                after=int(after) if after is not None else None,
            )
        except (ValueError, KeyError, TypeError):
            return JsonResponse({"error": "Expected {x0, y0, x1, y1, text, after}."}, status=400)
        except corrections.CorrectionError as error:
            return JsonResponse({"error": str(error)}, status=409)
        after_id = (
            TextLine.objects.filter(page=page, order__lt=line.order)
            .order_by("-order")
            .values_list("pk", flat=True)
            .first()
        )
        return JsonResponse(
            {
                "line": {**line_json(line), "points": line.polygon, "after_id": after_id or 0},
                "counts": counts(page.pk),
            }
        )

    def line(self, request, object_id, line_id):
        """One line's history, with "revert to engine text" and "delete" (form or JSON)."""
        require(request, *PERM_VIEW)
        page = load_page(object_id)
        if request.method == "POST":
            return self.line_action(request, page, line_id)
        line = TextLine.objects.filter(pk=line_id, page=page).first()
        if line is None:
            raise Http404("No such line: deleted, or the page was recognized again")
        history = (
            LineRevision.objects.filter(line_id=line_id)
            .select_related("user")
            .order_by("-created_at", "-id")
        )
        if wants_json(request):
            return JsonResponse(
                {
                    "line": line_json(line) | {"engine_text": line.engine_text},
                    "history": [
                        {
                            "action": revision.get_action_display(),
                            "before": revision.text_before,
                            "after": revision.text_after,
                            "by": str(revision.user) if revision.user_id else "",
                            "at": revision.created_at.isoformat(),
                        }
                        for revision in history
                    ],
                    "can_edit": request.user.has_perm(PERM_EDIT),
                    "can_delete": request.user.has_perm(PERM_DELETE),
                }
            )
        context = {
            **self.site.each_context(request),
            "opts": Page._meta,
            "page": page,
            "line": line,
            "history": history,
            "title": f"Line {line.order} of {page}",
            "review_url": review_url(page.pk),
            "can_edit": request.user.has_perm(PERM_EDIT),
            "can_delete": request.user.has_perm(PERM_DELETE),
        }
        return TemplateResponse(request, "admin/ocr/line_history.html", context)

    # POST action= on a line: the permissions it needs (the API's for the same act).
    LINE_ACTION_PERMS = {
        "delete": (PERM_DELETE,),
        "revert": (PERM_EDIT,),
        "move": (PERM_EDIT,),
        "split": (PERM_EDIT, PERM_ADD),
        "merge": (PERM_EDIT,),
    }

    def line_action(self, request, page, line_id):
        action = request.POST.get("action")
        require(request, *self.LINE_ACTION_PERMS.get(action, (PERM_EDIT,)))
        post, user = request.POST, request.user
        try:
            version = int(post.get("version", ""))
            if action == "delete":
                line_structure.delete_line(line_id, version, user, page_id=page.pk)
                result, note = {"deleted": line_id}, _("Line deleted (kept in the history).")
            elif action == "revert":
                line = corrections.revert_to_engine(line_id, version, user, page_id=page.pk)
                result, note = {"line": line_json(line)}, _("Line reverted to the engine's text.")
            elif action == "move":
                after = int(post["after"])
                line = line_structure.move_line(line_id, version, after, user, page_id=page.pk)
                result, note = {"line": line_json(line)}, _("Line moved.")
            elif action == "split":
                at = int(post["at"])
                parts = line_structure.split_line(line_id, version, at, user, page_id=page.pk)
                result = {"lines": [line_json(part) for part in parts]}
                note = _("Line split in two.")
            elif action == "merge":
                other, other_version = int(post["with"]), int(post["with_version"])
                line = line_structure.merge_lines(
                    line_id, version, other, other_version, user, page_id=page.pk
                )
                result, note = {"line": line_json(line)}, _("Lines merged.")
            else:
                raise ValueError(action)
        except (ValueError, KeyError):
            return JsonResponse({"error": "Expected action and version."}, status=400)
        except corrections.Conflict as conflict:
            if wants_json(request):
                return JsonResponse({"conflict": conflict_json(conflict, "")}, status=409)
            messages.error(request, f"{conflict} Look at it again before you act.")
            return HttpResponseRedirect(request.path)
        except corrections.CorrectionError as error:  # the line is gone, or the act refused
            return refused(request, error, page.pk)
        if wants_json(request):
            return JsonResponse({**result, "counts": counts(page.pk)})
        messages.success(request, note)
        back = request.POST.get("next") or review_url(page.pk)
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
            back = review_url(page.pk)
        return HttpResponseRedirect(back)

    def image(self, request, object_id):
        """The page image at display size (made once, then served from storage)."""
        require(request, *PERM_VIEW)
        page = load_page(object_id)
        if not page.image:
            raise Http404("The page has no image")
        try:
            name = display.ensure_display_image(page)
            response = FileResponse(default_storage.open(name, "rb"))
        except FileNotFoundError:
            raise Http404("The page image is missing from storage") from None
        response["Cache-Control"] = "private, max-age=86400"
        return response

    def scan(self, request, object_id):
        """The full scan, for zooming past the display image."""
        require(request, *PERM_VIEW)
        page = load_page(object_id)
        try:
            response = FileResponse(page.image.open("rb"))
        except (FileNotFoundError, ValueError):
            raise Http404("The page image is missing from storage") from None
        response["Cache-Control"] = "private, max-age=86400"
        return response


class QueueView:
    """From a book or volume: "Review" opens the first page not yet reviewed.

    ``?order=confidence`` takes the pages with the lowest mean line confidence first;
    ``?after=PAGE`` goes on from that page (the screen's "next to review" link).
    """

    def __init__(self, model_admin, scope: str):
        self.model_admin, self.scope = model_admin, scope

    def urls(self):
        name = f"books_{self.scope}_review"
        wrap = self.model_admin.admin_site.admin_view
        return [path("<int:object_id>/review/", wrap(self.view), name=name)]

    def view(self, request, object_id):
        require(request, *PERM_VIEW)
        obj = self.model_admin.get_object(request, object_id)
        if obj is None:
            raise Http404(f"No such {self.scope}")
        order = request.GET.get("order", review_queue.BOOK_ORDER)
        if order not in review_queue.ORDERS:
            order = review_queue.BOOK_ORDER
        queue = review_queue.to_review(**{self.scope: obj, "order": order})
        after = request.GET.get("after", "")
        target = review_queue.next_to_review(queue, int(after) if after.isdigit() else None)
        if target is None:
            messages.info(request, f"Every recognized page of {obj} is reviewed.")
            meta = obj._meta
            return HttpResponseRedirect(
                reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            )
        return HttpResponseRedirect(review_url(target, order=order if order != "book" else ""))
