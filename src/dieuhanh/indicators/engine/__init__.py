"""The indicator engine: definitions as data, compiled to SQL, run on DuckDB (or Spark).

Imports no Django (an import-linter contract checks it). The public API:

* :func:`load_catalog` — packs of YAML → a :class:`Catalog` of frozen :class:`Definition`
  objects, refusing bad ones with file, line and reason (:class:`DefinitionProblem`);
* :class:`UnitContext` — the unit tree (levels, closure, lineage with shares) as plain data;
* :class:`Engine` — ``plan()`` (SQL), ``compute(lake)`` / ``run_duckdb(con)`` → a
  :class:`ComputeResult` of :class:`Value` rows (numerator, denominator, value, target, status,
  rank);
* :func:`affected_periods` — the periods a change of records touches (incremental recompute);
* :func:`drill_sql` — the records behind a figure;
* :func:`format_value` — ``21,8%`` / ``21.8%``;
* :mod:`.spark` — the same plan on PySpark.
"""

from .compiler import Plan, Step
from .context import UnitContext, UnitInfo
from .drill import drill_sql
from .errors import DefinitionError, DefinitionProblem, EngineError
from .executor import DEFAULT_REGIMES, ComputeResult, Engine
from .fmt import format_number, format_value
from .incremental import affected_periods, changed_rows
from .loader import PACKS_DIR, load_catalog
from .model import Catalog, Component, Definition, Rule, Target, Text
from .results import Value, missing_components, reason_text

__all__ = [
    "DEFAULT_REGIMES",
    "PACKS_DIR",
    "Catalog",
    "Component",
    "ComputeResult",
    "Definition",
    "DefinitionError",
    "DefinitionProblem",
    "Engine",
    "EngineError",
    "Plan",
    "Rule",
    "Step",
    "Target",
    "Text",
    "UnitContext",
    "UnitInfo",
    "Value",
    "affected_periods",
    "changed_rows",
    "drill_sql",
    "format_number",
    "format_value",
    "load_catalog",
    "missing_components",
    "reason_text",
]
