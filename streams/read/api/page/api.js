// Talking to the API of the page's own origin, with the token given in the header (if any).

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body && body.detail;
    const text = Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : detail;
    super(`${status}: ${text || "request failed"}`);
    this.status = status;
  }
}

export function token() {
  return sessionStorage.getItem("bg-token") || "";
}

export function keepToken(given) {
  if (given) sessionStorage.setItem("bg-token", given);
  else sessionStorage.removeItem("bg-token");
}

export async function api(path, { method = "GET", body = null } = {}) {
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

export function groupPath(account, interest) {
  return `/groups/${encodeURIComponent(account)}/${encodeURIComponent(interest)}`;
}
