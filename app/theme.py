"""The municipality's house colour as a stylesheet (`/theme.css`), after app/static/style.css.

The Content-Security-Policy allows no inline styles, so the colour from the settings
(`MUNICIPALITY_COLOUR`) reaches the pages as a small stylesheet of their own."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from app.config import darker, get_settings

router = APIRouter(include_in_schema=False)


@router.get("/theme.css")
def theme_css() -> Response:
    colour = get_settings().municipality_colour
    css = f":root {{ --accent: {colour}; --accent-dark: {darker(colour)}; }}\n"
    return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})
