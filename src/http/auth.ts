/**
 * Who is calling: the session token (bearer header or cookie) resolved to an active user, and the
 * roles each route admits. The hook goes on the root instance before any route plugin is
 * registered, so every encapsulated plugin (the JSON API, the console) inherits it. A route that
 * declares no access is refused to everyone.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';
import type { Actor, Role } from '../domain/types.js';
import type { UserService } from '../services/user-service.js';
import type { Sessions } from './sessions.js';

export type Access = 'public' | 'authenticated' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | null;
    sessionToken: string | null;
  }
}

export const ADMINS: readonly Role[] = ['admin', 'superadmin'];
export const SUPERADMIN: readonly Role[] = ['superadmin'];

export const SESSION_COOKIE = 'jk_session';

/**
 * The Set-Cookie value for a session token; an empty token with maxAge 0 signs out. HttpOnly and
 * SameSite=Strict always; Secure when the request came over TLS (`isTls`).
 */
export function sessionCookie(token: string, maxAgeSeconds: number, secure = false): string {
  return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

/** Whether the request reached us over TLS (directly, or via a trusted proxy: http.trustProxy). */
export function isTls(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new AppError('unauthenticated');
  return req.actor;
}

function tokenOf(req: FastifyRequest): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim() || null;
  const cookie = req.headers.cookie;
  if (!cookie) return null;
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === SESSION_COOKIE) return decodeURIComponent(v.join('='));
  }
  return null;
}

/** Decorates requests with the actor and adds the access hook. Call on the root instance. */
export function registerAuth(
  app: FastifyInstance,
  deps: { sessions: Sessions; users: Pick<UserService, 'get'> },
): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionToken', null);

  const userOf = (token: string | null) => {
    const userId = token ? deps.sessions.resolve(token) : null;
    if (!userId) return null;
    try {
      return deps.users.get(userId);
    } catch {
      return null; // a session whose user is gone is no session
    }
  };

  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config?.access;
    if (!req.routeOptions.url) return; // 404s fall through to the not-found handler
    const token = tokenOf(req);
    if (access === 'public') {
      // Public pages still know a signed-in viewer (the console's walk-in form, its navigation).
      const user = token ? userOf(token) : null;
      if (token && user?.active) {
        req.actor = { id: user.id, role: user.role, name: user.displayName };
        req.sessionToken = token;
      }
      return;
    }
    const user = userOf(token);
    if (!token || !user?.active) throw new AppError('unauthenticated');
    req.actor = { id: user.id, role: user.role, name: user.displayName };
    req.sessionToken = token;
    if (access === 'authenticated') return;
    if (!access?.includes(user.role)) {
      throw new AppError('forbidden', { role: user.role, allowed: access ?? [] });
    }
  });
}
