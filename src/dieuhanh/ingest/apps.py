from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "dieuhanh.ingest"
    label = "ingest"
    verbose_name = "Dữ liệu vào"
