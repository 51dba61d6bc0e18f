/**
 * The fastify app factory, separate from listen() so tests drive it with inject(). Every route
 * declares the roles that may call it; a route that declares none is refused to everyone.
 */

import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { AppError, errorBody, type Lang } from '../domain/errors.js';
import type { Actor, Role } from '../domain/types.js';
import type { DoorController } from '../door/door-controller.js';
import type { SimInput, SimReader } from '../hardware/sim/sim-drivers.js';
import type { BadgeService } from '../services/badge-service.js';
import type { EnrolmentService } from '../services/enrolment-service.js';
import type { PassService } from '../services/pass-service.js';
import type { UserService } from '../services/user-service.js';
import type { VisitService } from '../services/visit-service.js';
import type { Journal } from '../store/journal.js';
import { VERSION } from '../version.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerDoorRoutes } from './routes/door.js';
import { registerEnrolmentRoutes } from './routes/enrolment.js';
import { registerPassRoutes } from './routes/passes.js';
import { registerVisitRoutes } from './routes/visits.js';
import { Sessions } from './sessions.js';

export interface SimHardware {
  readers: Map<string, SimReader>;
  doorContact: SimInput;
  exitButton: SimInput;
}

export interface AppDeps {
  config: Config;
  logger: Logger;
  visits: VisitService;
  users: UserService;
  badges: BadgeService;
  door: DoorController;
  journal: Journal;
  sim: SimHardware | null;
  health: () => Record<string, unknown> & { ok: boolean };
  /** One-time first-start token; null once a user exists. */
  setup: { token: string | null };
  clock: () => Date;
  /** QR passes; absent or null: the pass routes answer that the service is not running. */
  passes?: PassService | null;
  /** Badge enrolment by tap; absent: the enrolment routes answer that no enrol reader is configured. */
  enrolments?: EnrolmentService;
}

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

export const SESSION_COOKIE = 'jk_session';

export function langOf(req: FastifyRequest): Lang {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (q === 'en' || q === 'id') return q;
  const h = req.headers['accept-language'];
  return typeof h === 'string' && /^en\b/i.test(h.trim()) ? 'en' : 'id';
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

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger and fastify's base logger type differ only in generics.
    loggerInstance: deps.logger.child({ module: 'http' }) as unknown as FastifyBaseLogger,
    bodyLimit: deps.config.http.bodyLimitBytes,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    // Request URLs never carry personal data, but log only the path, never query strings.
    requestIdHeader: false,
    // The router's own refusals (a path parameter over maxParamLength, a malformed %-escape) would
    // otherwise bypass the error handler: uncoded, a 414 for an over-long id, and echoing the path.
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const rule = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'path_parameter_too_long' : 'malformed_url';
      void reply
        .status(400)
        .send(errorBody(new AppError('validation_failed', { context: 'url', rule }), langOf(req)));
    },
  });
  const sessions = new Sessions(deps.config.http.sessionTtlMinutes * 60_000);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'jurukunci',
        description:
          'Server-room door controller — Diskominfo Kabupaten Kudus. Procedure steps, badges, users, journal, door.',
        version: VERSION,
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  });

  // JSON only: fastify's default text/plain parser would let a plain-text body (a content type a
  // browser sends cross-site without a preflight) reach routes that declare no body schema.
  app.removeContentTypeParser('text/plain');

  app.decorateRequest('actor', null);
  app.decorateRequest('sessionToken', null);

  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config?.access;
    if (access === 'public') return;
    if (!req.routeOptions.url) return; // 404s fall through to the not-found handler
    const token = tokenOf(req);
    const userId = token ? sessions.resolve(token) : null;
    const user = userId ? deps.users.get(userId) : null;
    if (!token || !user?.active) throw new AppError('unauthenticated');
    req.actor = { id: user.id, role: user.role, name: user.displayName };
    req.sessionToken = token;
    if (access === 'authenticated') return;
    if (!access?.includes(user.role)) {
      throw new AppError('forbidden', { role: user.role, allowed: access ?? [] });
    }
  });

  app.setErrorHandler((err: FastifyError | AppError, req: FastifyRequest, reply: FastifyReply) => {
    const lang = langOf(req);
    let appErr: AppError;
    if (err instanceof AppError) {
      appErr = err;
    } else if ((err as FastifyError).validation) {
      const fe = err as FastifyError;
      appErr = new AppError('validation_failed', {
        context: fe.validationContext,
        fields: (fe.validation ?? []).map((v) => ({
          path: v.instancePath || '/',
          message: v.message,
          ...(v.keyword === 'additionalProperties'
            ? { unknown: (v.params as { additionalProperty: string }).additionalProperty }
            : {}),
        })),
      });
    } else if ((err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      appErr = new AppError('body_too_large', { limitBytes: deps.config.http.bodyLimitBytes });
    } else if ((err as FastifyError).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      appErr = new AppError('unsupported_media_type');
    } else if (
      (err as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
      (err as FastifyError).code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
      (err instanceof SyntaxError && (err as FastifyError).statusCode === 400)
    ) {
      appErr = new AppError('malformed_json');
    } else if ((err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500) {
      appErr = new AppError('validation_failed', { message: err.message });
    } else {
      req.log.error({ err }, 'unhandled error');
      appErr = new AppError('internal');
    }
    if (appErr.status >= 500) req.log.warn({ code: appErr.code }, 'request failed');
    void reply.status(appErr.status).send(errorBody(appErr, lang));
  });

  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send(errorBody(new AppError('not_found'), langOf(req)));
  });

  app.get('/docs/json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  app.get('/healthz', { config: { access: 'public' } }, async (_req, reply) => {
    const h = deps.health();
    return reply.status(h.ok ? 200 : 503).send(h);
  });

  registerAuthRoutes(app, deps, sessions);
  registerVisitRoutes(app, deps);
  registerAdminRoutes(app, deps, sessions);
  registerDoorRoutes(app, deps);
  registerPassRoutes(app, deps);
  registerEnrolmentRoutes(app, deps.enrolments);
  return app;
}

export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new AppError('unauthenticated');
  return req.actor;
}

export const ADMINS: readonly Role[] = ['admin', 'superadmin'];
export const SUPERADMIN: readonly Role[] = ['superadmin'];
