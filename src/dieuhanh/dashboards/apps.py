from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dieuhanh.dashboards"
    label = "dashboards"
    verbose_name = "Trung tâm điều hành"
