/**
 * The fastify app factory, separate from listen() so tests drive it with inject(). The root
 * instance holds what every part shares — OpenAPI, content-type parsers, shared schemas, the auth
 * hook, the error handlers — and each area's routes are an encapsulated plugin given only the
 * services it uses. Root hooks, schemas and handlers reach every plugin registered after them; a
 * plugin that answers in HTML (the console) sets its own error handler inside its own context.
 */
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { AppError } from '../domain/errors.js';
import { VERSION } from '../version.js';
import { authRoutes } from './api/auth.js';
import { badgeRoutes } from './api/badges.js';
import { doorRoutes } from './api/door.js';
import { enrolmentRoutes } from './api/enrolments.js';
import { eventStreamRoutes } from './api/events-stream.js';
import { healthRoutes } from './api/health.js';
import { intakeRoutes } from './api/intake.js';
import { journalRoutes } from './api/journal.js';
import { ktpRoutes } from './api/ktp.js';
import { passRoutes } from './api/passes.js';
import { reportRoutes } from './api/reports.js';
import { rollCallRoutes } from './api/roll-calls.js';
import { simRoutes } from './api/sim.js';
import { userRoutes } from './api/users.js';
import { visitRoutes } from './api/visits.js';
import { registerAuth, SESSION_COOKIE } from './auth.js';
import { consolePlugin } from './console/plugin.js';
import type { AppDeps } from './deps.js';
import { jsonErrorHandler, jsonNotFoundHandler, routerErrorHandler } from './error-handler.js';
import { registerOriginCheck } from './origin.js';
import { addSharedSchemas } from './schemas/shared.js';
import { Sessions } from './sessions.js';

// The composition root (src/app.ts) names these by this module.
export type { AppDeps, SimHardware } from './deps.js';

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { bodyLimitBytes, sessionTtlMinutes } = deps.config.http;
  const app = Fastify({
    // pino's Logger and fastify's base logger type differ only in generics.
    loggerInstance: deps.logger.child({ module: 'http' }) as unknown as FastifyBaseLogger,
    bodyLimit: bodyLimitBytes,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    // Request URLs never carry personal data, but log only the path, never query strings.
    requestIdHeader: false,
    frameworkErrors: routerErrorHandler,
    // Behind a TLS proxy: req.protocol / req.host / req.ip from its X-Forwarded-* headers.
    trustProxy: deps.config.http.trustProxy,
  });
  const sessions = new Sessions({
    idleMs: sessionTtlMinutes * 60_000,
    now: () => deps.clock().getTime(),
    ...(deps.sessionFile ? { file: deps.sessionFile } : {}),
    onError: (err) => deps.logger.warn({ err }, 'session file not read or written'),
  });
  app.addHook('onClose', async () => sessions.flush());

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
    // Shared schemas appear under components.schemas by their $id (lang, optionalText).
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });

  // JSON only: fastify's default text/plain parser would let a plain-text body (a content type a
  // browser sends cross-site without a preflight) reach routes that declare no body schema.
  app.removeContentTypeParser('text/plain');

  addSharedSchemas(app);
  registerOriginCheck(app);
  registerAuth(app, { sessions, users: deps.users });
  // Only routes that name a limit in config.rateLimit (sign-in, setup, the public request form).
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      new AppError('rate_limited', { retryAfterSeconds: Math.ceil(ctx.ttl / 1000) }),
  });
  app.setErrorHandler(jsonErrorHandler({ bodyLimitBytes }));
  app.setNotFoundHandler(jsonNotFoundHandler);

  app.get('/docs/json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { health: deps.health });
  await app.register(authRoutes, { users: deps.users, sessions, setup: deps.setup, sessionTtlMinutes });
  await app.register(visitRoutes, { visits: deps.visits });
  await app.register(reportRoutes, { visits: deps.visits });
  await app.register(userRoutes, { users: deps.users, sessions });
  await app.register(badgeRoutes, { badges: deps.badges });
  await app.register(enrolmentRoutes, { enrolments: deps.enrolments });
  await app.register(doorRoutes, { door: deps.door });
  await app.register(journalRoutes, { journal: deps.journal });
  await app.register(simRoutes, { sim: deps.sim, door: deps.door });
  await app.register(passRoutes, { passes: deps.passes });
  // Issue #8: the procedure's exceptions and the console's data APIs.
  await app.register(ktpRoutes, { ktp: deps.ktp });
  await app.register(eventStreamRoutes, { journal: deps.journal });
  await app.register(rollCallRoutes, { rollCalls: deps.rollCalls });
  await app.register(intakeRoutes, { intake: deps.intake, maxPerMinute: deps.config.intake.maxPerMinute });
  await app.register(consolePlugin, { ...deps, sessions });
  return app;
}
