"""Benchmark: rendering a permit PDF against a bare WeasyPrint render, and a stored
download against the first render.

Goals (issue 4): permit render <= 1.5x a bare one-page WeasyPrint render; a second
download served from the store >= 20x faster than the first render.

Run: .venv/bin/python bench/permit_render.py [--rounds N]
The render cases take turns within each round; each first download is followed at once by
its stored download.
Prints the figures and ratios; exits 0 whatever they are (it measures, it does not judge).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.timing import interleaved_medians  # noqa: E402

_tmp = tempfile.mkdtemp(prefix="swl-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.db")
os.environ.setdefault("DATA_DIR", _tmp)
os.environ.setdefault("APP_ENV", "test")

BARE_HTML = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Bare</title>
<style>body { font-family: "DejaVu Sans", sans-serif; }</style></head>
<body><h1>Eén pagina</h1><p>Een eenvoudig document van één pagina met wat tekst.</p>
</body></html>"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds

    from sqlmodel import Session, select
    from weasyprint import HTML

    from app.auth import service as auth_service
    from app.auth.models import Role, UserCreate
    from app.db import get_engine
    from app.documents import render
    from app.documents import service as documents_service
    from app.documents.models import Document
    from app.migrations import upgrade
    from app.permits import documents as permit_documents
    from app.permits import service as permits_service
    from app.policy import service as policy_service

    policy = policy_service.load_configured().policy
    card = permit_documents.PermitCard(
        number="SW-ABCD-EFGH-JKMZ",
        permit_type="sex_worker",
        working_name="Roos",
        valid_from=date(2026, 1, 1),
        valid_until=date(2027, 12, 31),
        state="active",
        conditions_nl=tuple(policy.permit_types["sex_worker"].conditions_nl),
        conditions_en=tuple(policy.permit_types["sex_worker"].conditions_en),
        language="nl",
        verify_url="http://127.0.0.1:8000/verify/SW-ABCD-EFGH-JKMZ",
    )

    def bare() -> bytes:
        return bytes(HTML(string=BARE_HTML).write_pdf() or b"")

    def permit() -> bytes:
        request = permit_documents.permit_request(policy, card)
        return render.render_pdf(request.template, request.context, request.language)

    one_language = policy.model_copy(
        update={
            "permit_types": {
                key: spec.model_copy(update={"bilingual_permit": False})
                for key, spec in policy.permit_types.items()
            }
        }
    )

    def permit_one_page() -> bytes:
        request = permit_documents.permit_request(one_language, card)
        return render.render_pdf(request.template, request.context, request.language)

    # The same one-page permit HTML handed to WeasyPrint as is: no template, no QR code,
    # no PDF/A, no URL guard. The difference with permit_one_page is our pipeline's cost.
    one_request = permit_documents.permit_request(one_language, card)
    permit_html = render.render_html(one_request.template, one_request.context, "nl")

    def bare_permit_html() -> bytes:
        return bytes(
            HTML(string=permit_html, base_url=str(render.PDF_TEMPLATES)).write_pdf() or b""
        )

    medians = interleaved_medians(
        {
            "bare": bare,
            "permit": permit,
            "one_page": permit_one_page,
            "bare_permit_html": bare_permit_html,
        },
        rounds,
    )
    bare_s, permit_s = medians["bare"], medians["permit"]
    single_s, bare_permit_s = medians["one_page"], medians["bare_permit_html"]
    print(f"bare WeasyPrint render, 1 page:        {bare_s * 1000:8.1f} ms (median of {rounds})")
    print(f"permit, 2 pages (nl+en), PDF/A-3b, QR: {permit_s * 1000:8.1f} ms")
    print(f"permit, 1 page (one language):         {single_s * 1000:8.1f} ms")
    print(f"ratio bilingual permit / bare:         {permit_s / bare_s:8.2f}  (goal <= 1.5)")
    print(f"ratio one-page permit / bare:          {single_s / bare_s:8.2f}  (goal <= 1.5)")
    print(f"bare WeasyPrint of the permit's HTML:  {bare_permit_s * 1000:8.1f} ms")
    print(f"ratio pipeline / bare, same page:      {single_s / bare_permit_s:8.2f}  (goal <= 1.5)")

    # First download (render, store, record) against later downloads (stored bytes).
    upgrade()
    engine = get_engine()
    with Session(engine) as session:
        holder = auth_service.create(
            session=session,
            data=UserCreate(email="bench@example.org", password="x" * 16, role=Role.applicant),
            actor=None,
        )
        active = policy_service.current(session=session)
        session.commit()
        first_times, stored_times = [], []
        for i in range(rounds):
            permit_row = permits_service.issue(
                session=session,
                application_id=_application(session, holder.id, i),
                holder_id=holder.id,
                permit_type="sex_worker",
                working_name=f"Roos {i}",
                validity_months=24,
                conditions_nl=list(card.conditions_nl),
                conditions_en=list(card.conditions_en),
                policy_version_id=active.record.id,
                actor=holder,
            )
            session.commit()
            start = time.perf_counter()
            document = permit_documents.permit_pdf(session=session, permit=permit_row)
            first_bytes = documents_service.content(document)
            first_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            session.commit()
            again = permit_documents.permit_pdf(session=session, permit=permit_row)
            stored_bytes = documents_service.content(again)
            stored_times.append(time.perf_counter() - start)
            assert again.id == document.id and stored_bytes == first_bytes
        count = len(session.exec(select(Document)).all())
    first_s, stored_s = statistics.median(first_times), statistics.median(stored_times)
    print(f"first permit download (render+store):  {first_s * 1000:8.1f} ms")
    print(f"second download (from the store):      {stored_s * 1000:8.2f} ms")
    print(f"ratio first / second:                  {first_s / stored_s:8.1f}  (goal >= 20)")
    print(f"documents stored: {count} for {rounds} permits (one each)")


def _application(session, holder_id, i):  # type: ignore[no-untyped-def]
    from app.applications.models import Application

    application = Application(
        applicant_id=holder_id, permit_type="sex_worker", working_name=f"R{i}"
    )
    session.add(application)
    session.flush()
    return application.id


if __name__ == "__main__":
    main()
