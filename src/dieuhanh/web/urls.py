from django.contrib.auth import views as auth_views
from django.urls import path

from dieuhanh.dashboards import views as dashboard_views
from dieuhanh.web import views

app_name = "web"

urlpatterns = [
    # The home page is the IOC overview of the user's unit.
    path("", dashboard_views.overview, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("don-vi/", views.unit_list, name="unit_list"),
    path("don-vi/<str:code>/", views.unit_detail, name="unit_detail"),
    path("nhat-ky/", views.audit_log, name="audit_log"),
    path("healthz", views.healthz, name="healthz"),
]
