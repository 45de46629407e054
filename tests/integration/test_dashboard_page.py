"""The dashboard page in a real headless browser (Debian's chromium through Playwright) against
the real API process, Redis, broker and engine: the overview draws the distributions and follows
them live, the browse page's filters list exactly the groups the API has for them (page after
page), a group's explanation adds up to its raw score, a manual action shows the engine's answer,
and no page ever requests anything outside its own origin."""

from __future__ import annotations

import asyncio
import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Route, expect

from streams.ops.settings import Settings
from tests.integration.conftest import standard_config
from tests.integration.engine_harness import engine_worker, tenant_settings
from tests.integration.histories import (
    Outputs,
    chosen_seed,
    publish_all,
    tenant_history,
    wait_until_processed,
    with_commands,
)
from tests.integration.page_harness import Watched, api_server, chromium, watched_page
from tests.integration.processes import READY
from tests.integration.read_harness import TOKEN, api_settings, projected
from tests.services import Service

pytestmark = pytest.mark.integration
NEW_STATUS = "Pilot agreed"  # never set by a random history (its own may set "Call booked")


@dataclass(frozen=True)
class Site:
    settings: Settings
    origin: str
    browser: Browser

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.origin}{path}", timeout=10) as answer:
            return json.loads(answer.read())

    def answer(self, path: str) -> Any:
        """The body at `path`, or None while it is 404."""
        try:
            return self.get(path)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise

    def send(self, method: str, path: str, body: object) -> Any:
        request = urllib.request.Request(
            f"{self.origin}{path}", method=method, data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def every_group(self, query: str) -> list[str]:
        ids: list[str] = []
        cursor = ""
        while True:
            page = self.get(f"/groups?{query}&limit=100{cursor}")
            ids += [item["group_id"] for item in page["items"]]
            if page["next_cursor"] is None:
                return ids
            cursor = f"&cursor={page['next_cursor']}"


@pytest.fixture(scope="module")
def site(
    kafka: Service, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """An engine worker with the projection fed a random tenant, the API process, chromium."""
    rng = random.Random(chosen_seed("BG_PAGE_SEED"))
    history = with_commands(rng, tenant_history(rng, accounts=10, people=60, activities=3), 2)
    settings = api_settings(tenant_settings(kafka.address), redis_url)
    directory = tmp_path_factory.mktemp("page")
    worker = engine_worker(settings, directory)
    worker.env |= {"BG_READ_MODEL": "on", "REDIS_URL": redis_url}

    async def feed() -> None:
        await publish_all(settings, standard_config())
        outputs = Outputs(settings)
        await outputs.start()
        try:
            await asyncio.to_thread(worker.start)
            await asyncio.to_thread(worker.wait_for_log, READY, 90.0)
            for part in (history.accounts, history.people, history.commands):
                await publish_all(settings, part)
                await wait_until_processed(settings, outputs)
            await projected(settings, settings.app_id)
        finally:
            await outputs.stop()

    try:
        asyncio.run(feed())
        with api_server(settings, redis_url, directory / "api.log") as origin, chromium() as b:
            yield Site(settings, origin, b)
    finally:
        worker.stop()


@pytest.fixture
def tab(site: Site) -> Iterator[Watched]:
    """A browser tab; after the test, it must have asked nothing of any other origin and
    raised no script error."""
    with watched_page(site.browser, site.origin) as watched:
        yield watched
        assert watched.requests, "the page made no request"
        assert watched.foreign() == []
        assert watched.errors == []


def bars(tab: Watched, chart: str) -> dict[str, int]:
    found = tab.page.locator(f"[data-testid=chart-{chart}] g.bar")
    return {
        str(bar.get_attribute("data-label")): int(bar.get_attribute("data-value") or 0)
        for bar in found.all()
    }


def until(check: Any, seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.25)


def test_the_overview_draws_the_distributions_and_follows_them_live(
    site: Site, tab: Watched
) -> None:
    page = tab.page
    page.goto(f"{site.origin}/")
    expect(page.locator("[data-testid=chart-completeness] g.bar")).to_have_count(4)
    shares = site.get("/distributions")
    assert bars(tab, "completeness") == shares["completeness"]
    assert bars(tab, "engagement") == shares["engagement"]
    assert bars(tab, "interest") == shares["solution_interest"]
    assert bars(tab, "stage") == shares["stage"]
    top = site.get("/top/groups")
    expect(page.locator("[data-testid=chart-top] tbody tr")).to_have_count(len(top))
    expect(page.locator("[data-testid=chart-top] tbody tr a").first).to_have_text(top[0]["name"])
    added = sum(row["added"] for row in site.get("/members-added"))
    columns = page.locator("[data-testid=chart-added] g.column").all()
    assert sum(int(c.get_attribute("data-total") or 0) for c in columns) == added
    expect(page.locator("[data-testid=chart-members] tbody tr")).to_have_count(
        len(site.get("/top/members"))
    )

    page.evaluate("window.notReloaded = true")
    without = site.get("/groups?limit=100")["items"]
    target = next(g for g in without if g["stage"] is None)
    before = shares["stage"].get("Prospect", 0)
    path = f"/groups/{target['account_id']}/{target['solution_interest_id']}/stage"
    (command_id,) = site.send("PUT", path, {"stage": "Prospect"})["command_ids"]
    result = until(lambda: site.answer(f"/commands/{command_id}"))
    assert result, f"no result for {command_id}"
    assert result["status"] == "applied", result
    assert until(lambda: bars(tab, "stage").get("Prospect", 0) == before + 1), bars(tab, "stage")
    assert page.evaluate("window.notReloaded") is True


def rows(tab: Watched) -> list[str]:
    return [
        str(row.get_attribute("data-group"))
        for row in tab.page.locator("[data-testid=groups] tbody tr").all()
    ]


def test_browse_filters_list_the_groups_the_api_has_for_them(site: Site, tab: Watched) -> None:
    page = tab.page
    # A role some group misses, below that group's completeness and a bit: never an empty answer.
    lacking = next(g for g in site.get("/groups?limit=100")["items"] if g["missing_roles"])
    role, below = lacking["missing_roles"][0], f"{lacking['completeness'] + 1:.0f}"
    page.goto(f"{site.origin}/#/browse")
    form = page.locator("[data-testid=filters]")
    form.locator("[name=missing_role]").select_option(role)
    form.locator("[name=completeness_lt]").fill(below)
    form.locator("[name=sort]").select_option("completeness")
    form.locator("[name=descending]").select_option("false")
    form.locator("button[type=submit]").click()
    chosen = {"missing_role": role, "completeness_lt": below, "sort": "completeness",
              "descending": "false"}  # fmt: skip
    want = site.every_group(urllib.parse.urlencode(chosen))
    assert lacking["group_id"] in want
    count = page.locator("[data-testid=count]")
    expect(count).to_have_attribute("data-total", str(len(want)))
    expect(count).to_contain_text(f"{len(want)} groups match")
    assert rows(tab) == want[:20]
    assert urllib.parse.urlencode({"missing_role": role}) in page.url


def test_browse_lists_the_industries_and_regions_of_the_groups(site: Site, tab: Watched) -> None:
    choices = site.get("/filters")
    assert choices["industries"], "no group's account has an industry"
    assert choices["regions"], "no group's account has a region"
    page = tab.page
    page.goto(f"{site.origin}/#/browse")
    form = page.locator("[data-testid=filters]")
    for name, kind in (("industry", "industries"), ("region", "regions")):
        options = form.locator(f"[name={name}] option").all()
        assert [o.get_attribute("value") for o in options] == [
            "",
            *(c["value"] for c in choices[kind]),
        ]
    region = choices["regions"][-1]
    form.locator("[name=region]").select_option(region["value"])
    form.locator("button[type=submit]").click()
    want = site.every_group(urllib.parse.urlencode({"region": region["value"]}))
    assert len(want) == region["groups"]
    expect(page.locator("[data-testid=count]")).to_have_attribute("data-total", str(len(want)))
    assert rows(tab) == want[:20]


def test_browse_pages_follow_the_api_order(site: Site, tab: Watched) -> None:
    page = tab.page
    page.goto("about:blank")
    page.goto(f"{site.origin}/#/browse?sort=engagement&limit=3")
    everything = site.every_group("sort=engagement")
    seen: list[str] = []
    first = page.locator("[data-testid=groups] tbody tr").first
    while True:
        expect(page.locator("[data-testid=count]")).to_have_attribute(
            "data-total", str(len(everything))
        )
        current = rows(tab)
        seen += current
        following = page.locator("[data-testid=next]")
        if following.is_disabled():
            break
        following.click()
        expect(first).not_to_have_attribute("data-group", current[0])
    assert seen == everything


def explained_group(site: Site) -> dict[str, Any]:
    for item in site.get("/groups?sort=engagement&limit=100")["items"]:
        group = site.get(f"/groups/{item['account_id']}/{item['solution_interest_id']}")
        breakdown = group["engagement_breakdown"]
        if breakdown and len(breakdown["by_member"]) > 1 and group["explanation"]["contributions"]:
            return dict(group)
    raise AssertionError("no group has engagement from two members to explain")


def shown_points(tab: Watched, where: str) -> list[float]:
    rows = tab.page.locator(f"{where} [data-points]").all()
    return [float(row.get_attribute("data-points") or "nan") for row in rows]


def test_a_groups_explanation_adds_up_to_its_raw_score(site: Site, tab: Watched) -> None:
    group = explained_group(site)
    raw, whole = group["engagement_raw"], group["engagement_breakdown"]
    page = tab.page
    page.goto(f"{site.origin}/#/browse?limit=100")
    page.locator(f"tr[data-group='{group['group_id']}'] a").click()
    expect(page.locator("h1")).to_have_text(group["name"])
    expect(page.locator("[data-testid=breakdown]")).to_be_visible()
    assert float(page.locator("[data-testid=raw]").inner_text()) == pytest.approx(raw, abs=0.005)
    # The whole score: per member, per role, per activity type and part by part, each adds up.
    members = shown_points(tab, "[data-testid=by-member]")
    assert len(members) == len(whole["by_member"])
    for where in ("by-member", "by-role", "by-activity"):
        assert sum(shown_points(tab, f"[data-testid={where}]")) == pytest.approx(raw, abs=1e-9)
    page.locator("[data-testid=breakdown] summary").click()
    parts = shown_points(tab, "[data-testid=breakdown] details")
    assert len(parts) == len(whole["parts"])
    assert sum(parts) == pytest.approx(raw, abs=1e-9)
    names = {m["person_id"]: m["name"] or m["person_id"] for m in group["members"]}
    first = page.locator("[data-testid=by-member] tbody tr").first
    expect(first).to_contain_text(names[whole["by_member"][0]["person_id"]])
    # What moved it last: the score before and the moves give the score now.
    explanation = page.locator("[data-testid=explanation]")
    previous = float(explanation.get_attribute("data-previous") or "nan")
    moved = shown_points(tab, "[data-testid=explanation]")
    assert len(moved) == len(group["explanation"]["contributions"])
    assert previous + sum(moved) == pytest.approx(raw, abs=1e-9)
    expect(explanation.locator("[data-testid=sum]")).to_contain_text(f"= {raw:.2f}")
    for role in group["role_completeness"]:
        line = page.locator(f"tr[data-role='{role['role']}']")
        expect(line).to_contain_text(f"{role['assigned']} / {role['required']}")
    people = page.locator(".role li[data-person]")
    expect(people).to_have_count(len(group["members"]))
    expect(page.locator("[data-testid=history] li")).to_have_count(min(20, len(group["history"])))


def test_a_manual_action_shows_the_engines_answer(site: Site, tab: Watched) -> None:
    group = site.get("/groups?limit=1")["items"][0]
    page = tab.page
    page.goto(f"{site.origin}/#/group/{group['account_id']}/{group['solution_interest_id']}")
    expect(page.locator("h1")).to_have_text(group["name"])
    expect(page.locator("form.action button").first).to_be_disabled()
    page.locator("#token [name=token]").fill(TOKEN)
    page.locator("#token button").click()
    expect(page.locator("form.action button").first).to_be_enabled()

    status = page.locator("form[data-action='Set status']")
    status.locator("[name=status]").fill(NEW_STATUS)
    status.locator("button").click()
    results = page.locator("[data-testid=action-results] li")
    expect(results.first).to_have_attribute("data-status", "applied", timeout=45_000)
    expect(page.locator("[data-testid=stage]")).to_contain_text(f"status: {NEW_STATUS}")
    expect(page.locator("[data-testid=stage-history] li").first).to_contain_text(NEW_STATUS)

    add = page.locator("form[data-action='Add member']")
    add.locator("[name=person]").fill("p-nobody")
    add.locator("[name=role]").fill("Influencer")
    add.locator("button").click()
    expect(results.first).to_have_attribute("data-status", "refused", timeout=45_000)
    expect(results.first).to_contain_text("unknown_person")


def test_every_page_fits_a_phone(site: Site) -> None:
    group = site.get("/groups?limit=1")["items"][0]
    with watched_page(site.browser, site.origin, width=390) as tab:
        for where in ("/", "/#/browse", f"/#/group/{group['group_id']}"):
            tab.page.goto("about:blank")
            tab.page.goto(f"{site.origin}{where}")
            expect(tab.page.locator("#updated")).to_contain_text("updated")
            wide = tab.page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 390, (where, wide)
        assert tab.foreign() == []
        assert tab.errors == []


def test_the_api_docs_page_works_with_no_network(site: Site, tab: Watched) -> None:
    # Every request outside the API's origin fails, as on a machine with no network: /docs
    # (Swagger UI) still draws every operation, from the assets the API serves.
    refused: list[str] = []

    def only_own_origin(route: Route) -> None:
        if route.request.url.startswith(f"{site.origin}/"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    page = tab.page
    page.route("**/*", only_own_origin)
    schema = site.get("/openapi.json")
    operations = sum(len(methods) for methods in schema["paths"].values())
    page.goto(f"{site.origin}/docs")
    expect(page.locator(".opblock")).to_have_count(operations)
    expect(page.locator(".opblock-summary-path", has_text="/filters")).to_have_count(1)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("buying-groups")
    assert refused == []
