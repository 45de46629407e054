// Browse: the combined filters of /groups (the list filters' choices from /filters, with their
// numbers of groups), sorting, counts and paging by the API's cursors.
import { api } from "./api.js";
import { groupHref, h, percent, points, showError, stamp, table, view } from "./dom.js";

const FILTERS = ["solution_interest_id", "stage", "missing_role", "industry", "region",
  "completeness_gte", "completeness_lt", "engagement_gte", "engagement_lt", "sort",
  "descending", "limit"];
// Each list filter: its parameter, its label, and its key in /filters.
const LISTS = [["solution_interest_id", "Solution interest", "solution_interests"],
  ["stage", "Stage", "stages"], ["missing_role", "Missing role", "missing_roles"],
  ["industry", "Industry", "industries"], ["region", "Region", "regions"]];
const NO_CHOICES = Object.fromEntries(LISTS.map(([, , kind]) => [kind, []]));

function field(label, input) {
  return h("label", {}, h("span", {}, label), input);
}

function choice(name, options, chosen) {
  // A value given in the address but not among the options stays chosen.
  const known = options.some(([value]) => value === chosen);
  const all = known || !chosen ? options : [...options, [chosen, chosen]];
  return h("select", { name }, all.map(([value, text]) =>
    h("option", { value, selected: value === chosen }, text)));
}

function listChoice(name, values, chosen) {
  return choice(name, [["", "any"], ...values.map((v) => [v.value, `${v.value} (${v.groups})`])],
    chosen);
}

function filterForm(chosen, choices) {
  const number = (name, placeholder) => h("input", { name, type: "number", min: 0, max: 1000,
    step: "any", value: chosen[name], placeholder });
  const form = h("form", { class: "filters", "data-testid": "filters", onsubmit: (event) => {
    event.preventDefault();
    const given = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (String(value).trim()) given.set(name, value);
    location.hash = `#/browse?${given}`;
  } },
  LISTS.map(([name, label, kind]) => field(label, listChoice(name, choices[kind], chosen[name]))),
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
  return form;
}

function groupRows(items) {
  return table(["Group", "Account", "Interest", "Complete", "Engaged", "Stage", "Members",
    "Missing roles"], items.map((g) => h("tr", { "data-group": g.group_id },
    h("td", {}, h("a", { href: groupHref(g) }, g.name)), h("td", {}, g.account_id),
    h("td", {}, g.solution_interest_id), h("td", { class: "num" }, percent(g.completeness)),
    h("td", { class: "num" }, points(g.engagement)), h("td", {}, g.stage || "–"),
    h("td", { class: "num" }, g.members), h("td", {}, g.missing_roles.join(", ") || "–"))),
  { "data-testid": "groups" });
}

export async function browse(params) {
  const chosen = Object.fromEntries(FILTERS.map((name) => [name, params.get(name) || ""]));
  const results = h("div", { "data-testid": "results" }, h("p", {}, "loading…"));
  let choices = NO_CHOICES;
  try {
    choices = await api("/filters");
  } catch (error) {
    showError(results, error);
  }
  view.replaceChildren(h("h1", {}, "Browse groups"), filterForm(chosen, choices), results);

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
        groupRows(found.items),
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
