/**
 * One visit and its step forms: verification (SOP 2), the Super Admin's decision (3), badge issue
 * with escorts (3), check-out with device reconciliation (5), close and cancel. Each form posts
 * here with its CSRF token; the visit service takes the step under its own rules, and a refused
 * step re-renders the page with the catalogued message and the field it is about.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from '../../../domain/errors.js';
import { checkNik } from '../../../domain/nik.js';
import type { Actor, Visit } from '../../../domain/types.js';
import { availableSteps } from '../../../domain/visit-lifecycle.js';
import { ADMINS, actorOf, SUPERADMIN } from '../../auth.js';
import { idParams } from '../../schemas/shared.js';
import { publicVisit } from '../../views/visit.js';
import type { ConsoleKit, DoneKey } from '../context.js';
import { type FormBody, field } from '../device-rows.js';
import type { FieldErrors } from '../fields.js';
import { type Messages, t } from '../i18n/index.js';
import type { Flash } from '../layout.js';
import { checkOutInput, readCheckOutForm } from '../pages/check-out-form.js';
import { type VisitDetailView, visitDetailPage } from '../pages/visit-detail.js';
import { paths, type VisitAction, withQuery } from '../paths.js';
import { attempt, errorFlash, formOf, sendPage } from './send.js';

type Draft = NonNullable<VisitDetailView['draft']>;
type Params = { Params: { id: string } };

/** The field a refused step is about, for the error beside it. */
function errorFields(err: AppError, m: Messages, text: string): Record<string, string> {
  const byCode: Partial<Record<AppError['code'], string>> = {
    reason_required: 'reason',
    badge_unavailable: 'badgeId',
    badge_not_found: 'badgeId',
    escort_invalid: 'escortIds',
    visitor_inside: 'confirmLeftRoom',
  };
  const out: Record<string, string> = {};
  const f = byCode[err.code];
  if (f) out[f] = text;
  const missing = err.details?.['missing'];
  if (err.code === 'precondition_failed' && Array.isArray(missing))
    for (const k of missing) if (typeof k === 'string') out[k] = m.validation.required;
  return out;
}

const all = (body: FormBody, name: string): string[] => {
  const v = body[name];
  return (Array.isArray(v) ? v : v ? [v] : []).map((s) => s.trim()).filter(Boolean);
};

export const visitPages: FastifyPluginAsync<ConsoleKit> = async (app, kit) => {
  const { visits, users, badges, door, passes } = kit.deps;
  const schema = { params: idParams };

  const view = (v: Visit, viewer: Actor, draft?: Draft, errors?: FieldErrors): VisitDetailView => {
    const role = viewer.role === 'system' ? 'admin' : viewer.role;
    const issued = v.state === 'badge_issued' || v.state === 'in_progress';
    return {
      visit: publicVisit(v),
      nextSteps: availableSteps(v, role),
      viewer: { id: viewer.id, role },
      names: Object.fromEntries(users.list().map((u) => [u.id, u.displayName])),
      // Run on the full NIK here; only the result reaches the page.
      nikCheck: checkNik(v.visitor.nik),
      freeBadges: badges
        .list({ kind: 'visitor', available: true })
        .map((b) => ({ id: b.id, label: b.label })),
      escorts: users
        .list()
        .filter((u) => u.escort && u.active)
        .map((u) => ({ id: u.id, displayName: u.displayName })),
      visitorInside: door.isVisitInside(v.id),
      passHref: issued && passes ? `${paths.visit(v.id)}/pass` : null,
      ...(draft ? { draft } : {}),
      ...(errors ? { errors } : {}),
    };
  };

  const render = (
    req: FastifyRequest,
    reply: FastifyReply,
    v: Visit,
    o: { draft?: Draft; errors?: FieldErrors; flash?: Flash[]; status?: number } = {},
  ) => {
    const ctx = kit.ctx(req, reply, o.flash ?? []);
    return sendPage(reply, visitDetailPage(ctx, view(v, actorOf(req), o.draft, o.errors)), o.status ?? 200);
  };

  /** Runs a step; success → back to the visit with a flash, refusal → the page with the error. */
  const step = async (
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    draft: Draft,
    done: DoneKey,
    run: () => Promise<Visit>,
  ) => {
    const r = await attempt(run);
    if (r.ok) return reply.redirect(withQuery(paths.visit(r.value.id), { done }), 303);
    const lang = kit.ctx(req, reply).lang;
    const flash = errorFlash({ lang }, r.error);
    const errors = errorFields(r.error, t(lang), flash.text);
    const v = visits.get(req.params.id);
    return render(req, reply, v, { draft, errors, flash: [flash], status: r.error.status });
  };

  app.get<Params>('/console/visits/:id', { config: { access: ADMINS }, schema }, async (req, reply) =>
    render(req, reply, visits.get(req.params.id)),
  );

  const post = (
    action: VisitAction,
    access: typeof ADMINS,
    handler: (req: FastifyRequest<Params>, reply: FastifyReply, body: FormBody) => Promise<unknown>,
  ) =>
    app.post<Params>(`/console/visits/:id/${action}`, { config: { access }, schema }, async (req, reply) =>
      handler(req, reply, formOf(req.body)),
    );

  post('verify', ADMINS, async (req, reply, body) => {
    const m = t(kit.ctx(req, reply).lang);
    const draft: Draft = {
      verify: {
        formComplete: field(body, 'formComplete') === 'true',
        ktpHeld: field(body, 'ktpHeld') === 'true',
        ktpTray: field(body, 'ktpTray').slice(0, 20),
        note: field(body, 'note').slice(0, 500),
      },
    };
    const d = draft.verify!;
    const errors: Record<string, string> = {};
    if (!d.formComplete) errors['formComplete'] = m.validation.required;
    if (!d.ktpHeld) errors['ktpHeld'] = m.validation.required;
    if (!d.ktpTray) errors['ktpTray'] = m.validation.required;
    if (Object.keys(errors).length)
      return render(req, reply, visits.get(req.params.id), { draft, errors, status: 400 });
    const note = d.note || null;
    return step(req, reply, draft, 'verified', () =>
      visits.verify(
        req.params.id,
        { formComplete: true, ktpHeld: true, ktpTray: d.ktpTray, note },
        actorOf(req),
      ),
    );
  });

  for (const [action, approved] of [
    ['approve', true],
    ['reject', false],
  ] as const) {
    post(action, SUPERADMIN, async (req, reply, body) => {
      const reason = field(body, 'reason').slice(0, 500);
      return step(req, reply, { reason }, approved ? 'approved' : 'rejected', () =>
        visits.decide(req.params.id, approved, reason || null, actorOf(req)),
      );
    });
  }

  post('issue-badge', ADMINS, async (req, reply, body) => {
    const m = t(kit.ctx(req, reply).lang);
    const badgeId = field(body, 'badgeId');
    const escortIds = all(body, 'escortIds').slice(0, 20);
    const draft: Draft = { badge: { badgeId, escortIds } };
    const errors: Record<string, string> = {};
    if (!badgeId) errors['badgeId'] = m.validation.required;
    if (escortIds.length === 0) errors['escortIds'] = m.validation.required;
    if (Object.keys(errors).length)
      return render(req, reply, visits.get(req.params.id), { draft, errors, status: 400 });
    return step(req, reply, draft, 'badgeIssued', () =>
      visits.issueBadge(req.params.id, { badgeId, escortIds }, actorOf(req)),
    );
  });

  post('check-out', ADMINS, async (req, reply, body) => {
    const lang = kit.ctx(req, reply).lang;
    const v = visits.get(req.params.id);
    const { draft, action } = readCheckOutForm(body, v.devicesIn);
    if (action.kind !== 'submit') return render(req, reply, v, { draft: { checkOut: draft } });
    const checked = checkOutInput(t(lang), v.devicesIn, draft, kit.timeZone);
    const errors: Record<string, string | undefined> = checked.ok ? {} : { ...checked.errors };
    if (door.isVisitInside(v.id) && !draft.confirmLeftRoom)
      errors['confirmLeftRoom'] = t(lang).validation.required;
    if (!checked.ok || Object.keys(errors).length)
      return render(req, reply, v, { draft: { checkOut: draft }, errors, status: 400 });
    const input = { ...checked.input, confirmLeftRoom: draft.confirmLeftRoom === true };
    return step(req, reply, { checkOut: draft }, 'checkedOut', () =>
      visits.checkOut(v.id, input, actorOf(req)),
    );
  });

  post('close', ADMINS, async (req, reply, body) =>
    step(req, reply, {}, 'closed', () =>
      visits.close(req.params.id, field(body, 'note').slice(0, 500) || null, actorOf(req)),
    ),
  );

  post('cancel', ADMINS, async (req, reply, body) => {
    const reason = field(body, 'reason').slice(0, 500);
    return step(req, reply, { reason }, 'cancelled', () =>
      visits.cancel(req.params.id, reason, actorOf(req)),
    );
  });
};
