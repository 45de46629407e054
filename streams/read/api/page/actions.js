// Manual actions on a group (add, remove, change role; stage and status) when a token is given,
// and the engine's answer to each command once the read model has it.
import { api, token } from "./api.js";
import { card, h } from "./dom.js";

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

const value = (form, name) => new FormData(form).get(name).trim();
const person = () => h("input", { name: "person", required: true, placeholder: "person id" });
const role = () => h("input", { name: "role", required: true, placeholder: "role",
  list: "group-roles" });

function form(name, submit, ...inputs) {
  const node = h("form", { class: "action", "data-action": name }, ...inputs,
    h("button", { type: "submit" }, name));
  node.addEventListener("submit", (event) => submit(event, node));
  return node;
}

export function actions(path, refresh) {
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
