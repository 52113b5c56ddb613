"""Flows: the steps that change more than one domain, or that have work to do after the
commit. They sit above the domains, call their services, and commit.

The rule, for every request: domain services flush and never commit; the request's
session (`app/deps.py`) commits once when the route returns and rolls everything back when
it raises. A flow commits earlier only where work must follow the commit: it commits the
change, then makes the documents that describe it (a failure there loses no decision:
the documents are made again on first download), or deletes files that no row points at
any more. Nothing here holds a lock while rendering.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from sqlmodel import Session

logger = logging.getLogger(__name__)


def commit_then(
    session: Session,
    steps: Sequence[Callable[[], object]],
    *,
    what: str,
    reload: object = None,
) -> None:
    """Commit the change, then do each step (making one document) and commit it at once,
    so no lock taken by one step's insert is held while the next one renders. A failing
    step is logged and rolled back, and the next ones are still tried; the committed
    change stands. `reload` (the changed record) is read again afterwards, as the commit
    expired it."""
    session.commit()
    for step in steps:
        try:
            step()
            session.commit()
        except Exception:
            session.rollback()
            logger.exception("post-commit work for %s could not be done now", what)
    if reload is not None:
        session.refresh(reload)
