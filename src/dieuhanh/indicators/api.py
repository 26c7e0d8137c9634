# ninja resolves annotations at run time: no `from __future__ import annotations` here.
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from dieuhanh.accounts.models import User
from dieuhanh.core.errors import UserError
from dieuhanh.indicators.exports import records_response
from dieuhanh.indicators.selectors import (
    MAX_EXPORT_ROWS,
    indicator_get,
    indicator_list,
    indicator_records,
    indicator_values_for,
    stored_as_dict,
)

router = Router()


class IndicatorOut(Schema):
    code: str
    pack: str
    kind: str
    name_vi: str
    name_en: str
    description_vi: str
    description_en: str
    unit: str
    decimals: int
    direction: str
    regimes: list[str]
    legal_basis: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    confidence: str
    null_reason: dict[str, str] | None
    components: list[dict[str, Any]]

    @staticmethod
    def resolve_legal_basis(obj: Any) -> list[dict[str, Any]]:
        return list(obj.labels.get("legal_basis", []))

    @staticmethod
    def resolve_targets(obj: Any) -> list[dict[str, Any]]:
        return list(obj.labels.get("targets", []))

    @staticmethod
    def resolve_confidence(obj: Any) -> str:
        return str(obj.labels.get("confidence", ""))

    @staticmethod
    def resolve_null_reason(obj: Any) -> dict[str, str] | None:
        return obj.labels.get("null_reason")  # type: ignore[no-any-return]

    @staticmethod
    def resolve_components(obj: Any) -> list[dict[str, Any]]:
        return list(obj.labels.get("components", []))


class ValueOut(Schema):
    indicator: str
    unit: str
    period: str
    regime: str
    numerator: float | None
    denominator: float | None
    value: float | None
    value_exact: float | None
    display: dict[str, str]
    unit_of_measure: str
    reason: str
    reason_text: dict[str, str] | None
    target: float | None
    target_source: str
    status: str
    rank: int | None
    rank_of: int | None
    components: dict[str, float | None]
    computed_at: str | None
    lake_versions: dict[str, int]


class RecordsOut(Schema):
    indicator: str
    unit: str
    period: str
    part: str
    total: int
    limit: int
    offset: int
    columns: list[str]
    rows: list[list[Any]]
    shares: dict[str, float]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@router.get("", response=list[IndicatorOut], summary="Indicator definitions")
def list_indicators(request: HttpRequest, pack: str = "") -> Any:
    return list(indicator_list(pack=pack))


@router.get("/{code}", response=IndicatorOut, summary="One indicator definition")
def get_indicator(request: HttpRequest, code: str) -> Any:
    return indicator_get(code=code)


@router.get(
    "/{code}/values",
    response=list[ValueOut],
    summary="Computed values of an indicator in the caller's subtree",
    description="Filter by `unit` (code), `period` (key such as 2025Q3, R09-2025M07) or `regime`.",
)
def list_values(
    request: HttpRequest, code: str, unit: str = "", period: str = "", regime: str = "", limit: int = 1000,
    offset: int = 0,
) -> Any:  # fmt: skip
    indicator_get(code=code)
    limit = max(1, min(limit, 10_000))
    qs = indicator_values_for(user=_user(request), code=code, unit=unit, period=period, regime=regime)
    return [stored_as_dict(v) for v in qs[offset : offset + limit]]


@router.get(
    "/{code}/records",
    response=RecordsOut,
    summary="The records behind a figure (drill-down)",
    description="`part` = numerator or denominator. Add `format=csv` or `format=xlsx` to download them all.",
)
def list_records(
    request: HttpRequest, code: str, unit: str, period: str, part: str = "numerator", limit: int = 50,
    offset: int = 0, format: str = "",
) -> Any:  # fmt: skip
    if format and format not in ("csv", "xlsx"):
        raise UserError("export.format", "format: csv hoặc xlsx.", "format must be csv or xlsx.")
    if format:
        limit, offset = MAX_EXPORT_ROWS, 0
    page = indicator_records(user=_user(request), code=code, unit_code=unit, period_key=period, part=part,
                             limit=limit, offset=offset)  # fmt: skip
    if format:
        response: HttpResponse = records_response(page, format)
        return response
    return {
        "indicator": page.indicator, "unit": page.unit, "period": page.period, "part": page.part,
        "total": page.total, "limit": page.limit, "offset": page.offset, "columns": page.columns,
        "rows": [list(r) for r in page.rows], "shares": page.shares,
    }  # fmt: skip
