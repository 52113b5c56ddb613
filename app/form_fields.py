"""Forms on pages: the limits an input carries (the same the server's model enforces, read
from the model so they cannot drift apart) and an error message for each field that says
what is wrong and how to fix it."""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic_core import ErrorDetails

from app.i18n import gettext as _


def _constraints(annotation: Any) -> list[Any]:
    """The constraint objects inside a field's type (through `X | None` and Annotated)."""
    found: list[Any] = []
    if get_origin(annotation) is Annotated:
        found.extend(annotation.__metadata__)
        found.extend(_constraints(get_args(annotation)[0]))
    elif get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            found.extend(_constraints(arg))
    return found


def html_limits(model: type[BaseModel], name: str) -> dict[str, str]:
    """`maxlength`, `minlength` and `pattern` for the input of a model's field."""
    field = model.model_fields[name]
    limits: dict[str, str] = {}
    for item in [*field.metadata, *_constraints(field.annotation)]:
        max_length = getattr(item, "max_length", None)
        min_length = getattr(item, "min_length", None)
        if isinstance(item, annotated_types.MaxLen):
            max_length = item.max_length
        if isinstance(item, annotated_types.MinLen):
            min_length = item.min_length
        if max_length is not None:
            limits["maxlength"] = str(max_length)
        if min_length is not None:
            limits["minlength"] = str(min_length)
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str):
            limits["pattern"] = _html_pattern(pattern)
    return limits


def _html_pattern(pattern: str) -> str:
    """A Python pattern as an HTML `pattern` (implicitly anchored, read with the `v` flag,
    where `(`, `)` and `-` inside a character class must be escaped)."""
    source = pattern.removeprefix("^").removesuffix("$")
    out: list[str] = []
    in_class = escaped = False
    for index, char in enumerate(source):
        literal_dash = char == "-" and (source[index - 1] == "[" or source[index + 1] == "]")
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif in_class and (char in "()" or literal_dash):
            out.append("\\")
        out.append(char)
    return "".join(out)


def message_for(error: ErrorDetails) -> str:
    """A plain message for one validation error of a field no form names a message for."""
    context = error.get("ctx") or {}
    kind = error["type"]
    if kind == "string_too_short":
        return _("Use at least %(n)s characters.", n=context.get("min_length", 1))
    if kind == "string_too_long":
        return _("Use at most %(n)s characters. Shorten the text.", n=context.get("max_length"))
    if kind in ("missing", "string_type") or (kind.endswith("_parsing") and not error["input"]):
        return _("Fill in this field.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Enter a date, like 03-04-1995.")
    if kind in ("int_parsing", "int_type", "float_parsing"):
        return _("Enter a number, with digits only.")
    if kind == "string_pattern_mismatch":
        return _("Use only the characters this field allows; see the example above the field.")
    if kind in ("literal_error", "enum"):
        return _("Choose one of the options.")
    return _("This value cannot be used here. Check what is asked above the field.")
