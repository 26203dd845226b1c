// The agent's REST API, as the console uses it. Every failure becomes an ApiError carrying the
// API's own {"errors":[{"field","reason"}]} list, so that callers can show each reason next to the
// field it names instead of a generic "request failed".

const BASE = 'api/v1';
const TOKEN_KEY = 'tapswitch.token';

export class ApiError extends Error {
  /** @param status HTTP status, 0 when the agent could not be reached */
  constructor(status, errors) {
    super(errors.map((e) => (e.field ? `${e.field}: ${e.reason}` : e.reason)).join('; '));
    this.status = status;
    this.errors = errors;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

export function authHeaders() {
  const t = token();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/** Listeners told about a 401, so that the page can ask for the token. */
const unauthorizedListeners = new Set();
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
}

export function url(path) {
  return `${BASE}${path}`;
}

/**
 * One API call. Resolves with the parsed JSON body (null for 204); rejects with an ApiError.
 *
 * @param body a value to send as JSON, or undefined for none
 */
export async function request(method, path, body) {
  const headers = { Accept: 'application/json', ...authHeaders() };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(url(path), {
      method,
      headers,
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, [{ field: '', reason: `cannot reach the agent (${e.message})` }]);
  }
  if (res.status === 204) {
    return null;
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    if (res.status === 401) {
      unauthorizedListeners.forEach((l) => l());
    }
    const errors = json && Array.isArray(json.errors) && json.errors.length > 0
      ? json.errors
      : [{ field: '', reason: `HTTP ${res.status} ${res.statusText}: ${text.slice(0, 200)}` }];
    throw new ApiError(res.status, errors);
  }
  return json;
}

export const api = {
  switchInfo: () => request('GET', '/switch'),
  ports: () => request('GET', '/ports'),
  port: (name) => request('GET', `/ports/${encodeURIComponent(name)}`),
  setAdmin: (name, enabled) => request('PUT', `/ports/${encodeURIComponent(name)}/admin`, { enabled }),
  setVlan: (name, vlan) => request('PUT', `/ports/${encodeURIComponent(name)}/vlan`, vlan),
  setImpair: (name, impair) => request('PUT', `/ports/${encodeURIComponent(name)}/impair`, impair),
  fdb: () => request('GET', '/fdb'),
  flushFdb: (port, vlan) => {
    const q = new URLSearchParams();
    if (port) q.set('port', port);
    if (vlan !== '' && vlan !== undefined && vlan !== null) q.set('vlan', vlan);
    const qs = q.toString();
    return request('DELETE', `/fdb${qs ? `?${qs}` : ''}`);
  },
  vlans: () => request('GET', '/vlans'),
  mirrors: () => request('GET', '/mirrors'),
  vms: () => request('GET', '/vms'),
  addMirror: (spec) => request('POST', '/mirrors', spec),
  removeMirror: (name) => request('DELETE', `/mirrors/${encodeURIComponent(name)}`),
  trace: (probe) => request('POST', '/trace', probe),
  openApi: () => request('GET', '/openapi.json'),
  fabric: () => request('GET', '/fabric'),
  autoAttach: () => request('GET', '/auto-attach'),
  hostPorts: (host) => request('GET', `/hosts/${encodeURIComponent(host)}/ports`),
  hostFdb: (host) => request('GET', `/hosts/${encodeURIComponent(host)}/fdb`),
};
