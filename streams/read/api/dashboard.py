"""The dashboard page: HTML, one JS module, its charts and a style sheet, shipped in the package
(streams/read/api/page/) and served by the API from the same origin; it reads the API with
the browser's fetch and loads nothing from anywhere else (its Content-Security-Policy says so).

`/` is the page; `/page/<file>` its assets. The page itself holds no data, so it is open even
when reads need a token (the page then sends the token given in its header)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, HTTPException, Path, Response

TYPES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "charts.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


def page_files() -> dict[str, bytes]:
    """The page's files, read from the package."""
    folder = resources.files("streams.read.api") / "page"
    return {name: (folder / name).read_bytes() for name in TYPES}


def page_routes() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    files = page_files()

    def answer(name: str) -> Response:
        return Response(files[name], media_type=TYPES[name], headers=HEADERS)

    @router.get("/", response_class=Response)
    async def index() -> Response:
        return answer("index.html")

    @router.get("/page/{name}", response_class=Response)
    async def asset(name: str = Path(max_length=40)) -> Response:
        if name not in TYPES or name == "index.html":
            raise HTTPException(404, f"no file {name!r} in the page")
        return answer(name)

    return router
