"""`dieuhanh demo [--no-serve]`: build the demo province (Lâm Đồng, GSO 68) and serve it.

Safe to run twice: every step is an idempotent import. Later modules add their own demo data
through `DEMO_STEPS`.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandParser
from django.db import transaction

import dieuhanh.orgunits
from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.services import user_create, user_set_password
from dieuhanh.audit.services import Actor
from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.environment.demo import environment_demo
from dieuhanh.orgunits.readers import read_units_file, units_from_national_list
from dieuhanh.orgunits.selectors import orgunit_get
from dieuhanh.orgunits.services import orgunit_import
from dieuhanh.registry.demo import registry_demo
from dieuhanh.registry.services import registry_figures_publish
from dieuhanh.steering.demo import steering_demo

PROVINCE = "68"
DEPARTMENTS = Path(dieuhanh.orgunits.__file__).parent / "data" / "departments_68.csv"
BOUNDARY_ATTRIBUTION = (
    "Ranh giới hành chính: NXB Tài nguyên – Môi trường và Bản đồ Việt Nam (sapnhap.bando.com.vn), "
    "qua thanglequoc/vietnamese-provinces-database (MIT)"
)


class Command(DieuhanhCommand):
    help = "Build the demo province (Lâm Đồng) on the embedded defaults, then serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="only build, do not start the server")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.monotonic()
        actor = Actor.system("demo")
        self._step(
            "Cơ sở dữ liệu / database", lambda: call_command("migrate", interactive=False, verbosity=0)
        )
        self._step(
            "Đơn vị hành chính / administrative units (vietnam-provinces)",
            lambda: orgunit_import(
                actor=actor, units=units_from_national_list(PROVINCE), source="vietnam-provinces"
            ),
        )
        units, _ = read_units_file(DEPARTMENTS)
        self._step(
            "Sở, ban, ngành / departments",
            lambda: orgunit_import(actor=actor, units=units, source=DEPARTMENTS.name, file=DEPARTMENTS.name),
        )
        self._step("Sổ đăng ký chính quyền số / digital-government registry", lambda: registry_demo(actor))
        self._step("Chỉ đạo, điều hành / steering tasks", lambda: steering_demo(actor))
        self._step("Ranh giới xã, phường / commune boundaries", self._boundaries)
        self._admin(actor)
        self._step("Trạm quan trắc môi trường / monitoring stations", lambda: environment_demo(actor))
        self._step("Dữ liệu mẫu 17 tháng / 17 months of demo records", self._records)
        self._step(
            "Số liệu sổ đăng ký vào kho dữ liệu / registry figures into the lake", self._registry_figures
        )
        self._step("Tính các chỉ số / computing the indicators", self._compute)
        self._step("Báo cáo định kỳ / periodic reports", lambda: self._reports(actor))
        self._step(
            "Tệp tĩnh / static files", lambda: call_command("collectstatic", interactive=False, verbosity=0)
        )
        self.stdout.write(f"Xong trong / built in {time.monotonic() - started:.1f} s")
        if not opts["no_serve"]:
            os.environ.setdefault("DIEUHANH_HTTPS", "0")
            call_command("serve", port=opts["port"])

    def _step(self, label: str, fn: Any) -> None:
        t0 = time.monotonic()
        result = fn()
        summary = ""
        if hasattr(result, "as_dict"):
            d = result.as_dict()
            summary = f" ({d['created']} mới/new, {d['updated']} cập nhật/updated, "
            summary += f"{d['unchanged']} không đổi/unchanged)"
        self.stdout.write(f"  ✓ {label}{summary} — {time.monotonic() - t0:.1f} s")

    def _records(self) -> Any:
        from dieuhanh.ingest.demo import demo_records

        # DIEUHANH_DEMO_SCALE (default 1) shrinks the demo volumes, e.g. 0.02 for a quick check.
        written = demo_records(scale=float(os.environ.get("DIEUHANH_DEMO_SCALE", "1")))
        self.stdout.write(
            "    ghi mới hoặc cập nhật / written: " + ", ".join(f"{t}: {n:,}" for t, n in written.items())
        )
        return None

    def _registry_figures(self) -> Any:
        result = registry_figures_publish(
            refresh=False, actor=Actor.system("demo")
        )  # computed by the next step
        self.stdout.write(f"    {result.sent:,} giá trị / values ({', '.join(result.periods)})")
        return None

    def _compute(self) -> Any:
        from dieuhanh.indicators.services import indicator_values_compute

        run = indicator_values_compute(full=True, actor=Actor.system("demo"))
        self.stdout.write(
            f"    {run.written:,} giá trị / values written, {run.unchanged:,} không đổi / unchanged"
        )
        return None

    def _reports(self, actor: Actor) -> Any:
        from dieuhanh.reporting.demo import reporting_demo

        counts = reporting_demo(actor)
        self.stdout.write(
            f"    {counts['submissions']:,} báo cáo / submissions, {counts['accepted']:,} đã duyệt / accepted"
        )
        return None

    def _boundaries(self) -> Any:
        from dieuhanh.orgunits.readers import read_geojson
        from dieuhanh.orgunits.services import orgunit_geometry_import

        path = DEPARTMENTS.parent / "lam_dong_68_communes.geojson"
        result = orgunit_geometry_import(actor=Actor.system("demo"), features=read_geojson(path), source=path.name,
                                         attribution=BOUNDARY_ATTRIBUTION)  # fmt: skip
        for file_code, code, name in result.by_name:
            self.stdout.write(
                f"    ! {name}: {file_code} (ranh giới / boundaries) ≠ {code} (danh mục / list)"
            )
        return result

    def _admin(self, actor: Actor) -> None:
        given = os.environ.get("DIEUHANH_ADMIN_PASSWORD")
        existing = User.objects.filter(username="admin").first()
        if existing is not None:
            if given:
                user_set_password(actor=actor, user=existing, password=given)
                self.stdout.write(
                    "  ✓ Tài khoản admin: mật khẩu lấy từ DIEUHANH_ADMIN_PASSWORD / password set from it"
                )
            else:
                self.stdout.write("  ✓ Tài khoản admin đã có, giữ mật khẩu cũ / admin exists, password kept")
            return
        password = given or secrets.token_urlsafe(12)
        with transaction.atomic():
            user_create(actor=actor, username="admin", unit=orgunit_get(code=PROVINCE), role=Role.ADMIN,
                        password=password, full_name="Quản trị hệ thống")  # fmt: skip
        if given:
            self.stdout.write(
                "  ✓ Tài khoản / account admin (mật khẩu từ / password from DIEUHANH_ADMIN_PASSWORD)"
            )
        else:
            self.stdout.write(
                "  ✓ Tài khoản / account admin — mật khẩu / password (chỉ hiện một lần / shown once): "
                + password
            )
