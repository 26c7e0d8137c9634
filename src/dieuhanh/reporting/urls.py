from django.urls import path

from dieuhanh.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.home, name="home"),
    path("nap-bieu-mau/", views.sync, name="sync"),
    path("<str:code>/", views.form_detail, name="form"),
    path("<str:code>/<str:period>/", views.period_detail, name="period"),
    path("<str:code>/<str:period>/<str:unit>/", views.submission_page, name="submission"),
    path("<str:code>/<str:period>/<str:unit>/bieu-mau.xlsx", views.submission_xlsx, name="workbook"),
    path("<str:code>/<str:period>/<str:unit>/du-thao.<str:fmt>", views.draft_download, name="draft"),
]
