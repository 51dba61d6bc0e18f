/**
 * Form controls with their label, hint and error wired for assistive technology: the error sits
 * beside the field and is named by `aria-describedby`, and the field is `aria-invalid`.
 */
import { type Html, html } from './html.js';
import type { Messages } from './i18n/index.js';

/** Field name → message (already in the page's language). */
export type FieldErrors = Readonly<Record<string, string | undefined>>;

export function fieldId(name: string): string {
  return `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

interface Common {
  name: string;
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  required?: boolean;
  /** Defaults to fieldId(name); set it when two forms on a page share a field name. */
  id?: string;
  /** Needed for "required" in the label. */
  m: Messages;
}

function describedBy(id: string, o: Common): string | undefined {
  const ids = [o.hint ? `${id}-hint` : '', o.error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function labelFor(id: string, o: Common): Html {
  return html`<label for="${id}">${o.label}${o.required ? html` <span class="req">(${o.m.common.required})</span>` : ''}</label>`;
}

function help(id: string, o: Common): Html {
  return html`${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ''}${
    o.error ? html`<p class="field-error" id="${id}-error">${o.error}</p>` : ''
  }`;
}

function aria(id: string, o: Common): Html {
  const d = describedBy(id, o);
  return html`${d ? html` aria-describedby="${d}"` : ''}${o.error ? html` aria-invalid="true"` : ''}${
    o.required ? html` required` : ''
  }`;
}

export interface InputOptions extends Common {
  value?: string | undefined;
  type?: 'text' | 'password' | 'tel' | 'datetime-local' | 'date' | 'search' | 'number';
  autocomplete?: string;
  inputmode?: 'numeric' | 'tel' | 'text';
  maxlength?: number;
  pattern?: string;
}

export function inputField(o: InputOptions): Html {
  const id = o.id ?? fieldId(o.name);
  return html`<div class="field${o.error ? ' has-error' : ''}">
${labelFor(id, o)}
<input id="${id}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"${
    o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''
  }${o.inputmode ? html` inputmode="${o.inputmode}"` : ''}${o.maxlength ? html` maxlength="${o.maxlength}"` : ''}${
    o.pattern ? html` pattern="${o.pattern}"` : ''
  }${aria(id, o)}>
${help(id, o)}
</div>`;
}

export function textareaField(
  o: Common & { value?: string | undefined; maxlength?: number; rows?: number },
): Html {
  const id = o.id ?? fieldId(o.name);
  return html`<div class="field${o.error ? ' has-error' : ''}">
${labelFor(id, o)}
<textarea id="${id}" name="${o.name}" rows="${o.rows ?? 3}"${o.maxlength ? html` maxlength="${o.maxlength}"` : ''}${aria(id, o)}>${
    o.value ?? ''
  }</textarea>
${help(id, o)}
</div>`;
}

export function checkboxField(o: Common & { checked?: boolean; value?: string; id?: string }): Html {
  const id = o.id ?? fieldId(o.name);
  return html`<div class="field checkbox${o.error ? ' has-error' : ''}">
<input type="checkbox" id="${id}" name="${o.name}" value="${o.value ?? 'true'}"${o.checked ? html` checked` : ''}${aria(id, o)}>
${labelFor(id, o)}
${help(id, o)}
</div>`;
}

export function selectField(
  o: Common & { value?: string | undefined; options: readonly { value: string; label: string }[] },
): Html {
  const id = o.id ?? fieldId(o.name);
  return html`<div class="field${o.error ? ' has-error' : ''}">
${labelFor(id, o)}
<select id="${id}" name="${o.name}"${aria(id, o)}>${o.options.map(
    (opt) =>
      html`<option value="${opt.value}"${opt.value === o.value ? html` selected` : ''}>${opt.label}</option>`,
  )}</select>
${help(id, o)}
</div>`;
}

/** At the top of a form with errors: how many, as an alert, linking to each field. */
export function errorSummary(
  m: Messages,
  errors: FieldErrors,
  labels: Readonly<Record<string, string>> = {},
): Html {
  const entries = Object.entries(errors).filter((e): e is [string, string] => Boolean(e[1]));
  if (entries.length === 0) return html``;
  return html`<div class="error-summary" role="alert">
<p>${m.common.fixErrors(entries.length)}</p>
<ul>${entries.map(([name, msg]) => html`<li><a href="#${fieldId(name)}">${labels[name] ? `${labels[name]}: ` : ''}${msg}</a></li>`)}</ul>
</div>`;
}
