from django.apps import AppConfig


class SteeringConfig(AppConfig):
    name = "dieuhanh.steering"
    label = "steering"
    verbose_name = "Chỉ đạo, điều hành"
