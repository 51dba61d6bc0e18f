/**
 * Rows of devices (type, brand/model, serial) in a form, with add and remove that work without
 * JavaScript: "add a row" and "remove" are submit buttons (`name="action"`) that post the form and
 * get it back re-rendered with one row more or less. Fields are flat (`device-0-type`), as
 * @fastify/formbody parses them; `device-rows` carries the row count.
 */
import type { Device } from '../../domain/types.js';
import type { FieldErrors } from './fields.js';
import { inputField } from './fields.js';
import { type Html, html } from './html.js';
import type { Messages } from './i18n/index.js';

export const MAX_DEVICE_ROWS = 50;

/** A posted form body as @fastify/formbody gives it. */
export type FormBody = Readonly<Record<string, string | string[] | undefined>>;

export function field(body: FormBody, name: string): string {
  const v = body[name];
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
}

export const rowField = (prefix: string, i: number, part: keyof Device) => `${prefix}-${i}-${part}`;

export function parseDeviceRows(body: FormBody, prefix: string): Device[] {
  const count = Math.min(
    MAX_DEVICE_ROWS,
    Math.max(0, Number.parseInt(field(body, `${prefix}-rows`), 10) || 0),
  );
  const rows: Device[] = [];
  for (let i = 0; i < count; i++) {
    rows.push({
      type: field(body, rowField(prefix, i, 'type')),
      model: field(body, rowField(prefix, i, 'model')),
      serial: field(body, rowField(prefix, i, 'serial')),
    });
  }
  return rows;
}

export type FormAction =
  | { kind: 'submit' }
  | { kind: 'add'; prefix: string }
  | { kind: 'remove'; prefix: string; index: number };

/** Which submit button was pressed: `add:<prefix>`, `remove:<prefix>:<n>`, anything else submits. */
export function formAction(body: FormBody): FormAction {
  const a = field(body, 'action');
  const add = /^add:([a-z]+)$/.exec(a);
  if (add) return { kind: 'add', prefix: add[1]! };
  const remove = /^remove:([a-z]+):(\d{1,2})$/.exec(a);
  if (remove) return { kind: 'remove', prefix: remove[1]!, index: Number(remove[2]) };
  return { kind: 'submit' };
}

/** The rows after an add/remove action (a remove of the last row leaves one empty row). */
export function applyRowAction(rows: readonly Device[], action: FormAction, prefix: string): Device[] {
  if (action.kind === 'add' && action.prefix === prefix && rows.length < MAX_DEVICE_ROWS) {
    return [...rows, { type: '', model: '', serial: '' }];
  }
  if (action.kind === 'remove' && action.prefix === prefix) return rows.filter((_, i) => i !== action.index);
  return [...rows];
}

const isEmpty = (d: Device) => !d.type && !d.model && !d.serial;

/** Filled rows; a half-filled row is an error on its first empty field. */
export function validateDeviceRows(
  m: Messages,
  rows: readonly Device[],
  prefix: string,
): { devices: Device[]; errors: Record<string, string> } {
  const devices: Device[] = [];
  const errors: Record<string, string> = {};
  rows.forEach((d, i) => {
    if (isEmpty(d)) return;
    const gap = (['type', 'model', 'serial'] as const).find((p) => !d[p]);
    if (gap) errors[rowField(prefix, i, gap)] = m.validation.deviceIncomplete;
    else devices.push(d);
  });
  return { devices, errors };
}

export function deviceRowsFieldset(
  m: Messages,
  o: { prefix: string; legend: string; hint?: string; rows: readonly Device[]; errors?: FieldErrors },
): Html {
  const rows = o.rows.length ? o.rows : [{ type: '', model: '', serial: '' }];
  const e = o.errors ?? {};
  return html`<fieldset class="devices">
<legend>${o.legend}</legend>
${o.hint ? html`<p class="hint">${o.hint}</p>` : ''}
<input type="hidden" name="${o.prefix}-rows" value="${rows.length}">
${rows.map(
  (d, i) => html`<fieldset class="device-row">
<legend>${m.request.deviceRow(i + 1)}</legend>
${inputField({ m, name: rowField(o.prefix, i, 'type'), label: m.request.deviceType, value: d.type, maxlength: 60, error: e[rowField(o.prefix, i, 'type')] })}
${inputField({ m, name: rowField(o.prefix, i, 'model'), label: m.request.deviceModel, value: d.model, maxlength: 120, error: e[rowField(o.prefix, i, 'model')] })}
${inputField({ m, name: rowField(o.prefix, i, 'serial'), label: m.request.deviceSerial, value: d.serial, maxlength: 80, error: e[rowField(o.prefix, i, 'serial')] })}
<div class="actions"><button type="submit" class="secondary" name="action" value="remove:${o.prefix}:${i}" formnovalidate>${m.request.removeRow(i + 1)}</button></div>
</fieldset>`,
)}
<div class="actions"><button type="submit" class="secondary" name="action" value="add:${o.prefix}" formnovalidate${
    rows.length >= MAX_DEVICE_ROWS ? html` disabled` : ''
  }>${m.request.addRow}</button></div>
</fieldset>`;
}
