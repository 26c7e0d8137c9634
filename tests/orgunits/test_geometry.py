"""Boundaries for maps: the shipped GeoJSON of Lâm Đồng's communes onto the national list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import dieuhanh.orgunits
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import UserError
from dieuhanh.orgunits.models import OrgUnitGeometry
from dieuhanh.orgunits.readers import read_geojson, units_from_national_list
from dieuhanh.orgunits.services import orgunit_geometry_import, orgunit_import

pytestmark = pytest.mark.django_db
DATA = Path(dieuhanh.orgunits.__file__).parent / "data"


def test_every_commune_gets_its_boundary_and_the_code_mismatch_is_reported(actor: Actor) -> None:
    orgunit_import(actor=actor, units=units_from_national_list("68"), source="vietnam-provinces")
    result = orgunit_geometry_import(actor=actor, features=read_geojson(DATA / "lam_dong_68_communes.geojson"),
                                     source="lam_dong_68_communes.geojson", attribution="NXB TN-MT&BĐ")  # fmt: skip
    assert (result.matched, result.created, result.unmatched) == (124, 124, [])
    # The boundaries' file and the package disagree on one code (shared/geo/README.md): matched by name.
    assert result.by_name == [("23095", "23098", "Xã Hàm Liêm")]
    assert OrgUnitGeometry.objects.count() == 124
    geometry = OrgUnitGeometry.objects.get(unit__code="24781").geojson
    assert geometry["type"] in ("Polygon", "MultiPolygon")
    again = orgunit_geometry_import(actor=actor, features=read_geojson(DATA / "lam_dong_68_communes.geojson"),
                                    source="lam_dong_68_communes.geojson", attribution="NXB TN-MT&BĐ")  # fmt: skip
    assert (again.created, again.updated, again.unchanged) == (0, 0, 124)


def test_unknown_features_are_reported_not_dropped_silently(
    actor: Actor, province: dict[str, object]
) -> None:
    features = [
        {"type": "Feature", "id": "24781", "properties": {"code": "24781", "name": "Xuân Hương"},
         "geometry": {"type": "Point", "coordinates": [108.44, 11.94]}},
        {"type": "Feature", "id": "99999", "properties": {"code": "99999", "name": "Xã Không Có"},
         "geometry": {"type": "Point", "coordinates": [108.0, 11.0]}},
    ]  # fmt: skip
    result = orgunit_geometry_import(actor=actor, features=features, source="t")
    assert result.matched == 1 and result.unmatched == [("99999", "Xã Không Có")]


def test_bad_geojson_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.geojson"
    bad.write_text(json.dumps({"type": "Feature"}), encoding="utf-8")
    with pytest.raises(UserError) as err:
        read_geojson(bad)
    assert err.value.code == "geo.bad_layout"
    with pytest.raises(UserError) as err:
        read_geojson(tmp_path / "absent.geojson")
    assert err.value.code == "file.unreadable"
