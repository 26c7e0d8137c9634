from django.urls import path

from dieuhanh.environment import views

app_name = "environment"

urlpatterns = [
    path("truc-tiep/", views.live, name="live"),
]
