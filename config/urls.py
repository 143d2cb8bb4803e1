"""URL map: the admin is the librarians' and correctors' home; media is served in DEBUG only."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from ops import views as ops_views

admin.site.site_header = "Digitization platform"
admin.site.site_title = "Digitization"
admin.site.index_title = "Catalogue and recognition"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    # Also answered by ops.views.OpsMiddleware before host checks; listed here for reverse().
    path("health/live", ops_views.live, name="health-live"),
    path("health/ready", ops_views.ready, name="health-ready"),
    path("metrics", ops_views.metrics, name="metrics"),
    path("exports/", include("exports.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
