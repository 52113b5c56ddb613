"""Dependencies that load an application with object-level access checks."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from app.applications import service
from app.applications.models import Application
from app.auth.deps import CurrentUser, PageUser
from app.deps import SessionDep


def _application(application_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Application:
    return service.get_for(session=session, application_id=application_id, actor=user)


def _page_application(
    application_id: uuid.UUID, session: SessionDep, user: PageUser
) -> Application:
    return service.get_for(session=session, application_id=application_id, actor=user)


ApplicationDep = Annotated[Application, Depends(_application)]
PageApplicationDep = Annotated[Application, Depends(_page_application)]
