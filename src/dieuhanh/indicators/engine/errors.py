"""Errors of the indicator engine: refused definitions (file, line, reason) and refused requests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DefinitionProblem:
    """Why one definition (or one file) was refused at load: where, and why in both languages."""

    file: str
    line: int | None
    code: str
    message_vi: str
    message_en: str
    indicator: str = ""

    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        who = f" [{self.indicator}]" if self.indicator else ""
        return f"{self.where()}{who}: {self.message_vi} / {self.message_en} ({self.code})"


class DefinitionError(Exception):
    """A definition cannot be loaded. Raised inside the loader, collected as a problem."""

    def __init__(self, code: str, message_vi: str, message_en: str, *, line: int | None = None) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.line = line

    def at(self, file: str, indicator: str = "") -> DefinitionProblem:
        return DefinitionProblem(file, self.line, self.code, self.message_vi, self.message_en, indicator)


class EngineError(Exception):
    """A request the engine cannot serve (unknown indicator, regime not supported…)."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
