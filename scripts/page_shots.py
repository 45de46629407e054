"""Screenshots of the dashboard page and its load times, as Debian's chromium sees them.

Against a running API (`make demo` prints its address):

    .venv/bin/python scripts/page_shots.py --origin http://127.0.0.1:8080 [--out docs/img]

writes overview.png, browse.png and group.png (palette PNGs, small) and prints, for each page,
the median and worst of several fresh loads: Navigation Timing's domContentLoaded and load, and
the time until the page shows its data (all in ms from the start of the navigation).
"""

from __future__ import annotations

import argparse
import io
import statistics
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

TIMING = """() => {
  const [nav] = performance.getEntriesByType("navigation");
  return {dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, shown: performance.now()};
}"""


def pages(page: Page, origin: str) -> list[tuple[str, str, str]]:
    """(name, address, what shows the page's data) of the three pages."""
    top = page.request.get(f"{origin}/top/groups?limit=1").json()
    if not top:
        raise SystemExit("page_shots: the API has no group yet; run it against a filled demo")
    group = f"{top[0]['account_id']}/{top[0]['solution_interest_id']}"
    return [
        ("overview", f"{origin}/", "[data-testid=chart-added] svg"),
        ("browse", f"{origin}/#/browse?completeness_lt=75&sort=engagement",
         "[data-testid=groups] tbody tr"),
        ("group", f"{origin}/#/group/{group}", "[data-testid=group] .figures"),
    ]  # fmt: skip


def load(page: Page, address: str, ready: str) -> dict[str, float]:
    page.goto("about:blank")
    page.goto(address)
    page.locator(ready).first.wait_for()
    timing: dict[str, float] = page.evaluate(TIMING)
    page.wait_for_load_state("load")
    timing["load"] = page.evaluate(TIMING)["load"]
    return timing


def small_png(raw: bytes) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(raw)).convert("RGB").quantize(colors=96).save(out, "PNG", optimize=True)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origin", default="http://127.0.0.1:8080")
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        print("page       domContentLoaded   load         data shown   (ms, median / worst)")
        for name, address, ready in pages(page, args.origin):
            runs = [load(page, address, ready) for _ in range(args.runs)]
            cells = [
                f"{statistics.median(r[k] for r in runs):6.0f} / {max(r[k] for r in runs):4.0f}"
                for k in ("dcl", "load", "shown")
            ]
            print(f"{name:10} {'   '.join(cells)}")
            page.wait_for_timeout(500)
            shot = page.screenshot(full_page=name == "group")  # the explanation is below the fold
            (args.out / f"{name}.png").write_bytes(small_png(shot))
        browser.close()


if __name__ == "__main__":
    main()
