/** Staff sign-in, and the first-run setup form that creates the Super Admin with the setup token. */
import { checkboxField, errorSummary, type FieldErrors, inputField } from '../fields.js';
import { type Html, html } from '../html.js';
import { t } from '../i18n/index.js';
import { csrfField, layout, type PageContext } from '../layout.js';
import { paths } from '../paths.js';

export interface SignInView {
  username?: string;
  /** Where to go after signing in (a console path; the route checks it). */
  next?: string;
}

export function signInPage(ctx: PageContext, view: SignInView = {}): Html {
  const m = t(ctx.lang);
  const body = html`<p class="notice">${m.signIn.warning}</p>
<form method="post" action="${paths.signIn}" class="panel">
${csrfField(ctx.csrfToken)}
${view.next ? html`<input type="hidden" name="next" value="${view.next}">` : ''}
${inputField({ m, name: 'username', label: m.signIn.username, value: view.username, autocomplete: 'username', required: true, maxlength: 64 })}
${inputField({ m, name: 'password', label: m.signIn.password, type: 'password', autocomplete: 'current-password', required: true, maxlength: 200 })}
<div class="actions"><button type="submit">${m.signIn.submit}</button></div>
</form>`;
  return layout(ctx, { title: m.signIn.title, body });
}

export interface SetupView {
  token?: string;
  username?: string;
  displayName?: string;
  escort?: boolean;
  errors?: FieldErrors;
}

export function setupPage(ctx: PageContext, view: SetupView = {}): Html {
  const m = t(ctx.lang);
  const e = view.errors ?? {};
  const body = html`<p>${m.setup.intro}</p>
${errorSummary(m, e)}
<form method="post" action="${paths.setup}" class="panel">
${csrfField(ctx.csrfToken)}
${inputField({ m, name: 'token', label: m.setup.token, value: view.token, autocomplete: 'off', required: true, maxlength: 128, error: e['token'] })}
${inputField({ m, name: 'username', label: m.signIn.username, value: view.username, autocomplete: 'username', required: true, maxlength: 32, error: e['username'] })}
${inputField({ m, name: 'displayName', label: m.setup.displayName, value: view.displayName, autocomplete: 'name', required: true, maxlength: 120, error: e['displayName'] })}
${inputField({ m, name: 'password', label: m.signIn.password, type: 'password', autocomplete: 'new-password', required: true, maxlength: 200, hint: m.setup.passwordHint, error: e['password'] })}
${checkboxField({ m, name: 'escort', label: m.setup.escort, checked: view.escort ?? true })}
<div class="actions"><button type="submit">${m.setup.submit}</button></div>
</form>`;
  return layout(ctx, { title: m.setup.title, body });
}
