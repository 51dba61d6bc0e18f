/**
 * The live door: lock, contact, mode, who is inside, taps waiting for a partner, alarms, recent
 * taps. `doorLiveFragment` is the part the SSE stream re-renders (`data-sse`), so the page and
 * the stream show the same markup. Superadmins get the mode buttons, each with a reason and a
 * confirmation.
 */
import type { DenyReason } from '../../../domain/access-policy.js';
import { DOOR_MODES, type DoorMode, type Role } from '../../../domain/types.js';
import type { DoorSnapshot } from '../../../door/door-controller.js';
import { checkboxField, textareaField } from '../fields.js';
import { type Html, html } from '../html.js';
import { formatDateTime } from '../i18n/format.js';
import { type Lang, type Messages, t } from '../i18n/index.js';
import { csrfField, layout, type PageContext } from '../layout.js';
import { paths } from '../paths.js';
import { timer } from '../widgets.js';

export interface RecentTap {
  at: string;
  reader: string;
  name: string | null;
  outcome: 'grant' | 'deny' | 'pending' | 'exit';
  reason?: DenyReason;
}

export interface DoorView {
  snapshot: DoorSnapshot;
  /** Display names by user id (escorts) and labels by badge id (pending taps). */
  names: Readonly<Record<string, string>>;
  badgeLabels: Readonly<Record<string, string>>;
  recentTaps: readonly RecentTap[];
}

export interface FragmentContext {
  lang: Lang;
  timeZone: string;
  now: string;
}

function tiles(m: Messages, s: DoorSnapshot): Html {
  return html`<dl class="status-tiles">
<div><dt>${m.door.lock}</dt><dd class="${s.lock === 'locked' ? 'is-locked' : 'is-unlocked'}">${s.lock === 'locked' ? m.door.locked : m.door.unlocked}</dd></div>
<div><dt>${m.door.contact}</dt><dd class="${s.contact === 'open' ? 'is-open' : 'is-closed'}">${s.contact === 'open' ? m.door.open : m.door.closed}</dd></div>
<div><dt>${m.door.mode}</dt><dd class="mode-${s.mode}">${m.doorMode[s.mode]}</dd></div>
</dl>`;
}

export function doorAlarmsFragment(m: Messages, s: DoorSnapshot): Html {
  const alarms = [s.alarms.forced && m.door.forced, s.alarms.heldOpen && m.door.heldOpen].filter(
    (a): a is string => Boolean(a),
  );
  return html`<section aria-labelledby="alarms-title"><h2 id="alarms-title">${m.door.alarms}</h2>
${alarms.length ? html`<div role="alert">${alarms.map((a) => html`<p class="alarm">${a}</p>`)}</div>` : html`<p class="empty">${m.door.noAlarms}</p>`}
</section>`;
}

export function doorInsideFragment(f: FragmentContext, view: DoorView): Html {
  const m = t(f.lang);
  const inside = view.snapshot.inside;
  const name = (id: string) => view.names[id] ?? id;
  return html`<section aria-labelledby="inside-title"><h2 id="inside-title">${m.door.inside} (${inside.length})</h2>
${
  inside.length === 0
    ? html`<p class="empty">${m.door.nobodyInside}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${m.door.kind}</th><th scope="col">${m.door.name}</th><th scope="col">${m.door.since}</th><th scope="col">${m.door.escortedBy}</th></tr></thead>
<tbody>${inside.map(
        (o) => html`<tr><td>${o.kind === 'staff' ? m.door.staff : m.door.visitor}</td><td>${o.name}</td>
<td>${formatDateTime(o.since, f.lang, f.timeZone)} ${timer(o.since, f.now)}</td><td>${(o.escortedBy ?? []).map(name).join(', ') || m.common.none}</td></tr>`,
      )}</tbody></table></div>`
}
</section>`;
}

export function doorPendingFragment(f: FragmentContext, view: DoorView): Html {
  const m = t(f.lang);
  const p = view.snapshot.pending;
  return html`<section aria-labelledby="pending-title"><h2 id="pending-title">${m.door.pending}</h2>
${
  p.length === 0
    ? html`<p class="empty">${m.door.noPending}</p>`
    : html`<ul>${p.map(
        (x) =>
          html`<li>${view.badgeLabels[x.badgeId] ?? x.badgeId} — ${x.awaiting === 'escort' ? m.door.awaitingEscort : m.door.awaitingVisitor}</li>`,
      )}</ul>`
}
</section>`;
}

function tapText(m: Messages, tap: RecentTap): string {
  if (tap.outcome === 'deny') return m.door.denied(tap.reason ? m.deny[tap.reason] : m.common.none);
  if (tap.outcome === 'pending') return m.door.pending;
  return m.door.granted;
}

export function doorTapsFragment(f: FragmentContext, view: DoorView): Html {
  const m = t(f.lang);
  return html`<section aria-labelledby="taps-title"><h2 id="taps-title">${m.door.recentTaps}</h2>
${
  view.recentTaps.length === 0
    ? html`<p class="empty">${m.common.none}</p>`
    : html`<ul>${view.recentTaps.map(
        (tap) =>
          html`<li>${formatDateTime(tap.at, f.lang, f.timeZone)} · ${tap.reader} · ${tap.name ?? m.common.none} · <span class="${tap.outcome === 'deny' ? 'field-error' : ''}">${tapText(m, tap)}</span></li>`,
      )}</ul>`
}
</section>`;
}

/** Everything that changes with the door's state: what the stream sends as one `fragment`. */
export function doorLiveFragment(f: FragmentContext, view: DoorView): Html {
  const m = t(f.lang);
  return html`${tiles(m, view.snapshot)}${doorAlarmsFragment(m, view.snapshot)}
<div class="door-grid">${doorInsideFragment(f, view)}${doorPendingFragment(f, view)}</div>
${doorTapsFragment(f, view)}`;
}

function modeForm(ctx: PageContext, m: Messages, current: DoorMode): Html {
  return html`<section class="panel" aria-labelledby="mode-title">
<h2 id="mode-title">${m.door.modeTitle}</h2>
<form method="post" action="${paths.doorMode}">
${csrfField(ctx.csrfToken)}
${textareaField({ m, name: 'reason', label: m.door.modeReason, required: true, maxlength: 500 })}
${checkboxField({ m, name: 'confirm', label: m.door.modeConfirm, required: true })}
<div class="actions">${DOOR_MODES.map((mode) =>
    mode === current
      ? html`<button type="button" class="secondary" disabled>${m.doorMode[mode]} (${m.door.current})</button>`
      : html`<button type="submit" name="mode" value="${mode}" class="${mode === 'normal' ? '' : 'danger'}" data-confirm="${m.door.modeConfirmPrompt(m.doorMode[mode])}">${m.door.setMode(m.doorMode[mode])}</button>`,
  )}</div>
</form>
</section>`;
}

function unlockForm(ctx: PageContext, m: Messages): Html {
  return html`<section class="panel" aria-labelledby="unlock-title">
<h2 id="unlock-title">${m.door.unlockTitle}</h2>
<form method="post" action="${paths.doorUnlock}" data-confirm="${m.door.unlockConfirm}">
${csrfField(ctx.csrfToken)}
${textareaField({ m, name: 'reason', id: 'unlock-reason', label: m.door.modeReason, required: true, maxlength: 500 })}
<div class="actions"><button type="submit" class="danger">${m.door.unlock}</button></div>
</form>
</section>`;
}

export function doorPage(ctx: PageContext, view: DoorView): Html {
  const m = t(ctx.lang);
  const role: Role | null = ctx.role;
  const body = html`<div id="door-live" data-sse="${paths.doorStream}" aria-live="off">
${doorLiveFragment(ctx, view)}
</div>
${role === 'superadmin' ? html`${modeForm(ctx, m, view.snapshot.mode)}${unlockForm(ctx, m)}` : ''}`;
  return layout(ctx, { title: m.door.title, body });
}
