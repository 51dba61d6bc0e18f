/**
 * Cross-site request refusal for every unsafe method, JSON API and console alike: a request whose
 * Origin header (or, when a browser sent none, its Referer) names another host than the one it
 * was sent to is refused with `origin_refused` before any route runs. A request with neither
 * header — curl, scripts, Bearer-token API clients — passes: it is not a browser acting for
 * another site. Registered on the root instance before the auth hook.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin a request claims to come from: Origin, else the Referer's origin; null when neither. */
export function claimedOrigin(req: FastifyRequest): string | null {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== '') return origin;
  const referer = req.headers.referer;
  if (typeof referer === 'string' && referer !== '') return referer;
  return null;
}

/** Whether a claimed origin is this host (scheme-agnostic: the proxy in front may end TLS). */
export function sameHost(claimed: string, host: string): boolean {
  try {
    const url = new URL(claimed);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    // URL drops a default port ("http://h:80" → "h"); the Host header may keep it.
    const own = new URL(`${url.protocol}//${host}`);
    return url.host === own.host;
  } catch {
    return false; // "null" (a sandboxed frame, a file:// page) or garbage: not us
  }
}

export function registerOriginCheck(app: FastifyInstance): void {
  app.addHook('onRequest', async (req) => {
    if (SAFE_METHODS.has(req.method)) return;
    const claimed = claimedOrigin(req);
    if (claimed === null) return;
    // req.host is the Host header (X-Forwarded-Host behind a trusted proxy).
    if (!sameHost(claimed, req.host)) throw new AppError('origin_refused', { method: req.method });
  });
}
