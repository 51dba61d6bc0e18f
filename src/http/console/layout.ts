/**
 * The page shell every console page renders into: document head (CSS, htmx and console.js from
 * /assets, no inline script or style: the CSP is `default-src 'self'`; htmx is told not to inject
 * its indicator <style> nor to eval), skip link, header with the
 * role's navigation and the language switch, flash messages, main, footer.
 */
import type { Role } from '../../domain/types.js';
import { type Html, html, safeUrl } from './html.js';
import { LANG_NAMES, LANGS, type Lang, type Messages, t } from './i18n/index.js';
import { paths, withQuery } from './paths.js';

export type Viewer = Role | null;

export interface Flash {
  kind: 'success' | 'info' | 'error';
  /** Already in the page's language (from a catalogue or the error catalogue). */
  text: string;
}

/** What every page needs to know about the request, built once per request by the route. */
export interface PageContext {
  lang: Lang;
  /** null for public pages and signed-out visitors. */
  role: Viewer;
  /** The session's CSRF token; null on pages without a session (sign-in uses its own). */
  csrfToken: string | null;
  /** The request path without its query, for the language switch and the current nav item. */
  path: string;
  user?: { displayName: string } | null;
  flash?: readonly Flash[];
  /** Site time zone (config), e.g. 'Asia/Jakarta'. */
  timeZone: string;
  /** The injected clock's now, ISO: pages never read the wall clock themselves. */
  now: string;
}

type NavKey = keyof Messages['nav'];

/** Who sees which link; `public` is a signed-out visitor. */
const NAV: readonly { key: NavKey; href: string; for: readonly (Role | 'public')[] }[] = [
  { key: 'queue', href: paths.queue, for: ['admin', 'superadmin'] },
  { key: 'request', href: paths.request, for: ['public', 'admin', 'superadmin'] },
  { key: 'door', href: paths.door, for: ['admin', 'superadmin'] },
  { key: 'register', href: paths.register, for: ['admin', 'superadmin'] },
  { key: 'rollCall', href: paths.rollCall, for: ['admin', 'superadmin'] },
  { key: 'users', href: paths.users, for: ['superadmin'] },
  { key: 'signIn', href: paths.signIn, for: ['public'] },
];

export function navItems(role: Viewer): { key: NavKey; href: string }[] {
  const who = role ?? 'public';
  return NAV.filter((n) => n.for.includes(who)).map(({ key, href }) => ({ key, href }));
}

/** Hidden form field with the CSRF token, for every POST form. */
export function csrfField(token: string | null): Html {
  return token ? html`<input type="hidden" name="_csrf" value="${token}">` : html``;
}

/** The field name the routes read the token from (form posts) — htmx sends the header instead. */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

function nav(ctx: PageContext, m: Messages): Html {
  const items = navItems(ctx.role).map(({ key, href }) => {
    const current = ctx.path === href || ctx.path.startsWith(`${href}/`);
    return html`<li><a href="${href}"${current ? html` aria-current="page"` : ''}>${m.nav[key]}</a></li>`;
  });
  return html`<nav class="site-nav" aria-label="${m.layout.mainNav}"><ul>${items}</ul></nav>`;
}

function langSwitch(ctx: PageContext, m: Messages): Html {
  const links = LANGS.map((l) =>
    l === ctx.lang
      ? html`<li><span aria-current="true" lang="${l}">${LANG_NAMES[l]}</span></li>`
      : html`<li><a href="${safeUrl(withQuery(ctx.path, { lang: l }))}" lang="${l}" hreflang="${l}">${LANG_NAMES[l]}</a></li>`,
  );
  return html`<div class="lang-switch"><span class="visually-hidden">${m.layout.language}</span><ul>${links}</ul></div>`;
}

function account(ctx: PageContext, m: Messages): Html | false {
  if (!ctx.role || !ctx.user) return false;
  return html`<div class="account"><span>${m.layout.signedInAs(ctx.user.displayName)}</span>
<form method="post" action="${paths.signOut}" class="inline">${csrfField(ctx.csrfToken)}<button type="submit" class="link">${m.layout.signOut}</button></form></div>`;
}

/** Flash messages: errors are alerts (read at once), the rest polite status messages. */
export function flashRegion(flash: readonly Flash[] = []): Html {
  const errors = flash.filter((f) => f.kind === 'error');
  const others = flash.filter((f) => f.kind !== 'error');
  return html`<div class="flash-region">
<div role="alert">${errors.map((f) => html`<p class="flash flash-error">${f.text}</p>`)}</div>
<div role="status">${others.map((f) => html`<p class="flash flash-${f.kind}">${f.text}</p>`)}</div>
</div>`;
}

export interface PageOptions {
  title: string;
  body: Html;
  /** Extra class on <body>, e.g. 'printable' for the pass, register and roll-call pages. */
  bodyClass?: string;
}

export function layout(ctx: PageContext, page: PageOptions): Html {
  const m = t(ctx.lang);
  return html`<!doctype html>
<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · ${m.product}</title>
${ctx.csrfToken ? html`<meta name="csrf-token" content="${ctx.csrfToken}">` : ''}
<meta name="jk-now" content="${ctx.now}">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}'>
<link rel="stylesheet" href="${paths.asset('console.css')}">
<link rel="stylesheet" href="${paths.asset('console-views.css')}">
<script src="${paths.asset('htmx.min.js')}" defer></script>
<script src="${paths.asset('console.js')}" defer></script>
</head>
<body${page.bodyClass ? html` class="${page.bodyClass}"` : ''}>
<a class="skip-link" href="#main">${m.layout.skipToContent}</a>
<header class="site-header">
<p class="product"><a href="${ctx.role ? paths.queue : paths.request}">${m.product}</a></p>
${nav(ctx, m)}
<div class="header-tools">${langSwitch(ctx, m)}${account(ctx, m)}</div>
</header>
<main id="main" tabindex="-1">
${flashRegion(ctx.flash)}
<h1>${page.title}</h1>
${page.body}
</main>
<footer class="site-footer"><p>${m.layout.footer}</p></footer>
</body>
</html>
`;
}
