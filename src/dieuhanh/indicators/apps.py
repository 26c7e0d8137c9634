from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "dieuhanh.indicators"
    verbose_name = "Chỉ số / Indicators"
    default_auto_field = "django.db.models.BigAutoField"
