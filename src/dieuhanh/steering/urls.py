from django.urls import path

from dieuhanh.steering import views, views_lists, views_milestones

app_name = "steering"

urlpatterns = [
    path("", views.directive_list, name="directive_list"),
    path("van-ban/<int:pk>/", views.directive_detail, name="directive_detail"),
    path("van-ban/<int:pk>/tep/", views.directive_file, name="directive_file"),
    path("van-ban/<int:pk>/dinh-kem/", views.directive_upload, name="directive_upload"),
    path("van-ban/<int:pk>/nhap/", views.directive_import, name="directive_import"),
    path("van-ban/<int:pk>/nhiem-vu-moi/", views.task_new, name="task_new"),
    path("nhiem-vu/<int:pk>/", views.task_detail, name="task_detail"),
    path("nhiem-vu/<int:pk>/sua/", views.task_edit, name="task_edit"),
    path("ky/<int:pk>/bao-cao/", views.report_new, name="report_new"),
    path("ky/<int:pk>/gia-han/", views.extension_new, name="extension_new"),
    path("gia-han/<int:pk>/quyet-dinh/", views.extension_decision, name="extension_decision"),
    path("tep/<int:pk>/", views.attachment, name="attachment"),
    path("cua-don-vi/", views_lists.my_tasks, name="my_tasks"),
    path("qua-han/", views_lists.overdue, name="overdue"),
    path("so-lieu/", views_lists.figures, name="figures"),
    path("moc-tien-do/", views_milestones.milestones, name="milestones"),
    path("moc-tien-do/<int:pk>/<int:position>/", views_milestones.milestone_update, name="milestone_update"),
]
