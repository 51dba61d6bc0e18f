/**
 * A tiny browser over inject() for console route tests: keeps cookies, reads the CSRF token a
 * page carries, posts forms urlencoded.
 */
import type { LightMyRequestResponse } from 'fastify';
import type { TestRig } from '../../fixtures/runtime.js';

/** HTML routes of the console (pages, assets): not part of the JSON API's matrix nor its OpenAPI. */
export function isConsoleRoute(url: string): boolean {
  return url === '/' || url === '/*' || url === '/request' || /^\/(console|assets)(\/|$)/.test(url);
}

export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  csrf: string | null = null;

  constructor(
    private readonly rig: TestRig,
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  /** Signs in through the JSON API and keeps the session cookie. */
  async signIn(username: string, password: string): Promise<this> {
    const token = await this.rig.login(username, password);
    this.cookies.set('jk_session', token);
    await this.get('/console/queue');
    return this;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: LightMyRequestResponse): void {
    const set = res.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const k = pair!.slice(0, eq);
      const v = pair!.slice(eq + 1);
      if (/Max-Age=0/.test(c)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    const m =
      /<meta name="csrf-token" content="([^"]+)">/.exec(res.body) ??
      /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (m) this.csrf = m[1]!;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.rig.inject({
      method: 'GET',
      url,
      headers: { ...this.extraHeaders, cookie: this.cookieHeader(), ...headers },
    });
    this.keep(res);
    return res;
  }

  /** Posts a form with the current CSRF token unless `_csrf` is given (null: none at all). */
  async post(
    url: string,
    form: Record<string, string | string[]>,
    opts: { csrf?: string | null; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    const token = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (token !== null) body.append('_csrf', token);
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    const res = await this.rig.inject({
      method: 'POST',
      url,
      headers: {
        ...this.extraHeaders,
        'content-type': 'application/x-www-form-urlencoded',
        cookie: this.cookieHeader(),
        ...(opts.headers ?? {}),
      },
      payload: body.toString(),
    });
    this.keep(res);
    return res;
  }
}
