"""YAML that remembers where things are: mappings carry the line of each key.

Refusals must name the file and the line; PyYAML knows both while it composes nodes, so the
mappings built here (:class:`LineDict`) keep them. Duplicate keys are refused (PyYAML silently
keeps the last one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import DefinitionError


class LineDict(dict[str, Any]):
    """A mapping with ``line`` (its own first line) and ``lines[key]`` (the line of each key)."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class LineList(list[Any]):
    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    out = LineDict()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in out:
            raise DefinitionError(
                "definition.duplicate_key",
                f"Khoá {key!r} xuất hiện hai lần.",
                f"Key {key!r} appears twice.",
                line=key_node.start_mark.line + 1,
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_yaml(path: Path) -> Any:
    """The document in ``path``; a syntax error becomes a :class:`DefinitionError` with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(
            "definition.unreadable", f"Không đọc được tệp: {exc}", f"Cannot read the file: {exc}"
        ) from exc
    return load_yaml_text(text)


def load_yaml_text(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or str(exc)
        raise DefinitionError(
            "definition.yaml_syntax",
            f"Lỗi cú pháp YAML: {reason}.",
            f"YAML syntax error: {reason}.",
            line=line,
        ) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError(
            "definition.yaml_syntax", f"Lỗi cú pháp YAML: {exc}.", f"YAML syntax error: {exc}."
        ) from exc
