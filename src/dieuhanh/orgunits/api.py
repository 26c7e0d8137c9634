from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from dieuhanh.accounts.models import User
from dieuhanh.accounts.scoping import in_scope, restrict
from dieuhanh.core.errors import NotFound
from dieuhanh.orgunits.models import OrgUnit

router = Router()


class UnitOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str
    parent: str | None
    valid_from: date | None
    valid_to: date | None


def _out(u: OrgUnit) -> UnitOut:
    return UnitOut(
        code=u.code,
        name=u.name,
        name_en=u.name_en,
        kind=u.kind,
        parent=u.parent.code if u.parent else None,
        valid_from=u.valid_from,
        valid_to=u.valid_to,
    )


@router.get("", response=list[UnitOut], summary="Units of the caller's subtree")
def list_units(
    request: HttpRequest, parent: str | None = None, kind: str | None = None, on: date | None = None
) -> list[UnitOut]:
    user = request.user
    assert isinstance(user, User)
    base = OrgUnit.objects.select_related("parent")
    qs = restrict(base.valid_on(on) if on else base, user, unit_field="self")
    if parent:
        qs = qs.filter(parent__code=parent)
    if kind:
        qs = qs.filter(kind=kind)
    return [_out(u) for u in qs.order_by("code")]


@router.get("/{code}", response=UnitOut, summary="One unit")
def get_unit(request: HttpRequest, code: str) -> UnitOut:
    user = request.user
    assert isinstance(user, User)
    unit = OrgUnit.objects.select_related("parent").filter(code=code).first()
    if unit is None or not in_scope(user, unit):
        raise NotFound("unit.not_found", f"Không có đơn vị mã {code}.", f"No unit with code {code}.")
    return _out(unit)
