from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "dieuhanh.registry"
    label = "registry"
    verbose_name = "Sổ đăng ký chính quyền số"
