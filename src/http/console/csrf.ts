/**
 * CSRF tokens for the console's forms and htmx requests. With a session the token is an HMAC of
 * the session token under a secret made at boot, so it is bound to that session and needs no
 * storage (a restart changes it: a form loaded before the restart asks to be reloaded). Before a
 * session exists — sign-in, first-run setup, the public request form — it is a double-submit
 * cookie: a random value in an HttpOnly SameSite=Strict cookie that the form must echo.
 *
 * Every unsafe console request must carry the token in the `_csrf` field or the `x-csrf-token`
 * header; the app-wide Origin check (src/http/origin.ts) comes on top.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { readCookie } from './i18n/index.js';
import { CSRF_FIELD, CSRF_HEADER } from './layout.js';

export const PRE_SESSION_COOKIE = 'jk_csrf';

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export class Csrf {
  readonly #secret = randomBytes(32);

  /** The token of a session. */
  forSession(sessionToken: string): string {
    return createHmac('sha256', this.#secret).update(`csrf:${sessionToken}`).digest('base64url');
  }

  /**
   * The token a page rendered for this request carries: the session's, or the pre-session
   * cookie's (set now when the browser has none).
   */
  tokenFor(req: FastifyRequest, reply: FastifyReply, secure: boolean): string {
    if (req.sessionToken) return this.forSession(req.sessionToken);
    const existing = preSessionToken(req);
    if (existing) return existing;
    const fresh = randomBytes(32).toString('base64url');
    void reply.header(
      'set-cookie',
      `${PRE_SESSION_COOKIE}=${fresh}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`,
    );
    // Later renders within this request (an error page) reuse it.
    req.headers.cookie = `${req.headers.cookie ? `${req.headers.cookie}; ` : ''}${PRE_SESSION_COOKIE}=${fresh}`;
    return fresh;
  }

  /** Throws csrf_invalid unless the request carries the token it should. */
  check(req: FastifyRequest): void {
    const expected = req.sessionToken ? this.forSession(req.sessionToken) : preSessionToken(req);
    const sent = sentToken(req);
    if (!expected || !sent || !equal(expected, sent)) throw new AppError('csrf_invalid');
  }
}

function preSessionToken(req: FastifyRequest): string | null {
  const v = readCookie(req.headers.cookie, PRE_SESSION_COOKIE);
  return v && TOKEN_RE.test(v) ? v : null;
}

function sentToken(req: FastifyRequest): string | null {
  const header = req.headers[CSRF_HEADER];
  if (typeof header === 'string' && header) return header;
  const body = req.body as Record<string, unknown> | null | undefined;
  const field = body && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
  return typeof field === 'string' && field ? field : null;
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
