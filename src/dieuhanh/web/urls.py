from django.contrib.auth import views as auth_views
from django.urls import path

from dieuhanh.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("don-vi/", views.unit_list, name="unit_list"),
    path("don-vi/<str:code>/", views.unit_detail, name="unit_detail"),
    path("nhat-ky/", views.audit_log, name="audit_log"),
]
