/**
 * The console's URLs, in one place so pages and the routes that will serve them agree. Pages
 * link only through these.
 */
const visit = (id: string) => `/console/visits/${encodeURIComponent(id)}`;

export type VisitAction = 'verify' | 'approve' | 'reject' | 'issue-badge' | 'check-out' | 'close' | 'cancel';

export const paths = {
  home: '/console',
  signIn: '/console/sign-in',
  signOut: '/console/sign-out',
  setup: '/console/setup',
  /** SOP step 1, public. */
  request: '/console/request',
  queue: '/console/queue',
  visit,
  visitAction: (id: string, action: VisitAction) => `${visit(id)}/${action}`,
  door: '/console/door',
  doorStream: '/console/door/stream',
  doorMode: '/console/door/mode',
  doorUnlock: '/console/door/unlock',
  register: '/console/register',
  registerCsv: '/console/register.csv',
  rollCall: '/console/roll-call',
  users: '/console/users',
  /** Served by @fastify/static from consoleAssetsDir(), plus htmx from node_modules. */
  asset: (name: 'console.css' | 'console-views.css' | 'console.js' | 'htmx.min.js') => `/assets/${name}`,
} as const;

/** `path?k=v&…` with empty values left out; values are URL-encoded (escape the result in HTML too). */
export function withQuery(path: string, query: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
