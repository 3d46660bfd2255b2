"""The dashboard (`govbudget serve`): coverage heat-map, document browser, failed checks, crawl runs.

Server-rendered pages (FastAPI + Jinja2), no front-end build: every page is a plain URL a researcher
can bookmark or link, and the pages work without JavaScript. The app reads the catalog and the object
store through the same `Services` the command line uses, and never writes to them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from govbudget.exports.collect import file_documents
from govbudget.exports.report import build_report, crawl_runs
from govbudget.storage.object_store import ObjectNotFound
from govbudget.web import originals, views
from govbudget.web.views import STATUS_WORDS

TEMPLATES = Path(__file__).parent / "templates"
SPREADSHEETS = {"xlsx", "xls", "et", "ods"}


def create_app(svc: Any) -> FastAPI:
    """The dashboard over `svc` (a `tasks.runtime.Services`: its catalog and store)."""
    app = FastAPI(title="govbudget", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.globals["status_words"] = STATUS_WORDS

    def page(request: Request, name: str, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context)

    def document_or_404(sha256: str) -> dict[str, Any]:
        if not originals.SHA256.fullmatch(sha256):
            raise HTTPException(404, "not a sha256")
        doc = next((d for d in file_documents(svc.catalog) if d["sha256"] == sha256), None)
        if doc is None:
            raise HTTPException(404, "no such archived file")
        return doc

    def original_bytes(doc: dict[str, Any]) -> bytes:
        try:
            return svc.store.get(doc["storage_key"])
        except ObjectNotFound as exc:
            raise HTTPException(410, "the archived object is missing from the store") from exc

    @app.get("/", response_class=HTMLResponse)
    def heatmap(request: Request) -> HTMLResponse:
        report = build_report(svc.catalog)
        return page(request, "heatmap.html", heat=views.heatmap(report), report=report)

    @app.get("/documents", response_class=HTMLResponse)
    def documents(
        request: Request, region: str | None = None, year: str | None = None,
        department: str | None = None, kind: str | None = None, status: str | None = None,
    ) -> HTMLResponse:
        docs = file_documents(svc.catalog)
        wanted = {"region": region, "year": year, "department": department, "kind": kind, "status": status}
        shown = views.filter_documents(docs, **wanted)
        choices = {
            "kind": sorted({d["doc_kind"] for d in docs if d.get("doc_kind")}),
            "status": ["ok", "partial", "failed", "unparsed"],
        }
        return page(request, "documents.html", docs=shown, wanted=wanted, choices=choices, total=len(docs))

    @app.get("/documents/{sha256}", response_class=HTMLResponse)
    def document(request: Request, sha256: str) -> HTMLResponse:
        doc = document_or_404(sha256)
        records = list(svc.catalog.records(sha256=sha256))
        original: dict[str, Any] = {"kind": "download"}
        if doc.get("format") == "pdf":
            try:
                pages = originals.pdf_page_count(original_bytes(doc))
                original = {"kind": "pdf", "pages": list(range(1, min(pages, originals.MAX_PAGES) + 1))}
            except HTTPException:
                raise
            except Exception as exc:  # an unreadable PDF is still downloadable
                original = {"kind": "download", "error": f"cannot render: {exc}"}
        elif doc.get("format") in SPREADSHEETS:
            try:
                original = {"kind": "sheets", "sheets": originals.sheet_grids(original_bytes(doc))}
            except HTTPException:
                raise
            except Exception as exc:
                original = {"kind": "download", "error": f"cannot render: {exc}"}
        checks = [r for r in records if r.get("type") == "check"]
        return page(
            request, "document.html", doc=doc, original=original, tables=views.document_tables(records),
            checks=checks, facts=[r for r in records if r.get("type") == "fact"],
        )

    @app.get("/objects/{sha256}")
    def raw(sha256: str) -> Response:
        doc = document_or_404(sha256)
        media = {"pdf": "application/pdf", "html": "text/plain; charset=utf-8"}.get(
            doc.get("format") or "", "application/octet-stream"
        )
        headers = dict(originals.RAW_HEADERS)
        headers["Content-Disposition"] = f'inline; filename="{sha256}.{doc.get("format") or "bin"}"'
        return Response(original_bytes(doc), media_type=media, headers=headers)

    @app.get("/objects/{sha256}/pages/{number}.png")
    def page_image(sha256: str, number: int) -> Response:
        doc = document_or_404(sha256)
        try:
            png = originals.pdf_page_png(original_bytes(doc), number)
        except IndexError as exc:
            raise HTTPException(404, "no such page") from exc
        return Response(png, media_type="image/png", headers={"Cache-Control": "max-age=86400"})

    @app.get("/checks", response_class=HTMLResponse)
    def checks(request: Request) -> HTMLResponse:
        return page(request, "checks.html", failures=build_report(svc.catalog).failed_checks)

    @app.get("/crawls", response_class=HTMLResponse)
    def crawls(request: Request) -> HTMLResponse:
        runs = list(reversed(crawl_runs(svc.catalog)))
        return page(request, "crawls.html", runs=runs)

    return app
