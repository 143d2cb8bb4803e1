"""URL map: the admin for people, /api/v1/ for integrations (schema and docs under /api/);
media is served in DEBUG only."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path, register_converter
from django.urls.converters import IntConverter
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from books.api import BookViewSet, PageViewSet, VolumeViewSet
from config.api import not_found as api_not_found
from exports import api as exports_api
from ocr import api as ocr_api
from ops import views as ops_views
from search import api as search_api
from search.admin_views import search_page


class IdConverter(IntConverter):
    """A database id: at most 18 digits, so a longer number is a 404, not an overflow."""

    regex = "[0-9]{1,18}"


register_converter(IdConverter, "id")

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("books", BookViewSet, basename="book")
router.register("volumes", VolumeViewSet, basename="volume")
router.register("pages", PageViewSet, basename="page")

api_v1 = [
    path("", include(router.urls)),
    path("pages/<id:pk>/lines/", ocr_api.PageLinesView.as_view(), name="page-lines"),
    path("pages/<id:pk>/text", ocr_api.PageTextView.as_view(), name="page-text"),
    path("pages/<id:pk>/review/", ocr_api.PageReviewView.as_view(), name="page-review"),
    path("pages/<id:pk>/regions/", ocr_api.PageRegionsView.as_view(), name="page-regions"),
    path(
        "pages/<id:pk>/regions/<id:region>/move",
        ocr_api.RegionMoveView.as_view(),
        name="page-region-move",
    ),
    path("pages/<id:pk>/versions/", ocr_api.PageVersionsView.as_view(), name="page-versions"),
    path(
        "pages/<id:pk>/versions/<id:version>/",
        ocr_api.PageVersionView.as_view(),
        name="page-version",
    ),
    path(
        "pages/<id:pk>/versions/<id:version>/restore",
        ocr_api.RestoreVersionView.as_view(),
        name="page-version-restore",
    ),
    path("lines/<id:pk>/", ocr_api.LineView.as_view(), name="line-detail"),
    path("lines/<id:pk>/move", ocr_api.LineMoveView.as_view(), name="line-move"),
    path("lines/<id:pk>/split", ocr_api.LineSplitView.as_view(), name="line-split"),
    path("lines/<id:pk>/merge", ocr_api.LineMergeView.as_view(), name="line-merge"),
    path("recognize", ocr_api.RecognizeView.as_view(), name="recognize"),
    path("search/", search_api.SearchView.as_view(), name="search"),
    path("exports/", exports_api.ExportListView.as_view(), name="export-list"),
    path("exports/<id:pk>/", exports_api.ExportDetailView.as_view(), name="export-detail"),
    path(
        "exports/<id:pk>/download",
        exports_api.ExportDownloadView.as_view(),
        name="export-download",
    ),
]

admin.site.site_header = "Digitization platform"
admin.site.site_title = "Digitization"
admin.site.index_title = "Catalogue and recognition"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/search/", admin.site.admin_view(search_page), name="admin-search"),
    path("admin/", admin.site.urls),
    # The review screen's messages in the admin's language (locale/*/djangojs.po).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/", api_not_found),
    # Also answered by ops.views.OpsMiddleware before host checks; listed here for reverse().
    path("health/live", ops_views.live, name="health-live"),
    path("health/ready", ops_views.ready, name="health-ready"),
    path("metrics", ops_views.metrics, name="metrics"),
    path("exports/", include("exports.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
