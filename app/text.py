"""Text typed by people: free of NUL and other control characters (which PostgreSQL
refuses in text and which print as nothing) and of lone UTF-16 surrogates (which no
database, page or PDF can encode), with tabs and line breaks allowed."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def no_control_characters(value: str) -> str:
    if CONTROL.search(value):
        raise ValueError("Remove the invisible control characters from this text.")
    return value


def is_clean(value: str) -> bool:
    return CONTROL.search(value) is None


CleanText = Annotated[str, AfterValidator(no_control_characters)]
