/**
 * The admin console as one encapsulated fastify plugin, registered after the JSON API. Inside:
 * form bodies, the static assets under /assets/, security headers with a CSP that allows no inline
 * script or style, the CSRF check on every unsafe request, the language switch (`?lang=` → the
 * jk_lang cookie + a redirect), `Cache-Control: no-store` on every page, the HTML error handler,
 * and the pages. Every route declares `config.access`: the root auth hook checks it.
 */
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { isTls } from '../auth.js';
import { consoleAssetsDir, htmxAssetsDir } from './assets-dir.js';
import { type ConsoleDeps, makeKit } from './context.js';
import { Csrf } from './csrf.js';
import { consoleErrorHandler, errorPage } from './error-page.js';
import { isLang, langCookie } from './i18n/index.js';
import { adminPages } from './routes/admin-pages.js';
import { authPages } from './routes/auth-pages.js';
import { doorPages } from './routes/door-pages.js';
import { passPages } from './routes/pass-pages.js';
import { queuePages } from './routes/queue-pages.js';
import { registerPages } from './routes/register-pages.js';
import { requestPages } from './routes/request-pages.js';
import { visitPages } from './routes/visit-pages.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // Added per request when the request came over TLS (see the onSend hook).
  upgradeInsecureRequests: null,
};

export const consolePlugin: FastifyPluginAsync<ConsoleDeps> = async (app, deps) => {
  const csrf = new Csrf();
  const kit = makeKit(deps, csrf);

  // Static files cannot declare config.access through @fastify/static: mark them public here.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/assets/')) route.config = { ...(route.config ?? {}), access: 'public' };
    // Pages are not part of the JSON API's OpenAPI document.
    route.schema = { ...(route.schema ?? {}), hide: true };
  });

  await app.register(formbody);
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    // Not helmet's no-referrer: under it Chromium sends `Origin: null` with our own form posts,
    // which the Origin check (src/http/origin.ts) must refuse. same-origin keeps the Origin on
    // our own requests and still tells other sites nothing.
    referrerPolicy: { policy: 'same-origin' },
  });
  const assets = consoleAssetsDir();
  await app.register(fastifyStatic, {
    root: [assets, htmxAssetsDir()],
    prefix: '/assets/',
    decorateReply: false,
    index: false,
    list: false,
    // Only the console's own files and htmx.min.js, not the rest of htmx's dist folder.
    allowedPath: (pathName, root) => root === assets || pathName === '/htmx.min.js',
  });

  app.setErrorHandler(consoleErrorHandler(kit, { bodyLimitBytes: deps.config.http.bodyLimitBytes }));

  // The language switch: a link with ?lang= sets the cookie and comes back without it.
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET' || req.url.startsWith('/assets/')) return;
    const q = (req.query as Record<string, unknown> | undefined)?.lang;
    if (!isLang(q)) return;
    const url = new URL(req.url, 'http://console.invalid');
    url.searchParams.delete('lang');
    void reply.header('set-cookie', langCookie(q, isTls(req)));
    return reply.redirect(`${url.pathname}${url.search}`, 303);
  });

  app.addHook('preHandler', async (req) => {
    if (UNSAFE.has(req.method)) csrf.check(req);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    if (req.url.startsWith('/assets/')) return payload;
    void reply.header('cache-control', 'no-store');
    if (isTls(req)) {
      const csp = reply.getHeader('content-security-policy');
      if (typeof csp === 'string' && !csp.includes('upgrade-insecure-requests'))
        void reply.header('content-security-policy', `${csp};upgrade-insecure-requests`);
    }
    return payload;
  });

  await app.register(authPages, kit);
  await app.register(requestPages, kit);
  await app.register(queuePages, kit);
  await app.register(visitPages, kit);
  await app.register(passPages, kit);
  await app.register(doorPages, kit);
  await app.register(registerPages, kit);
  await app.register(adminPages, kit);

  // Unknown pages under /console answer in HTML too (the root's not-found handler speaks JSON).
  await app.register(
    async (scope) => {
      scope.setNotFoundHandler({ preHandler: async () => {} }, (req, reply) => {
        void reply
          .status(404)
          .type('text/html; charset=utf-8')
          .send(errorPage(kit, req, reply, new AppError('not_found')));
      });
    },
    { prefix: '/console' },
  );
};
