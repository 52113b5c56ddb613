"""Text typed by people: free of NUL and other control characters (which PostgreSQL
refuses in text and which print as nothing), with tabs and line breaks allowed."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def no_control_characters(value: str) -> str:
    if CONTROL.search(value):
        raise ValueError("Remove the invisible control characters from this text.")
    return value


CleanText = Annotated[str, AfterValidator(no_control_characters)]
