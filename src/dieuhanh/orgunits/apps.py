from django.apps import AppConfig


class OrgUnitsConfig(AppConfig):
    name = "dieuhanh.orgunits"
    label = "orgunits"
    verbose_name = "Đơn vị"
