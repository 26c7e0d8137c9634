"""Writes of steering: directives, tasks, their occurrences, progress reports and extensions.

Every service checks rights first (`accounts.scoping.require`; a system actor, the CLI or the
scheduler, has no user and is trusted), validates its whole input, then writes inside one
transaction with its audit rows. Rights:

- the issuing level (manager or above in the subtree of the directive's issuer) creates
  directives and tasks, edits tasks and decides deadline extensions;
- the lead unit (officer or above in the lead unit's subtree) reports progress and asks for
  extensions.

`at` / `today` parameters exist for imports of past records, the demo and tests; pages and the
API never pass them.
"""

from dieuhanh.steering.services.common import (
    ALLOWED_SUFFIXES,
    MAX_FILE_BYTES,
    MAX_FILES,
    ImportCounts,
    TaskSpec,
    Upload,
    check_uploads,
    task_spec_problems,
)
from dieuhanh.steering.services.imports import UnitIndex, directive_for_import, task_import
from dieuhanh.steering.services.progress import extension_decide, extension_request, progress_report
from dieuhanh.steering.services.tasks import (
    directive_attach,
    directive_create,
    task_create,
    task_occurrences_sync,
    task_update,
)

__all__ = [
    "ALLOWED_SUFFIXES",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "ImportCounts",
    "TaskSpec",
    "UnitIndex",
    "Upload",
    "check_uploads",
    "directive_attach",
    "directive_create",
    "directive_for_import",
    "extension_decide",
    "extension_request",
    "progress_report",
    "task_create",
    "task_import",
    "task_occurrences_sync",
    "task_spec_problems",
    "task_update",
]
