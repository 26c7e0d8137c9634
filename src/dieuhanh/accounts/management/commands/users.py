"""`dieuhanh users add USERNAME --unit CODE --role viewer|officer|manager|admin`."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.core.management.base import CommandParser

from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.services import user_create, user_update
from dieuhanh.audit.services import Actor
from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.core.errors import UserError
from dieuhanh.orgunits.selectors import orgunit_get


class Command(DieuhanhCommand):
    help = "Manage accounts. The password comes from DIEUHANH_USER_PASSWORD, else it is asked."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="create an account bound to a unit and a role")
        add.add_argument("username")
        add.add_argument("--unit", required=True, help="code of the user's unit")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--email", default="")
        add.add_argument("--name", default="", help="full name")
        setr = sub.add_parser("set", help="change an account's unit, role or activity")
        setr.add_argument("username")
        setr.add_argument("--unit")
        setr.add_argument("--role", choices=Role.values)
        setr.add_argument("--active", choices=["yes", "no"])
        sub.add_parser("list", help="list accounts")

    def handle(self, *args: Any, **opts: Any) -> None:
        actor = Actor.system("cli")
        if opts["action"] == "add":
            unit = orgunit_get(code=opts["unit"])
            password = os.environ.get("DIEUHANH_USER_PASSWORD") or self._ask_password()
            user = user_create(
                actor=actor, username=opts["username"], unit=unit, role=opts["role"], password=password,
                email=opts["email"], full_name=opts["name"],
            )  # fmt: skip
            self.stdout.write(f"Đã tạo / created: {user.username} ({user.role}, {unit.name})")
        elif opts["action"] == "set":
            found = User.objects.filter(username=opts["username"]).first()
            if found is None:
                raise UserError("user.not_found", f"Không có tài khoản {opts['username']}.",
                                f"No user {opts['username']}.")  # fmt: skip
            user = user_update(
                actor=actor, user=found, unit=orgunit_get(code=opts["unit"]) if opts["unit"] else None,
                role=opts["role"], is_active=None if opts["active"] is None else opts["active"] == "yes",
            )  # fmt: skip
            self.stdout.write(f"Đã cập nhật / updated: {user.username}")
        else:
            for u in User.objects.select_related("unit").order_by("username"):
                code = u.unit.code if u.unit else "-"
                self.stdout.write(
                    f"{u.username:<20} {u.role:<8} {code:<10} {'' if u.is_active else 'inactive'}"
                )

    def _ask_password(self) -> str:
        if not sys.stdin.isatty():
            raise UserError(
                "user.no_password",
                "Chưa có mật khẩu: đặt biến DIEUHANH_USER_PASSWORD hoặc chạy lệnh trong terminal.",
                "No password: set DIEUHANH_USER_PASSWORD or run the command in a terminal.",
            )
        first = getpass.getpass("Mật khẩu / Password: ")
        if first != getpass.getpass("Nhập lại / Again: "):
            raise UserError("user.password_mismatch", "Hai lần nhập không khớp.", "The passwords differ.")
        return first
