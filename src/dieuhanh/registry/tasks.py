"""The registry's figures into the lake as a django-tasks task (database backend; `dieuhanh db_worker`)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from dieuhanh.registry.services.feed import registry_figures_publish


@task()
def registry_figures_task() -> dict[str, Any]:
    """Publish the registry's figures for the current periods and refresh their indicators."""
    return registry_figures_publish().as_dict()
