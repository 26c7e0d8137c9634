"""Errors a user can cause: a stable code, a Vietnamese and an English message, and where it happened.

Every refusal that reaches a person (a bad file row, a forbidden action, an unknown code) is a
`UserError`, so the CLI, the web pages and the API all say the same thing in both languages.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place of an input: file, row (1-based, header is row 1), field."""

    code: str
    message_vi: str
    message_en: str
    file: str = ""
    row: int | None = None
    field: str = ""

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"dòng/row {self.row}")
        if self.field:
            parts.append(f"cột/field {self.field}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.message_vi} / {self.message_en} [{self.code}]"

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


class UserError(Exception):
    """A refusal with a stable code and messages in Vietnamese and English."""

    exit_code = 2

    def __init__(
        self,
        code: str,
        message_vi: str,
        message_en: str,
        *,
        problems: Iterable[Problem] = (),
    ) -> None:
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.problems = list(problems)
        super().__init__(f"{message_vi} / {message_en}")

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "problems": [p.as_dict() for p in self.problems],
        }

    def render(self, limit: int = 50) -> str:
        lines = [f"{self.message_vi} / {self.message_en} [{self.code}]"]
        lines += [f"  - {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            more = len(self.problems) - limit
            lines.append(f"  … và {more} lỗi khác / and {more} more")
        return "\n".join(lines)


class InputRejected(UserError):
    """An input (file, payload) was refused as a whole: nothing of it was stored."""

    @classmethod
    def from_problems(cls, problems: list[Problem], *, source: str) -> InputRejected:
        return cls(
            "input.rejected",
            f"Không nhập {source}: có {len(problems)} lỗi, chưa lưu dòng nào.",
            f"{source} was not imported: {len(problems)} problem(s), nothing was stored.",
            problems=problems,
        )


class PermissionDenied(UserError):
    """The actor may not do this to this object (outside their unit's subtree, or their role)."""

    exit_code = 2


class NotFound(UserError):
    exit_code = 2


@dataclass
class ProblemList:
    """Collects problems while reading an input, so every error is reported at once."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, code: str, vi: str, en: str, *, row: int | None = None, field: str = "") -> None:
        self.problems.append(Problem(code, vi, en, file=self.file, row=row, field=field))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self, *, source: str) -> None:
        if self.problems:
            raise InputRejected.from_problems(self.problems, source=source)
