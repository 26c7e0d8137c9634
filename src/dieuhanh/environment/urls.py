from django.urls import path

from dieuhanh.environment import views

app_name = "environment"

urlpatterns = [
    path("truc-tiep/", views.live, name="live"),
    path("nguong-canh-bao/", views.rules, name="rules"),
    path("nguong-canh-bao/<int:pk>/", views.rules, name="rule"),
]
