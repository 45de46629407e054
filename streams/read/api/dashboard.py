"""The dashboard page: HTML, JS modules (one per concern) and a style sheet, shipped in the package
(streams/read/api/page/) and served by the API from the same origin; it reads the API with
the browser's fetch and loads nothing from anywhere else (its Content-Security-Policy says so).

`/` is the page; `/page/<file>` its assets. The page itself holds no data, so it is open even
when reads need a token (the page then sends the token given in its header)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, HTTPException, Path, Response

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
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


def media_type(name: str) -> str:
    return TYPES["." + name.rpartition(".")[2]]


def page_files() -> dict[str, bytes]:
    """The page's files (index.html, its JS modules, its style sheet), read from the package."""
    folder = resources.files("streams.read.api") / "page"
    return {
        f.name: f.read_bytes()
        for f in folder.iterdir()
        if f.is_file() and "." + f.name.rpartition(".")[2] in TYPES
    }


def page_routes() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    files = page_files()

    def answer(name: str) -> Response:
        return Response(files[name], media_type=media_type(name), headers=HEADERS)

    @router.get("/", response_class=Response)
    async def index() -> Response:
        return answer("index.html")

    @router.get("/page/{name}", response_class=Response)
    async def asset(name: str = Path(max_length=40)) -> Response:
        if name not in files or name == "index.html":
            raise HTTPException(404, f"no file {name!r} in the page")
        return answer(name)

    return router
