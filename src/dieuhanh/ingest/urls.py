from django.urls import path

from dieuhanh.ingest import views

app_name = "ingest"

urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("lich-su/", views.lake_history_page, name="lake_history"),
    path("lo/<str:batch_id>/", views.batch_detail, name="batch_detail"),
    path("lo/<str:batch_id>/tu-choi.xlsx", views.rejected_xlsx, name="rejected_xlsx"),
]
