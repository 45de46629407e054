// The overview: the distributions as charts, top groups and members, members added per role
// per month; live (polled every 3 s, no reload).
import { api } from "./api.js";
import { barChart, stackedColumns } from "./charts.js";
import { card, every, groupHref, h, percent, points, showError, stamp, swatch, table, view }
  from "./dom.js";

const LIVE_MS = 3000;
const BAND_BOUNDS = { "0-25": [0, 25], "25-50": [25, 50], "50-75": [50, 75], "75-100": [75, 1000] };
const CHARTS = [["completeness", "Groups per completeness band"],
  ["engagement", "Groups per engagement band"], ["interest", "Groups per solution interest"],
  ["stage", "Groups per stage"], ["top", "Top 5 groups by engagement"],
  ["members", "Top members by person engagement"],
  ["added", "Members added per role per month"]];

function bandRows(counts) {
  return Object.entries(counts).map(([label, value]) => ({ label, value }));
}

export function browseLink(params) {
  return `#/browse?${new URLSearchParams(params)}`;
}

function bandHref(field) {
  return (label) => {
    const [low, high] = BAND_BOUNDS[label];
    return browseLink({ [`${field}_gte`]: low, [`${field}_lt`]: high });
  };
}

function distributionCharts(slots, shares) {
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
}

function topGroups(top) {
  return table(["Group", "Engagement", "Complete", "Stage"],
    top.map((g) => h("tr", {}, h("td", {}, h("a", { href: groupHref(g) }, g.name)),
      h("td", { class: "num" }, points(g.engagement)),
      h("td", { class: "num" }, percent(g.completeness)), h("td", {}, g.stage || "–"))));
}

function topMembers(members) {
  return table(["Person", "Title", "Score", "Groups"],
    members.map((m) => h("tr", {}, h("td", {}, m.name || m.person_id),
      h("td", {}, m.job_title || "–"), h("td", { class: "num" }, points(m.score)),
      h("td", {}, m.groups.map((id) => {
        const [account, interest] = id.split("/");
        return h("a", { href: groupHref({ account_id: account,
          solution_interest_id: interest }), class: "chip" }, interest || id);
      })))));
}

export async function overview() {
  const charts = h("div", { class: "grid", "data-testid": "overview" });
  view.replaceChildren(h("h1", {}, "Overview"), charts);
  const slots = {};
  for (const [name, title] of CHARTS) {
    slots[name] = h("div", { "data-testid": `chart-${name}` });
    charts.append(card(title, slots[name]));
  }

  async function refresh() {
    try {
      const [shares, top, members, added] = await Promise.all([api("/distributions"),
        api("/top/groups?limit=5"), api("/top/members?limit=10"), api("/members-added")]);
      distributionCharts(slots, shares);
      slots.top.replaceChildren(topGroups(top));
      slots.members.replaceChildren(topMembers(members));
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
