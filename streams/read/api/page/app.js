// The dashboard page: overview, browse and one group, over the API of the same origin.
// Routes live in the address's hash: #/ (overview), #/browse?filters, #/group/<account>/<interest>.
import { barChart, stackedColumns } from "./charts.js";

const LIVE_MS = 3000;
const view = document.querySelector("#view");
const timers = [];

class ApiError extends Error {
  constructor(status, body) {
    const detail = body && body.detail;
    const text = Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : detail;
    super(`${status}: ${text || "request failed"}`);
    this.status = status;
  }
}

function token() {
  return sessionStorage.getItem("bg-token") || "";
}

async function api(path, { method = "GET", body = null } = {}) {
  const headers = {};
  if (token()) headers.Authorization = `Bearer ${token()}`;
  if (body !== null) headers["Content-Type"] = "application/json";
  const answer = await fetch(path, { method, headers,
    body: body === null ? null : JSON.stringify(body) });
  const text = await answer.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = { detail: text }; }
  if (!answer.ok) throw new ApiError(answer.status, parsed);
  return parsed;
}

// h("a", {href: "#/"}, "text", child...): an element; text is never parsed as HTML.
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const percent = (value) => `${Number(value).toFixed(0)}%`;
const points = (value) => Number(value).toFixed(2);
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "–");

function duration(ms) {
  const minutes = Math.floor(ms / 60000);
  if (minutes < 1) return `${Math.floor(ms / 1000)} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

function groupHref(item) {
  return `#/group/${encodeURIComponent(item.account_id)}/${encodeURIComponent(item.solution_interest_id)}`;
}

function groupPath(account, interest) {
  return `/groups/${encodeURIComponent(account)}/${encodeURIComponent(interest)}`;
}

function table(headings, rows, attrs = {}) {
  return h("div", { class: "scroll" }, h("table", attrs,
    h("thead", {}, h("tr", {}, headings.map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, rows)));
}

function card(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

function every(ms, work) {
  timers.push(setInterval(work, ms));
}

function showError(where, error) {
  where.replaceChildren(h("p", { class: "error", role: "alert" }, String(error.message || error)));
}

function stamp() {
  document.querySelector("#updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
}

// ---- overview --------------------------------------------------------------------------------

function bandRows(counts) {
  return Object.entries(counts).map(([label, value]) => ({ label, value }));
}

function browseLink(params) {
  return `#/browse?${new URLSearchParams(params)}`;
}

const BAND_BOUNDS = { "0-25": [0, 25], "25-50": [25, 50], "50-75": [50, 75], "75-100": [75, 1000] };

function bandHref(field) {
  return (label) => {
    const [low, high] = BAND_BOUNDS[label];
    return browseLink({ [`${field}_gte`]: low, [`${field}_lt`]: high });
  };
}

async function overview() {
  const charts = h("div", { class: "grid", "data-testid": "overview" });
  view.replaceChildren(h("h1", {}, "Overview"), charts);
  const slots = {};
  for (const [name, title] of [["completeness", "Groups per completeness band"],
    ["engagement", "Groups per engagement band"], ["interest", "Groups per solution interest"],
    ["stage", "Groups per stage"], ["top", "Top 5 groups by engagement"],
    ["members", "Top members by person engagement"],
    ["added", "Members added per role per month"]]) {
    slots[name] = h("div", { "data-testid": `chart-${name}` });
    charts.append(card(title, slots[name]));
  }

  async function refresh() {
    try {
      const [shares, top, members, added] = await Promise.all([api("/distributions"),
        api("/top/groups?limit=5"), api("/top/members?limit=10"), api("/members-added")]);
      slots.completeness.replaceChildren(barChart(bandRows(shares.completeness),
        { title: "completeness", href: bandHref("completeness") }));
      slots.engagement.replaceChildren(barChart(bandRows(shares.engagement),
        { title: "engagement", href: bandHref("engagement"), colour: "#e08a2c" }));
      slots.interest.replaceChildren(barChart(bandRows(shares.solution_interest),
        { title: "solution interest", colour: "#3a9a5b",
          href: (label) => browseLink({ solution_interest_id: label }) }));
      slots.stage.replaceChildren(barChart(bandRows(shares.stage),
        { title: "stage", colour: "#7a5ab8",
          href: (label) => (label === "none" ? "#/browse" : browseLink({ stage: label })) }));
      slots.top.replaceChildren(table(["Group", "Engagement", "Complete", "Stage"],
        top.map((g) => h("tr", {}, h("td", {}, h("a", { href: groupHref(g) }, g.name)),
          h("td", { class: "num" }, points(g.engagement)), h("td", { class: "num" },
            percent(g.completeness)), h("td", {}, g.stage || "–")))));
      slots.members.replaceChildren(table(["Person", "Title", "Score", "Groups"],
        members.map((m) => h("tr", {}, h("td", {}, m.name || m.person_id),
          h("td", {}, m.job_title || "–"), h("td", { class: "num" }, points(m.score)),
          h("td", {}, m.groups.map((id) => {
            const [account, interest] = id.split("/");
            return h("a", { href: groupHref({ account_id: account,
              solution_interest_id: interest }), class: "chip" }, interest || id);
          }))))));
      const { chart, legend } = stackedColumns(added, { title: "members added" });
      slots.added.replaceChildren(chart, h("ul", { class: "legend" }, legend.map((item) =>
        h("li", {}, swatch(item.colour), item.role))));
      stamp();
    } catch (error) {
      showError(slots.completeness, error);
    }
  }
  await refresh();
  every(LIVE_MS, refresh);
}

function swatch(colour) {
  const box = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  box.setAttribute("viewBox", "0 0 10 10");
  box.setAttribute("class", "swatch");
  const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  for (const [k, v] of [["width", 10], ["height", 10], ["fill", colour]]) rect.setAttribute(k, v);
  box.append(rect);
  return box;
}

// ---- browse ----------------------------------------------------------------------------------

const FILTERS = ["solution_interest_id", "stage", "missing_role", "industry", "region",
  "completeness_gte", "completeness_lt", "engagement_gte", "engagement_lt", "sort",
  "descending", "limit"];

function field(label, input) {
  return h("label", {}, h("span", {}, label), input);
}

function choice(name, options, chosen) {
  return h("select", { name }, options.map(([value, text]) =>
    h("option", { value, selected: value === chosen }, text)));
}

async function browse(params) {
  const chosen = Object.fromEntries(FILTERS.map((name) => [name, params.get(name) || ""]));
  const results = h("div", { "data-testid": "results" }, h("p", {}, "loading…"));
  let shares = { solution_interest: {}, stage: {} };
  let roles = [];
  try {
    [shares, roles] = await Promise.all([api("/distributions"), api("/members-added")]);
  } catch (error) {
    showError(results, error);
  }
  const interests = Object.keys(shares.solution_interest);
  const stages = Object.keys(shares.stage).filter((s) => s !== "none");
  const number = (name, placeholder) => h("input", { name, type: "number", min: 0, max: 1000,
    step: "any", value: chosen[name], placeholder });
  const form = h("form", { class: "filters", "data-testid": "filters", onsubmit: (event) => {
    event.preventDefault();
    const given = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (String(value).trim()) given.set(name, value);
    location.hash = `#/browse?${given}`;
  } },
  field("Solution interest", choice("solution_interest_id",
    [["", "any"], ...interests.map((i) => [i, i])], chosen.solution_interest_id)),
  field("Stage", choice("stage", [["", "any"], ...stages.map((s) => [s, s])], chosen.stage)),
  field("Missing role", h("input", { name: "missing_role", list: "roles",
    value: chosen.missing_role, placeholder: "e.g. Decision Maker" })),
  h("datalist", { id: "roles" }, [...new Set(roles.map((r) => r.role))].sort()
    .map((role) => h("option", { value: role }))),
  field("Industry", h("input", { name: "industry", value: chosen.industry })),
  field("Region", h("input", { name: "region", value: chosen.region })),
  field("Completeness from", number("completeness_gte", "0")),
  field("below", number("completeness_lt", "any")),
  field("Engagement from", number("engagement_gte", "0")),
  field("below", number("engagement_lt", "any")),
  field("Sort by", choice("sort", [["engagement", "engagement"], ["completeness", "completeness"],
    ["updated", "last update"]], chosen.sort || "engagement")),
  field("Order", choice("descending", [["true", "highest first"], ["false", "lowest first"]],
    chosen.descending || "true")),
  field("Per page", choice("limit", [["10", "10"], ["20", "20"], ["50", "50"]],
    chosen.limit || "20")),
  h("div", { class: "buttons" }, h("button", { type: "submit" }, "Apply"),
    h("a", { href: "#/browse", class: "button secondary" }, "Clear")));
  view.replaceChildren(h("h1", {}, "Browse groups"), form, results);

  const query = new URLSearchParams();
  for (const name of FILTERS) if (chosen[name]) query.set(name, chosen[name]);
  const cursors = [];  // the cursors of the pages before this one
  async function show(cursor) {
    const page = new URLSearchParams(query);
    if (cursor) page.set("cursor", cursor);
    try {
      const found = await api(`/groups?${page}`);
      const first = cursors.length * Number(chosen.limit || 20);
      results.replaceChildren(
        h("p", { class: "count", "data-testid": "count", "data-total": found.total },
          `${found.total} groups match`, found.items.length
            ? ` · showing ${first + 1}–${first + found.items.length}` : ""),
        table(["Group", "Account", "Interest", "Complete", "Engaged", "Stage", "Members",
          "Missing roles"], found.items.map((g) => h("tr", { "data-group": g.group_id },
          h("td", {}, h("a", { href: groupHref(g) }, g.name)), h("td", {}, g.account_id),
          h("td", {}, g.solution_interest_id), h("td", { class: "num" }, percent(g.completeness)),
          h("td", { class: "num" }, points(g.engagement)), h("td", {}, g.stage || "–"),
          h("td", { class: "num" }, g.members), h("td", {}, g.missing_roles.join(", ") || "–"))),
        { "data-testid": "groups" }),
        h("div", { class: "buttons" },
          h("button", { type: "button", disabled: cursors.length === 0,
            onclick: () => show(cursors.pop() ?? null) }, "Previous"),
          h("button", { type: "button", disabled: !found.next_cursor, "data-testid": "next",
            onclick: () => { cursors.push(cursor); show(found.next_cursor); } }, "Next")));
      stamp();
    } catch (error) {
      showError(results, error);
    }
  }
  await show(null);
}

// ---- one group -------------------------------------------------------------------------------

function membersByRole(group) {
  const roles = group.role_completeness.map((r) => r.role);
  for (const member of group.members) if (!roles.includes(member.role)) roles.push(member.role);
  return roles.map((role) => {
    const members = group.members.filter((m) => m.role === role);
    return h("div", { class: "role", "data-role": role }, h("h3", {}, `${role} (${members.length})`),
      members.length ? h("ul", { class: "people" }, members.map((m) => h("li",
        { "data-person": m.person_id }, h("strong", {}, m.name || m.person_id),
        m.job_title ? ` · ${m.job_title}` : "", h("br"),
        h("small", {}, `${m.person_id} · ${m.source} · since ${when(m.since)}`))))
        : h("p", { class: "muted" }, "nobody"));
  });
}

function explanation(group) {
  const why = group.explanation;
  if (!why) return h("p", { class: "muted" }, "no engagement move recorded yet");
  const name = new Map(group.members.map((m) => [m.person_id, m.name || m.person_id]));
  let moved = 0;
  const rows = why.contributions.map((c) => {
    const change = c.raw_after - c.raw_before;
    moved += change;
    return h("tr", { class: "contribution" },
      h("td", {}, c.person_id ? name.get(c.person_id) || c.person_id : "–"),
      h("td", {}, c.role || "–"), h("td", {}, c.activity_type || "–"),
      h("td", { class: "num" }, points(c.weight)), h("td", { class: "num" }, points(c.raw_before)),
      h("td", { class: "num" }, points(c.raw_after)),
      h("td", { class: "num", "data-points": change }, `${change >= 0 ? "+" : ""}${points(change)}`));
  });
  const sum = why.engagement_raw_previous + moved;
  return h("div", { "data-testid": "explanation", "data-previous": why.engagement_raw_previous,
    "data-moved": moved, "data-raw": why.engagement_raw },
  h("p", {}, `What moved it last (version ${why.version}, ${why.trigger}): the raw score went `,
    `from ${points(why.engagement_raw_previous)} to ${points(why.engagement_raw)}; `,
    `normalised against the reference ${points(why.reference)} it is `,
    `${points(why.engagement)} of 100.`),
  table(["Member", "Role", "Activity", "Role share", "Points before", "Points after", "Change"],
    rows),
  h("p", { class: "sum", "data-testid": "sum" }, `${points(why.engagement_raw_previous)} before `,
    `${moved >= 0 ? "+" : "−"} ${points(Math.abs(moved))} moved = ${points(sum)}`,
    ` (raw score ${points(group.engagement_raw)})`));
}

function describe(entry) {
  switch (entry.kind) {
    case "membership":
      return `${entry.change} ${entry.person_id}` +
        (entry.previous_role && entry.role && entry.previous_role !== entry.role
          ? ` (${entry.previous_role} → ${entry.role})` : ` (${entry.role || entry.previous_role})`) +
        ` [${entry.source}${entry.reason ? `: ${entry.reason}` : ""}]`;
    case "score":
      return `completeness ${percent(entry.completeness_previous)} → ${percent(entry.completeness)}, ` +
        `engagement ${points(entry.engagement_previous)} → ${points(entry.engagement)} ` +
        `[${entry.trigger}]`;
    case "lifecycle":
      return `group ${entry.change}`;
    default:
      return `${entry.kind}: stage ${entry.previous_stage || "–"} → ${entry.stage || "–"}, ` +
        `status ${entry.previous_status || "–"} → ${entry.status || "–"} [${entry.source}]`;
  }
}

function stageCard(group) {
  const moves = group.history.filter((e) => !["membership", "score", "lifecycle"]
    .includes(e.kind));
  const since = group.stage_entered_at ? Date.now() - Date.parse(group.stage_entered_at) : null;
  return [h("p", { "data-testid": "stage" }, h("strong", {}, group.stage || "no stage"),
    since !== null ? ` for ${duration(since)} (since ${when(group.stage_entered_at)})` : "",
    h("br"), `status: ${group.status || "–"}`),
  table(["Stage", "Time spent before"], Object.entries(group.time_in_stage_ms)
    .map(([stage, ms]) => h("tr", {}, h("td", {}, stage), h("td", { class: "num" },
      duration(ms))))),
  h("h3", {}, "Stage history"),
  moves.length ? h("ol", { class: "history" }, moves.map((e) => h("li", {},
    h("small", {}, when(e.at)), " ", describe(e)))) : h("p", { class: "muted" }, "no moves")];
}

function groupView(group) {
  return [
    h("p", { class: "muted" }, `${group.account.name || group.account_id} · ` +
      `${group.account.industry || "no industry"} · ${group.account.region || "no region"} · ` +
      `${group.group_id} · version ${group.version} · updated ${when(group.updated_at)}`),
    h("div", { class: "figures" },
      h("div", {}, h("span", {}, "Completeness"), h("strong", { "data-testid": "completeness" },
        percent(group.completeness))),
      h("div", {}, h("span", {}, "Engagement"), h("strong", { "data-testid": "engagement" },
        points(group.engagement))),
      h("div", {}, h("span", {}, "Raw score"), h("strong", { "data-testid": "raw" },
        points(group.engagement_raw))),
      h("div", {}, h("span", {}, "Members"), h("strong", {}, group.members.length))),
    h("div", { class: "grid" },
      card("Members by role", ...membersByRole(group)),
      card("Role completeness", table(["Role", "Members / needed", "Complete", "Counts"],
        group.role_completeness.map((r) => h("tr", { "data-role": r.role }, h("td", {}, r.role),
          h("td", { class: "num" }, `${r.assigned} / ${r.required}`),
          h("td", { class: "num" }, percent(r.completeness)),
          h("td", {}, r.counts ? "yes" : "no")))))),
    card("Engagement: why this number", explanation(group)),
    h("div", { class: "grid" }, card("Stage", ...stageCard(group)),
      card("Latest changes", group.history.length ? h("ol", { class: "history",
        "data-testid": "history" }, group.history.slice(0, 20).map((e) => h("li", {},
        h("small", {}, `v${e.version} · ${when(e.at)}`), " ", describe(e))))
        : h("p", { class: "muted" }, "none"))),
  ];
}

async function outcome(commandId, line) {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    try {
      const found = await api(`/commands/${encodeURIComponent(commandId)}`);
      line.className = found.status;
      line.dataset.status = found.status;
      line.textContent = `${found.person_id ? `${found.person_id}: ` : ""}${found.status}` +
        (found.reason ? ` (${found.reason}${found.message ? `: ${found.message}` : ""})` : "");
      return;
    } catch (error) {
      if (error.status !== 404) { line.textContent = String(error.message); return; }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  line.textContent = `${commandId}: no answer from the engine within a minute`;
}

function actions(path, refresh) {
  const results = h("ul", { class: "results", "data-testid": "action-results",
    "aria-live": "polite" });
  async function act(event, method, suffix, body) {
    event.preventDefault();
    try {
      const accepted = await api(`${path}${suffix}`, { method, body });
      const lines = accepted.command_ids.map((id) => h("li", { "data-command": id },
        `${id}: waiting for the engine…`));
      results.prepend(...lines);
      await Promise.all(accepted.command_ids.map((id, i) => outcome(id, lines[i])));
      await refresh();
    } catch (error) {
      results.prepend(h("li", { class: "refused", "data-status": "error" }, error.message));
    }
  }
  const value = (form, name) => new FormData(form).get(name).trim();
  const person = () => h("input", { name: "person", required: true, placeholder: "person id" });
  const role = () => h("input", { name: "role", required: true, placeholder: "role",
    list: "group-roles" });
  const form = (name, submit, ...inputs) => {
    const node = h("form", { class: "action", "data-action": name }, ...inputs,
      h("button", { type: "submit" }, name));
    node.addEventListener("submit", (event) => submit(event, node));
    return node;
  };
  const enabled = Boolean(token());
  const box = h("fieldset", { disabled: !enabled },
    form("Add member", (e, f) => act(e, "POST", "/members",
      { members: [{ person_id: value(f, "person"), role: value(f, "role") }] }), person(), role()),
    form("Change role", (e, f) => act(e, "POST", "/members/role",
      { members: [{ person_id: value(f, "person"), role: value(f, "role") }] }), person(), role()),
    form("Remove member", (e, f) => act(e, "POST", "/members/remove",
      { person_ids: [value(f, "person")] }), person()),
    form("Set stage", (e, f) => act(e, "PUT", "/stage", { stage: value(f, "stage") }),
      h("input", { name: "stage", required: true, placeholder: "stage", maxlength: 100 })),
    form("Set status", (e, f) => act(e, "PUT", "/status", { status: value(f, "status") }),
      h("input", { name: "status", required: true, placeholder: "status", maxlength: 50 })));
  return card("Manual actions", enabled ? null : h("p", { class: "muted" },
    "Enter a token above to add, remove or change members, or move the stage."), box, results);
}

async function groupPage(account, interest) {
  const path = groupPath(account, interest);
  const title = h("h1", {}, `${account} / ${interest}`);
  const data = h("div", { "data-testid": "group" }, h("p", {}, "loading…"));
  const roles = h("datalist", { id: "group-roles" });
  async function refresh() {
    try {
      const group = await api(path);
      title.textContent = group.name;
      document.title = `${group.name} · buying groups`;
      roles.replaceChildren(...group.role_completeness.map((r) => h("option", { value: r.role })));
      data.replaceChildren(...groupView(group));
      stamp();
    } catch (error) {
      showError(data, error);
    }
  }
  view.replaceChildren(title, data, roles, actions(path, refresh));
  await refresh();
  every(LIVE_MS * 2, refresh);
}

// ---- the frame -------------------------------------------------------------------------------

function route() {
  while (timers.length) clearInterval(timers.pop());
  const [where, query = ""] = location.hash.replace(/^#/, "").split("?");
  const parts = where.split("/").filter(Boolean).map(decodeURIComponent);
  for (const link of document.querySelectorAll("nav a")) {
    link.classList.toggle("current", link.dataset.page === (parts[0] || "overview"));
  }
  document.title = "buying groups";
  view.replaceChildren(h("p", { class: "muted" }, "loading…"));
  if (parts[0] === "browse") return browse(new URLSearchParams(query));
  if (parts[0] === "group" && parts.length === 3) return groupPage(parts[1], parts[2]);
  return overview();
}

const tokenForm = document.querySelector("#token");
tokenForm.elements.token.value = token();
tokenForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const given = tokenForm.elements.token.value.trim();
  if (given) sessionStorage.setItem("bg-token", given);
  else sessionStorage.removeItem("bg-token");
  route();
});
window.addEventListener("hashchange", route);
route();
