from django.urls import path

from dieuhanh.dashboards import views as dashboard_views
from dieuhanh.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_index, name="index"),
    # The indicator's page is the IOC's (dashboards): definition, targets, values by unit, map, trend.
    path("<str:code>/", dashboard_views.indicator, name="detail"),
    path("<str:code>/ban-ghi/", views.indicator_records_page, name="records"),
]
