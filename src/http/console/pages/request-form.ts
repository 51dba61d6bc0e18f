/**
 * SOP step 1, public: the server-room access request form, and the page that gives back the
 * request number. `readRequestForm` + `validateRequestForm` turn a posted form into the JSON
 * API's SubmitInput (or field errors), so the route only calls the visit service.
 */
import { checkNik } from '../../../domain/nik.js';
import type { Device } from '../../../domain/types.js';
import type { SubmitInput } from '../../../domain/visit-lifecycle.js';
import {
  applyRowAction,
  deviceRowsFieldset,
  type FormAction,
  type FormBody,
  field,
  formAction,
  parseDeviceRows,
  validateDeviceRows,
} from '../device-rows.js';
import { errorSummary, type FieldErrors, inputField, textareaField } from '../fields.js';
import { type Html, html } from '../html.js';
import { localInputToIso } from '../i18n/format.js';
import { type Messages, t } from '../i18n/index.js';
import { csrfField, layout, type PageContext } from '../layout.js';
import { paths } from '../paths.js';

export const DEVICE_PREFIX = 'device';

/** The form as typed: strings as posted, the window as datetime-local values in the site zone. */
export interface RequestFormValues {
  name: string;
  nik: string;
  organisation: string;
  phone: string;
  purpose: string;
  windowStart: string;
  windowEnd: string;
  letterNumber: string;
  ticketRef: string;
  devices: Device[];
}

export const EMPTY_REQUEST: RequestFormValues = {
  name: '',
  nik: '',
  organisation: '',
  phone: '',
  purpose: '',
  windowStart: '',
  windowEnd: '',
  letterNumber: '',
  ticketRef: '',
  devices: [],
};

/** The posted values and the button pressed; add/remove row actions are already applied. */
export function readRequestForm(body: FormBody): { values: RequestFormValues; action: FormAction } {
  const action = formAction(body);
  const rows = parseDeviceRows(body, DEVICE_PREFIX);
  return {
    action,
    values: {
      name: field(body, 'name'),
      nik: field(body, 'nik').replace(/\s+/g, ''),
      organisation: field(body, 'organisation'),
      phone: field(body, 'phone'),
      purpose: field(body, 'purpose'),
      windowStart: field(body, 'windowStart'),
      windowEnd: field(body, 'windowEnd'),
      letterNumber: field(body, 'letterNumber'),
      ticketRef: field(body, 'ticketRef'),
      devices: applyRowAction(rows, action, DEVICE_PREFIX),
    },
  };
}

const LIMITS = { name: 120, organisation: 160, purpose: 500, letterNumber: 80, ticketRef: 80 } as const;

/** The same rules as the JSON schema and the domain (src/http/schemas.ts, domain/nik.ts), per field. */
export function validateRequestForm(
  m: Messages,
  v: RequestFormValues,
  timeZone: string,
): { ok: true; input: SubmitInput } | { ok: false; errors: FieldErrors } {
  const errors: Record<string, string> = {};
  for (const k of [
    'name',
    'nik',
    'organisation',
    'phone',
    'purpose',
    'windowStart',
    'windowEnd',
    'letterNumber',
  ] as const) {
    if (!v[k]) errors[k] = m.validation.required;
  }
  for (const [k, max] of Object.entries(LIMITS) as [keyof typeof LIMITS, number][]) {
    if (v[k].length > max) errors[k] = m.validation.tooLong(max);
  }
  if (v.nik) {
    const nik = checkNik(v.nik);
    if (!nik.ok) errors['nik'] = m.nikRule[nik.rule];
  }
  if (v.phone && !/^\+?[0-9 ()-]{6,20}$/.test(v.phone)) errors['phone'] = m.validation.phone;
  const start = v.windowStart ? localInputToIso(v.windowStart, timeZone) : null;
  const end = v.windowEnd ? localInputToIso(v.windowEnd, timeZone) : null;
  if (v.windowStart && !start) errors['windowStart'] = m.validation.dateTime;
  if (v.windowEnd && !end) errors['windowEnd'] = m.validation.dateTime;
  if (start && end && Date.parse(end) <= Date.parse(start)) errors['windowEnd'] = m.validation.windowOrder;
  const devices = validateDeviceRows(m, v.devices, DEVICE_PREFIX);
  Object.assign(errors, devices.errors);
  if (Object.keys(errors).length > 0 || !start || !end) return { ok: false, errors };
  return {
    ok: true,
    input: {
      visitor: { name: v.name, nik: v.nik, organisation: v.organisation, phone: v.phone },
      purpose: v.purpose,
      window: { start, end },
      letterNumber: v.letterNumber,
      ticketRef: v.ticketRef || null,
      devicesIn: devices.devices,
    },
  };
}

export interface RequestFormView {
  values?: RequestFormValues;
  errors?: FieldErrors;
}

export function requestFormPage(ctx: PageContext, view: RequestFormView = {}): Html {
  const m = t(ctx.lang);
  const r = m.request;
  const v = view.values ?? EMPTY_REQUEST;
  const e = view.errors ?? {};
  const labels: Record<string, string> = {
    name: r.name,
    nik: r.nik,
    organisation: r.organisation,
    phone: r.phone,
    purpose: r.purpose,
    windowStart: r.windowStart,
    windowEnd: r.windowEnd,
    letterNumber: r.letterNumber,
    ticketRef: r.ticketRef,
  };
  const body = html`<p>${r.intro}</p>
${errorSummary(m, e, labels)}
<form method="post" action="${paths.request}" novalidate>
${csrfField(ctx.csrfToken)}
<button type="submit" name="action" value="submit" class="default-submit" tabindex="-1">${r.submit}</button>
<fieldset>
<legend>${r.visitor}</legend>
${inputField({ m, name: 'name', label: r.name, value: v.name, autocomplete: 'name', required: true, maxlength: 120, error: e['name'] })}
${inputField({ m, name: 'nik', label: r.nik, value: v.nik, inputmode: 'numeric', autocomplete: 'off', required: true, maxlength: 32, hint: r.nikHint, error: e['nik'] })}
${inputField({ m, name: 'organisation', label: r.organisation, value: v.organisation, autocomplete: 'organization', required: true, maxlength: 160, error: e['organisation'] })}
${inputField({ m, name: 'phone', label: r.phone, value: v.phone, type: 'tel', autocomplete: 'tel', required: true, maxlength: 20, error: e['phone'] })}
</fieldset>
<fieldset>
<legend>${r.visit}</legend>
${textareaField({ m, name: 'purpose', label: r.purpose, value: v.purpose, required: true, maxlength: 500, error: e['purpose'] })}
<fieldset>
<legend>${r.window}</legend>
${inputField({ m, name: 'windowStart', label: r.windowStart, value: v.windowStart, type: 'datetime-local', required: true, error: e['windowStart'] })}
${inputField({ m, name: 'windowEnd', label: r.windowEnd, value: v.windowEnd, type: 'datetime-local', required: true, error: e['windowEnd'] })}
</fieldset>
${inputField({ m, name: 'letterNumber', label: r.letterNumber, value: v.letterNumber, required: true, maxlength: 80, error: e['letterNumber'] })}
${inputField({ m, name: 'ticketRef', label: `${r.ticketRef} (${m.common.optional})`, value: v.ticketRef, maxlength: 80, error: e['ticketRef'] })}
</fieldset>
${deviceRowsFieldset(m, { prefix: DEVICE_PREFIX, legend: r.devices, hint: r.devicesHint, rows: v.devices, errors: e })}
<div class="actions"><button type="submit" name="action" value="submit">${r.submit}</button></div>
</form>`;
  return layout(ctx, { title: r.title, body });
}

export interface RequestSuccessView {
  /** The number the visitor quotes at the desk (the visit id). */
  requestNumber: string;
}

export function requestSuccessPage(ctx: PageContext, view: RequestSuccessView): Html {
  const m = t(ctx.lang);
  const body = html`<section class="panel">
<p>${m.request.successBody}</p>
<dl class="facts"><dt>${m.request.requestNumber}</dt><dd><strong class="request-number">${view.requestNumber}</strong></dd></dl>
</section>
<p><a href="${paths.request}">${m.request.another}</a></p>`;
  return layout(ctx, { title: m.request.successTitle, body, bodyClass: 'printable' });
}
