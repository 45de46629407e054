// The dashboard page: overview, browse and one group, over the API of the same origin.
// Routes live in the address's hash: #/ (overview), #/browse?filters, #/group/<account>/<interest>.
// Modules by concern: api.js (requests, token), dom.js (elements, formats, timers), charts.js,
// overview.js, browse.js, group.js (with explain.js and actions.js).
import { keepToken, token } from "./api.js";
import { browse } from "./browse.js";
import { h, stopTimers, view } from "./dom.js";
import { groupPage } from "./group.js";
import { overview } from "./overview.js";

function route() {
  stopTimers();
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
  keepToken(tokenForm.elements.token.value.trim());
  route();
});
window.addEventListener("hashchange", route);
route();
