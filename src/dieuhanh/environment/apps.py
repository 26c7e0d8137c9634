from django.apps import AppConfig


class EnvironmentConfig(AppConfig):
    name = "dieuhanh.environment"
    label = "environment"
    verbose_name = "Môi trường / Environment"

    def ready(self) -> None:
        from dieuhanh.environment.checks import ObservationChecks, fill_units
        from dieuhanh.environment.services import aqi_after_batch
        from dieuhanh.ingest import hooks

        hooks.register_checks("observations", lambda channel: ObservationChecks(channel=channel))
        hooks.register_record_filler("observations", fill_units)
        hooks.register_after_batch("observations", aqi_after_batch)
