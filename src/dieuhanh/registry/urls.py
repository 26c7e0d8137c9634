from django.urls import path

from dieuhanh.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.home, name="home"),
    path("he-thong/", views.system_list, name="system_list"),
    path("he-thong/them/", views.system_edit, name="system_add"),
    path("he-thong/nhap/", views.system_import, name="system_import"),
    path("he-thong/<str:code>/", views.system_detail, name="system_detail"),
    path("he-thong/<str:code>/sua/", views.system_edit, name="system_edit"),
    path("he-thong/<str:code>/ho-so/<str:step>/", views.dossier_step, name="dossier_step"),
    path("nen-tang/", views.network, name="network"),
    path("ioc/", views.iocs, name="iocs"),
]
