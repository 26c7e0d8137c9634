from django.contrib import admin
from django.urls import include, path

from dieuhanh.api import api

admin.site.site_header = "dieuhanh — quản trị"
admin.site.site_title = "dieuhanh"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    path("api/v1/", api.urls),
    path("du-lieu/", include("dieuhanh.ingest.urls")),
    path("chi-so/", include("dieuhanh.indicators.urls")),
    path("chi-dao/", include("dieuhanh.steering.urls")),
    path("chinh-quyen-so/", include("dieuhanh.registry.urls")),
    path("bao-cao/", include("dieuhanh.reporting.urls")),
    path("moi-truong/", include("dieuhanh.environment.urls")),
    path("", include("dieuhanh.dashboards.urls")),
    path("", include("dieuhanh.web.urls")),
]
