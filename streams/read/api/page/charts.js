// Charts as inline SVG, drawn from plain numbers: horizontal bars and stacked monthly columns.
const SVG = "http://www.w3.org/2000/svg";
export const PALETTE = ["#2f6fb3", "#e08a2c", "#3a9a5b", "#c2464f", "#7a5ab8", "#8c6d4f",
  "#d46fb0", "#6b7b8c", "#b5b02f", "#2fb0b5"];

function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

function clip(label, size) {
  return label.length > size ? `${label.slice(0, size - 1)}…` : label;
}

// One bar per {label, value}; `href(label)` makes a bar a link. Scales to its container.
export function barChart(rows, { title, href = null, colour = PALETTE[0] } = {}) {
  const width = 360, rowHeight = 24, labelWidth = 120, valueWidth = 44;
  const height = Math.max(rows.length, 1) * rowHeight + 4;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": title, class: "chart bars" });
  chart.append(svg("title", {}, title));
  const top = Math.max(1, ...rows.map((row) => row.value));
  const room = width - labelWidth - valueWidth;
  rows.forEach((row, index) => {
    const y = index * rowHeight + 2;
    const bar = svg("g", { class: "bar", "data-label": row.label, "data-value": row.value });
    bar.append(svg("text", { x: labelWidth - 6, y: y + 16, "text-anchor": "end",
      class: "label" }, clip(row.label, 18)));
    bar.append(svg("rect", { x: labelWidth, y: y + 3, height: rowHeight - 6, rx: 3,
      width: Math.max(row.value > 0 ? 2 : 0, (row.value / top) * room), fill: colour }));
    bar.append(svg("text", { x: labelWidth + (row.value / top) * room + 4, y: y + 16,
      class: "value" }, String(row.value)));
    bar.querySelector("text.label").append(svg("title", {}, row.label));
    if (href) {
      const link = svg("a", { href: href(row.label) });
      link.append(bar);
      chart.append(link);
    } else {
      chart.append(bar);
    }
  });
  if (rows.length === 0) chart.append(svg("text", { x: 8, y: 18, class: "label" }, "nothing yet"));
  return chart;
}

// Columns per month, stacked by role: rows of {month, role, added}. Returns the chart and its
// legend (role -> colour).
export function stackedColumns(rows, { title }) {
  const months = [...new Set(rows.map((row) => row.month))].sort();
  const roles = [...new Set(rows.map((row) => row.role))].sort();
  const colour = new Map(roles.map((role, i) => [role, PALETTE[i % PALETTE.length]]));
  const totals = months.map((month) => rows.filter((r) => r.month === month)
    .reduce((sum, r) => sum + r.added, 0));
  const width = 360, height = 180, base = 150, left = 34;
  const columnWidth = Math.min(48, (width - left - 6) / Math.max(months.length, 1));
  const top = Math.max(1, ...totals);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": title, class: "chart columns" });
  chart.append(svg("title", {}, title));
  chart.append(svg("line", { x1: left, y1: base, x2: width, y2: base, class: "axis" }));
  chart.append(svg("text", { x: left - 4, y: 12, "text-anchor": "end", class: "value" },
    String(top)));
  months.forEach((month, i) => {
    const x = left + i * columnWidth + 3;
    let y = base;
    const column = svg("g", { class: "column", "data-month": month, "data-total": totals[i] });
    for (const role of roles) {
      const row = rows.find((r) => r.month === month && r.role === role);
      if (!row || row.added === 0) continue;
      const size = (row.added / top) * (base - 16);
      y -= size;
      const part = svg("rect", { x, y, width: columnWidth - 6, height: size,
        fill: colour.get(role), "data-role": role, "data-added": row.added });
      part.append(svg("title", {}, `${month} ${role || "(no role)"}: ${row.added}`));
      column.append(part);
    }
    column.append(svg("text", { x: x + (columnWidth - 6) / 2, y: base + 14,
      "text-anchor": "middle", class: "label" }, month.slice(2)));
    chart.append(column);
  });
  if (months.length === 0) chart.append(svg("text", { x: left + 8, y: 40, class: "label" },
    "nothing yet"));
  return { chart, legend: roles.map((role) => ({ role: role || "(no role)",
    colour: colour.get(role) })) };
}
