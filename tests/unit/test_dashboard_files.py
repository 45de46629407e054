"""The dashboard page's files: shipped in the package, served with a policy that allows only
its own origin, and referring to nothing outside it."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from streams.read.api.dashboard import POLICY, TYPES, page_files, page_routes


async def get(path: str) -> httpx.Response:
    app = FastAPI()
    app.include_router(page_routes())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://page") as client:
        return await client.get(path)


async def test_the_page_and_its_assets_are_served_with_their_types_and_policy() -> None:
    index = await get("/")
    assert index.status_code == 200
    assert index.headers["content-type"].startswith("text/html")
    assert index.headers["content-security-policy"] == POLICY
    assert '<script type="module" src="/page/app.js">' in index.text
    for name in ("app.js", "charts.js", "style.css"):
        answer = await get(f"/page/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"] == TYPES["." + name.rsplit(".", 1)[1]]


async def test_every_module_a_module_imports_is_served() -> None:
    files = page_files()
    imported = {
        name
        for content in files.values()
        for name in re.findall(r'from "\./([\w-]+\.js)"', content.decode())
    }
    assert {"api.js", "dom.js", "charts.js", "overview.js", "browse.js", "group.js"} <= imported
    for name in imported:
        answer = await get(f"/page/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].startswith("text/javascript"), name


def test_every_file_of_the_page_stays_small() -> None:
    # House style: modules under about 300 lines; the page is split by concern.
    for name, content in page_files().items():
        assert len(content.decode().splitlines()) <= 300, name


async def test_anything_else_under_page_is_404() -> None:
    for path in ("/page/index.html", "/page/secret.py", "/page/..%2Fdashboard.py"):
        assert (await get(path)).status_code == 404, path


def test_no_file_refers_to_another_origin() -> None:
    for name, content in page_files().items():
        text = content.decode()
        assert not re.search(r"(?<![\w.])(https?:)?//[a-z0-9]", text.replace(
            "http://www.w3.org/2000/svg", ""
        )), name  # fmt: skip
