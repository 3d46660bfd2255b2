"""The dashboard (`govbudget serve`): coverage heat-map, document browser, failed checks, crawl runs.

Server-rendered pages (FastAPI + Jinja2), no front-end build: every page is a plain URL a researcher
can bookmark or link, and the pages work without JavaScript. The app reads the catalog and the object
store through the same `Services` the command line uses, and never writes to them. Every list has a
CSV twin (`/documents.csv`, `/checks.csv`, `/crawls.csv`, `/documents/<sha256>/items.csv`); an unknown
URL or digest answers a 404 page (JSON only under `/api/`, which has no routes yet).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from govbudget.exports.collect import file_documents
from govbudget.exports.report import build_report, crawl_runs, document_coverage
from govbudget.storage.object_store import ObjectNotFound
from govbudget.web import originals, views
from govbudget.web.views import STATUS_WORDS

TEMPLATES = Path(__file__).parent / "templates"
SPREADSHEETS = {"xlsx", "xls", "et", "ods"}
CONTAINERS = {"zip", "rar"}
DOCUMENT_COLUMNS = [
    "sha256", "region_code", "region_name", "fiscal_year", "department", "title", "doc_kind", "phase",
    "format", "status", "coverage", "size", "url", "fetched_at",
]
CHECK_COLUMNS = [
    "sha256", "region_code", "fiscal_year", "department", "check", "subject", "expected", "actual", "url",
]
CRAWL_COLUMNS = [
    "id", "started_at", "finished_at", "status", "region_code", "start_urls", "pages_fetched",
    "files_archived", "files_new", "parsed_ok", "parsed_partial", "parsed_failed", "seconds",
]
ITEM_COLUMNS = [
    "table_kind", "side", "code", "name", "measure", "measure_label", "amount", "unit", "row_role",
    "where", "locator",
]
ERROR_TITLES = {404: "找不到此页面", 410: "原件已不在存储中", 422: "找不到此页面"}


def create_app(svc: Any, region_names: Mapping[str, str] | None = None,
               entry_point_codes: Callable[[], set[str]] | None = None) -> FastAPI:
    """The dashboard over `svc` (a `tasks.runtime.Services`: its catalog and store).

    `region_names` maps division codes to names shown beside them (the CLI passes the GB/T 2260 table);
    without it regions show their codes only. `entry_point_codes` gives the divisions the registry
    has an active entry point for (the CLI passes the crawler's registry; the dashboard never
    imports the crawler); without it none are counted.
    """
    app = FastAPI(title="govbudget", docs_url=None, redoc_url=None, openapi_url=None)
    names: Mapping[str, str] = region_names or {}
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.globals["status_words"] = STATUS_WORDS
    templates.env.globals["region_names"] = names
    templates.env.filters["where"] = views.locator_text
    templates.env.filters["coverage"] = views.coverage_text
    templates.env.filters["missed_cells"] = views.missed_cells
    templates.env.globals["sheet_row_id"] = views.sheet_row_id

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    def csv_response(name: str, columns: list[str], rows: Any) -> Response:
        return Response(
            views.to_csv(columns, rows), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": originals.content_disposition(name)},
        )

    async def error_page(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 404
        detail = exc.detail if isinstance(exc, StarletteHTTPException) else "not found"
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": detail}, status_code=status)
        if status == 422:  # a malformed path parameter (a page number that is no number) names nothing
            status = 404
        title = ERROR_TITLES.get(status, "出错了")
        return page(request, "error.html", status_code=status, status=status, title=title, detail=detail)

    app.add_exception_handler(StarletteHTTPException, error_page)
    app.add_exception_handler(RequestValidationError, error_page)

    def document_or_404(sha256: str, docs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        if not originals.SHA256.fullmatch(sha256):
            raise HTTPException(404, "not a sha256")
        doc = next((d for d in docs or file_documents(svc.catalog) if d["sha256"] == sha256), None)
        if doc is None:
            raise HTTPException(404, "no such archived file")
        return doc

    def original_bytes(doc: dict[str, Any]) -> bytes:
        try:
            return svc.store.get(doc["storage_key"])
        except ObjectNotFound as exc:
            raise HTTPException(410, "the archived object is missing from the store") from exc

    def download_name(doc: dict[str, Any]) -> str:
        captures = list(svc.catalog.captures(doc["sha256"]))
        latest = dict(captures[-1]) if captures else {}
        return originals.original_name(latest.get("url") or doc.get("url"), latest.get("headers"),
                                       doc.get("format"), doc["sha256"], doc.get("title"))

    def listed_documents(wanted: dict[str, str | None], q: str | None) -> tuple[list[dict[str, Any]], int]:
        docs = file_documents(svc.catalog)
        shown = views.search_documents(views.filter_documents(docs, **wanted), q, names)
        return shown, len(docs)

    @app.get("/", response_class=HTMLResponse)
    def heatmap(request: Request) -> HTMLResponse:
        report = build_report(svc.catalog)
        return page(request, "heatmap.html", heat=views.heatmap(report, names), report=report)

    @app.get("/regions", response_class=HTMLResponse)
    def regions(request: Request) -> HTMLResponse:
        from govbudget.exports.region_coverage import province_coverage

        codes = entry_point_codes() if entry_point_codes is not None else set()
        rows = province_coverage(file_documents(svc.catalog), codes)
        return page(request, "regions.html", provinces=rows, names=names)

    @app.get("/documents", response_class=HTMLResponse)
    def documents(
        request: Request, region: str | None = None, year: str | None = None,
        department: str | None = None, kind: str | None = None, status: str | None = None,
        q: str | None = None,
    ) -> HTMLResponse:
        wanted = {"region": region, "year": year, "department": department, "kind": kind, "status": status}
        shown, total = listed_documents(wanted, q)
        number = request.query_params.get("page", "1")  # `page` is the list's page (1-based)
        size = request.query_params.get("size", "")
        paged = views.paginate(shown, int(number) if number.isdigit() else 1,
                               min(max(int(size), 5), 500) if size.isdigit() else views.PAGE_SIZE)
        choices = {
            "kind": sorted({d["doc_kind"] for d in file_documents(svc.catalog) if d.get("doc_kind")}),
            "status": ["ok", "partial", "failed", "unparsed"],
        }
        query = {k: v for k, v in {**wanted, "q": q, "size": size}.items() if v}
        return page(request, "documents.html", docs=paged["items"], paged=paged, wanted=wanted, q=q or "",
                    query=query, choices=choices, total=total, matched=len(shown))

    @app.get("/documents.csv")
    def documents_csv(
        region: str | None = None, year: str | None = None, department: str | None = None,
        kind: str | None = None, status: str | None = None, q: str | None = None,
    ) -> Response:
        wanted = {"region": region, "year": year, "department": department, "kind": kind, "status": status}
        shown, _ = listed_documents(wanted, q)
        rows = [{**d, "region_name": names.get(d.get("region_code") or "", ""),
                 "coverage": document_coverage(d)} for d in shown]
        return csv_response("documents.csv", DOCUMENT_COLUMNS, rows)

    @app.get("/documents/{sha256}", response_class=HTMLResponse)
    def document(request: Request, sha256: str) -> HTMLResponse:
        docs = file_documents(svc.catalog)
        doc = document_or_404(sha256, docs)
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
        url = doc.get("url") or ""
        members = sorted((d for d in docs if url and (d.get("url") or "").startswith(url + "#")),
                         key=lambda d: d["url"])
        container = next((d for d in docs if "#" in url and d.get("url") == url.split("#", 1)[0]), None)
        checks = [r for r in records if r.get("type") == "check"]
        return page(
            request, "document.html", doc=doc, original=original, tables=views.document_tables(records),
            checks=checks, facts=[r for r in records if r.get("type") == "fact"],
            is_container=doc.get("format") in CONTAINERS, members=members, container=container,
            filename=download_name(doc),
        )

    @app.get("/documents/{sha256}/items.csv")
    def items_csv(sha256: str) -> Response:
        document_or_404(sha256)
        rows = []
        for rec in svc.catalog.records(sha256=sha256, type="line_item"):
            rows.append({**rec, "where": views.locator_text(rec.get("locator"))})
        return csv_response(f"{sha256[:12]}-items.csv", ITEM_COLUMNS, rows)

    @app.get("/documents/{sha256}/pages/{number}", response_class=HTMLResponse)
    def page_view(request: Request, sha256: str, number: int, row: int | None = None,
                  text: str | None = None) -> HTMLResponse:
        doc = document_or_404(sha256)
        if doc.get("format") != "pdf":
            raise HTTPException(404, "only PDF pages are shown as images")
        data = original_bytes(doc)
        if not 1 <= number <= min(originals.pdf_page_count(data), originals.MAX_PAGES):
            raise HTTPException(404, "no such page")
        band = originals.pdf_row_band(data, number, row) if row else None
        return page(request, "page.html", doc=doc, number=number, row=row, text=text or "", band=band)

    @app.get("/objects/{sha256}")
    def raw(sha256: str) -> Response:
        doc = document_or_404(sha256)
        media = {"pdf": "application/pdf", "html": "text/plain; charset=utf-8"}.get(
            doc.get("format") or "", "application/octet-stream"
        )
        headers = dict(originals.RAW_HEADERS)
        headers["Content-Disposition"] = originals.content_disposition(download_name(doc))
        return Response(original_bytes(doc), media_type=media, headers=headers)

    @app.get("/objects/{sha256}/pages/{number}.png")
    def page_image(sha256: str, number: int) -> Response:
        doc = document_or_404(sha256)
        try:
            png = originals.pdf_page_png(original_bytes(doc), number)
        except IndexError as exc:
            raise HTTPException(404, "no such page") from exc
        return Response(png, media_type="image/png", headers={"Cache-Control": "max-age=86400"})

    def failed_check_rows() -> list[dict[str, Any]]:
        rows = []
        for f in build_report(svc.catalog).failed_checks:
            for c in f["checks"]:
                rows.append({**{k: v for k, v in f.items() if k != "checks"}, **c})
        return rows

    @app.get("/checks", response_class=HTMLResponse)
    def checks(request: Request) -> HTMLResponse:
        return page(request, "checks.html", failures=build_report(svc.catalog).failed_checks)

    @app.get("/checks.csv")
    def checks_csv() -> Response:
        return csv_response("checks.csv", CHECK_COLUMNS, failed_check_rows())

    @app.get("/crawls", response_class=HTMLResponse)
    def crawls(request: Request) -> HTMLResponse:
        runs = list(reversed(crawl_runs(svc.catalog)))
        return page(request, "crawls.html", runs=runs)

    @app.get("/crawls.csv")
    def crawls_csv() -> Response:
        rows = [{**(r.get("summary") or {}), **{k: v for k, v in r.items() if k != "summary"}}
                for r in crawl_runs(svc.catalog)]
        return csv_response("crawls.csv", CRAWL_COLUMNS, rows)

    return app
