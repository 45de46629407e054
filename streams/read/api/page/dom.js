// Building the page: elements (text never parsed as HTML), tables, cards, number formats, the
// live timers of the current view.

export const view = document.querySelector("#view");
const timers = [];

// h("a", {href: "#/"}, "text", child...): an element; text is never parsed as HTML.
export function h(tag, attrs = {}, ...children) {
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

export const percent = (value) => `${Number(value).toFixed(0)}%`;
export const points = (value) => Number(value).toFixed(2);
export const when = (iso) => (iso ? new Date(iso).toLocaleString() : "–");

export function duration(ms) {
  const minutes = Math.floor(ms / 60000);
  if (minutes < 1) return `${Math.floor(ms / 1000)} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function groupHref(item) {
  return `#/group/${encodeURIComponent(item.account_id)}/` +
    `${encodeURIComponent(item.solution_interest_id)}`;
}

export function table(headings, rows, attrs = {}) {
  return h("div", { class: "scroll" }, h("table", attrs,
    h("thead", {}, h("tr", {}, headings.map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, rows)));
}

export function card(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

// Run `work` every `ms` while the current view shows; `stopTimers` ends them on a new route.
export function every(ms, work) {
  timers.push(setInterval(work, ms));
}

export function stopTimers() {
  while (timers.length) clearInterval(timers.pop());
}

export function showError(where, error) {
  where.replaceChildren(h("p", { class: "error", role: "alert" }, String(error.message || error)));
}

export function stamp() {
  document.querySelector("#updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
}

export function swatch(colour) {
  const box = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  box.setAttribute("viewBox", "0 0 10 10");
  box.setAttribute("class", "swatch");
  const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  for (const [k, v] of [["width", 10], ["height", 10], ["fill", colour]]) rect.setAttribute(k, v);
  box.append(rect);
  return box;
}
