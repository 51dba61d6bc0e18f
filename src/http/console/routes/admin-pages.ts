/**
 * Administration (Super Admin): users (create, deactivate / activate — the user service keeps at
 * least one active superadmin and records who created each account), badges (deactivate a lost
 * one, re-activate a staff badge), and the journal's chain verified on demand. The services
 * decide; the page only shows and forwards, and a refusal comes back as a flash.
 */
import { resolve } from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../../domain/types.js';
import { findJournalDir } from '../../../store/journal-segments.js';
import { verifyJournal } from '../../../store/journal-verify.js';
import { actorOf, SUPERADMIN } from '../../auth.js';
import type { ConsoleKit } from '../context.js';
import { field } from '../device-rows.js';
import { checkboxField, inputField, selectField } from '../fields.js';
import { type Html, html } from '../html.js';
import { t } from '../i18n/index.js';
import { csrfField, type Flash, layout } from '../layout.js';
import { paths } from '../paths.js';
import { attempt, errorFlash, formOf, sendPage } from './send.js';

export const adminPages: FastifyPluginAsync<ConsoleKit> = async (app, kit) => {
  const { users, badges } = kit.deps;

  const render = (req: FastifyRequest, reply: FastifyReply, flash?: Flash, status = 200) => {
    const ctx = kit.ctx(req, reply);
    const m = t(ctx.lang);
    const a = m.admin;
    const all = users.list();
    const nameOf = (id: string | undefined) => (id ? (all.find((u) => u.id === id)?.displayName ?? id) : '—');
    const toggle = (action: string, id: string, active: boolean): Html =>
      html`<form method="post" action="${action}" class="inline">${csrfField(ctx.csrfToken)}
<input type="hidden" name="id" value="${id}"><input type="hidden" name="active" value="${active ? 'false' : 'true'}">
<button type="submit">${active ? a.deactivate : a.activate}</button></form>`;
    const body = html`<h1>${a.title}</h1>
<section aria-labelledby="users-title"><h2 id="users-title">${a.users}</h2>
<table><thead><tr><th scope="col">${a.username}</th><th scope="col">${a.displayName}</th><th scope="col">${a.role}</th><th scope="col">${a.escort}</th><th scope="col">${a.active}</th><th scope="col">${a.createdBy}</th><th scope="col"><span class="visually-hidden">${a.state}</span></th></tr></thead>
<tbody>${all.map(
      (u) =>
        html`<tr><td>${u.username}</td><td>${u.displayName}</td><td>${u.role}</td><td>${u.escort ? a.yes : a.no}</td><td>${u.active ? a.yes : a.no}</td><td>${nameOf(u.createdBy)}</td><td>${toggle('/console/users/active', u.id, u.active)}</td></tr>`,
    )}</tbody></table>
<form method="post" action="${paths.users}">${csrfField(ctx.csrfToken)}
<fieldset><legend>${a.newUser}</legend>
${inputField({ m, name: 'username', label: a.username, required: true, maxlength: 32 })}
${inputField({ m, name: 'displayName', label: a.displayName, required: true, maxlength: 120 })}
${selectField({
  m,
  name: 'role',
  label: a.role,
  value: 'admin',
  options: [
    { value: 'admin', label: 'admin' },
    { value: 'superadmin', label: 'superadmin' },
  ],
})}
${checkboxField({ m, name: 'escort', label: a.escort })}
${inputField({ m, name: 'password', label: a.password, type: 'password', required: true, maxlength: 200 })}
<button type="submit">${a.create}</button></fieldset></form></section>
<section aria-labelledby="badges-title"><h2 id="badges-title">${a.badges}</h2>
<table><thead><tr><th scope="col">${a.label}</th><th scope="col">${a.kind}</th><th scope="col">${a.state}</th><th scope="col"><span class="visually-hidden">${a.active}</span></th></tr></thead>
<tbody>${badges
      .list()
      .map(
        (b) =>
          html`<tr><td>${b.label}</td><td>${b.kind}</td><td>${b.lost ? a.lost : b.active ? a.active : a.inactive}</td><td>${b.kind === 'staff' || b.active ? toggle('/console/badges/active', b.id, b.active) : ''}</td></tr>`,
      )}</tbody></table></section>
<section aria-labelledby="journal-title"><h2 id="journal-title">${a.journal}</h2>
<form method="post" action="/console/journal/verify">${csrfField(ctx.csrfToken)}<button type="submit">${a.verify}</button></form></section>`;
    return sendPage(
      reply,
      layout({ ...ctx, ...(flash ? { flash: [flash] } : {}) }, { title: a.title, body }),
      status,
    );
  };

  app.get(paths.users, { config: { access: SUPERADMIN } }, async (req, reply) => render(req, reply));

  app.post(paths.users, { config: { access: SUPERADMIN } }, async (req, reply) => {
    const body = formOf(req.body);
    const role = field(body, 'role') === 'superadmin' ? 'superadmin' : ('admin' as Role);
    const r = await attempt(() =>
      users.create(
        {
          username: field(body, 'username'),
          displayName: field(body, 'displayName') || field(body, 'username'),
          role,
          escort: field(body, 'escort') === 'true',
          password: field(body, 'password'),
        },
        actorOf(req),
      ),
    );
    const ctx = kit.ctx(req, reply);
    return r.ok
      ? render(req, reply, { kind: 'success', text: `${t(ctx.lang).admin.users}: ${r.value.username} ✓` })
      : render(req, reply, errorFlash(ctx, r.error), r.error.status);
  });

  app.post('/console/users/active', { config: { access: SUPERADMIN } }, async (req, reply) => {
    const body = formOf(req.body);
    const r = await attempt(() =>
      users.update(field(body, 'id'), { active: field(body, 'active') === 'true' }, actorOf(req)),
    );
    return r.ok
      ? render(req, reply)
      : render(req, reply, errorFlash(kit.ctx(req, reply), r.error), r.error.status);
  });

  app.post('/console/badges/active', { config: { access: SUPERADMIN } }, async (req, reply) => {
    const body = formOf(req.body);
    const r = await attempt(() =>
      badges.setActive(field(body, 'id'), field(body, 'active') === 'true', 'console', actorOf(req)),
    );
    return r.ok
      ? render(req, reply)
      : render(req, reply, errorFlash(kit.ctx(req, reply), r.error), r.error.status);
  });

  app.post('/console/journal/verify', { config: { access: SUPERADMIN } }, async (req, reply) => {
    const ctx = kit.ctx(req, reply);
    const a = t(ctx.lang).admin;
    const dataDir = resolve(kit.deps.config.dataDir);
    const v = verifyJournal(findJournalDir(dataDir) ?? dataDir);
    return render(
      req,
      reply,
      v.ok
        ? { kind: 'success', text: a.journalOk(v.events, v.lastSeq) }
        : { kind: 'error', text: a.journalBroken(String(v.firstBad?.seq ?? '?'), v.firstBad?.problem ?? '') },
    );
  });
};
