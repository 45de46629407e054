// "Why this number": the current raw score summed per member, role and activity type (the
// API's engagement_breakdown), every part, and what moved the score last (its explanation).
import { h, points, table } from "./dom.js";

function share(value, total) {
  return total > 0 ? `${((100 * value) / total).toFixed(0)}%` : "–";
}

function sums(testid, headings, rows, total) {
  return h("div", { "data-testid": testid }, table([...headings, "Points", "Share"],
    rows.map(({ cells, value }) => h("tr", { "data-points": value }, cells.map((c) =>
      h("td", {}, c)), h("td", { class: "num" }, points(value)),
    h("td", { class: "num" }, share(value, total))))));
}

function breakdown(group) {
  const whole = group.engagement_breakdown;
  if (!whole) return h("p", { class: "muted" }, "no engagement recorded yet");
  const total = whole.engagement_raw;
  const verdict = whole.adds_up ? "" : " (the parts do not give this score: some score " +
    "changes are missing from the read model; a rebuild from complete topics restores them)";
  return h("div", { "data-testid": "breakdown", "data-raw": total, "data-total": whole.total,
    "data-adds-up": whole.adds_up },
  h("p", {}, `The raw score ${points(total)} is the sum of ${whole.parts.length} parts ` +
    "(a member's points of one activity type, weighted by their role's share); normalised " +
    `against the reference it gives ${points(group.engagement)} of 100.${verdict}`),
  h("div", { class: "grid" },
    h("div", {}, h("h3", {}, "By member"), sums("by-member", ["Member", "Roles"],
      whole.by_member.map((m) => ({ cells: [m.name || m.person_id, m.roles.join(", ")],
        value: m.points })), total)),
    h("div", {}, h("h3", {}, "By role"), sums("by-role", ["Role"],
      whole.by_role.map((r) => ({ cells: [r.role], value: r.points })), total)),
    h("div", {}, h("h3", {}, "By activity type"), sums("by-activity", ["Activity type"],
      whole.by_activity_type.map((a) => ({ cells: [a.activity_type], value: a.points })),
      total))),
  h("details", {}, h("summary", {}, `Every part (${whole.parts.length})`),
    table(["Member", "Role", "Activity type", "Points"], whole.parts.map((p) =>
      h("tr", { class: "part", "data-points": p.points }, h("td", {}, p.name || p.person_id),
        h("td", {}, p.role), h("td", {}, p.activity_type),
        h("td", { class: "num" }, points(p.points)))))));
}

function lastMove(group) {
  const why = group.explanation;
  if (!why) return null;
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
  return h("div", { "data-testid": "explanation", "data-previous": why.engagement_raw_previous,
    "data-moved": moved, "data-raw": why.engagement_raw },
  h("h3", {}, "What moved it last"),
  h("p", {}, `Version ${why.version} (${why.trigger}): the raw score went from `,
    `${points(why.engagement_raw_previous)} to ${points(why.engagement_raw)}; normalised `,
    `against the reference ${points(why.reference)} it is ${points(why.engagement)} of 100.`),
  table(["Member", "Role", "Activity", "Role share", "Points before", "Points after", "Change"],
    rows),
  h("p", { class: "sum", "data-testid": "sum" }, `${points(why.engagement_raw_previous)} before `,
    `${moved >= 0 ? "+" : "−"} ${points(Math.abs(moved))} moved = `,
    `${points(why.engagement_raw)}`));
}

export function explanation(group) {
  return [breakdown(group), lastMove(group)];
}
