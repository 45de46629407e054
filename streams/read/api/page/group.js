// One group: members by role, role completeness, the engagement and why, stage with time in
// stage and its whole history, latest changes, manual actions; refreshed every 6 s.
import { actions } from "./actions.js";
import { api, groupPath } from "./api.js";
import { card, duration, every, h, percent, points, showError, stamp, table, view, when }
  from "./dom.js";
import { explanation } from "./explain.js";

const LIVE_MS = 6000;

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

export function describe(entry) {
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
  const moves = group.stage_history;
  const since = group.stage_entered_at ? Date.now() - Date.parse(group.stage_entered_at) : null;
  return [h("p", { "data-testid": "stage" }, h("strong", {}, group.stage || "no stage"),
    since !== null ? ` for ${duration(since)} (since ${when(group.stage_entered_at)})` : "",
    h("br"), `status: ${group.status || "–"}`),
  table(["Stage", "Time spent before"], Object.entries(group.time_in_stage_ms)
    .map(([stage, ms]) => h("tr", {}, h("td", {}, stage), h("td", { class: "num" },
      duration(ms))))),
  h("h3", {}, "Stage history"),
  moves.length ? h("ol", { class: "history", "data-testid": "stage-history" }, moves.map((e) =>
    h("li", {}, h("small", {}, when(e.at)), " ", describe(e))))
    : h("p", { class: "muted" }, "no moves")];
}

function figures(group) {
  const figure = (label, testid, text) => h("div", {}, h("span", {}, label),
    h("strong", { "data-testid": testid }, text));
  return h("div", { class: "figures" },
    figure("Completeness", "completeness", percent(group.completeness)),
    figure("Engagement", "engagement", points(group.engagement)),
    figure("Raw score", "raw", points(group.engagement_raw)),
    figure("Members", "members", group.members.length));
}

function groupView(group) {
  return [
    h("p", { class: "muted" }, `${group.account.name || group.account_id} · ` +
      `${group.account.industry || "no industry"} · ${group.account.region || "no region"} · ` +
      `${group.group_id} · version ${group.version} · updated ${when(group.updated_at)}`),
    figures(group),
    h("div", { class: "grid" },
      card("Members by role", ...membersByRole(group)),
      card("Role completeness", table(["Role", "Members / needed", "Complete", "Counts"],
        group.role_completeness.map((r) => h("tr", { "data-role": r.role }, h("td", {}, r.role),
          h("td", { class: "num" }, `${r.assigned} / ${r.required}`),
          h("td", { class: "num" }, percent(r.completeness)),
          h("td", {}, r.counts ? "yes" : "no")))))),
    card("Engagement: why this number", ...explanation(group)),
    h("div", { class: "grid" }, card("Stage", ...stageCard(group)),
      card("Latest changes", group.history.length ? h("ol", { class: "history",
        "data-testid": "history" }, group.history.slice(0, 20).map((e) => h("li", {},
        h("small", {}, `v${e.version} · ${when(e.at)}`), " ", describe(e))))
        : h("p", { class: "muted" }, "none"))),
  ];
}

export async function groupPage(account, interest) {
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
      // An open "every part" list stays open across refreshes.
      const open = data.querySelector("details[open]") !== null;
      data.replaceChildren(...groupView(group));
      if (open) data.querySelector("details")?.setAttribute("open", "");
      stamp();
    } catch (error) {
      showError(data, error);
    }
  }
  view.replaceChildren(title, data, roles, actions(path, refresh));
  await refresh();
  every(LIVE_MS, refresh);
}
