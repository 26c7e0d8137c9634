from django.urls import path

from dieuhanh.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("tong-quan/", views.overview, name="overview"),
    path("linh-vuc/<str:code>/", views.sector, name="sector"),
    path("man-hinh/", views.wall, name="wall"),
    path("ban-do/<str:code>.geojson", views.geometry, name="geometry"),
]
