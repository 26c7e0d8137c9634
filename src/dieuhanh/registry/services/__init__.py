"""Writes to the registry. Each service checks rights, validates, then writes with its audit rows."""

from dieuhanh.registry.services.dossiers import (
    dossier_appraise,
    dossier_approve,
    dossier_create,
    dossier_record_approval,
    dossier_return,
    dossier_submit,
    dossier_update,
)
from dieuhanh.registry.services.feed import (
    PublishResult,
    registry_figures_changed,
    registry_figures_publish,
    registry_figures_schedule,
)
from dieuhanh.registry.services.imports import ImportResult, system_import
from dieuhanh.registry.services.network import (
    connection_save,
    national_system_save,
    platform_save,
    security_unit_assign,
)
from dieuhanh.registry.services.systems import system_create, system_next_code, system_update
from dieuhanh.registry.services.timelines import (
    IOC_PROGRAMME,
    MilestoneSpec,
    ioc_save,
    milestone_report,
    timeline_register,
)

__all__ = [
    "IOC_PROGRAMME",
    "ImportResult",
    "MilestoneSpec",
    "PublishResult",
    "connection_save",
    "dossier_appraise",
    "dossier_approve",
    "dossier_create",
    "dossier_record_approval",
    "dossier_return",
    "dossier_submit",
    "dossier_update",
    "ioc_save",
    "milestone_report",
    "national_system_save",
    "platform_save",
    "registry_figures_changed",
    "registry_figures_publish",
    "registry_figures_schedule",
    "security_unit_assign",
    "system_create",
    "system_import",
    "system_next_code",
    "system_update",
    "timeline_register",
]
