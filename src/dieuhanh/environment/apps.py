from django.apps import AppConfig


class EnvironmentConfig(AppConfig):
    name = "dieuhanh.environment"
    label = "environment"
    verbose_name = "Môi trường / Environment"
