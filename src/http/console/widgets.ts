/** Small pieces several pages share: the SLA timer and the visit-state badge. */
import type { VisitState } from '../../domain/types.js';
import { type Html, html } from './html.js';
import { formatClock } from './i18n/format.js';
import type { Messages } from './i18n/index.js';

/**
 * Elapsed time since `since`, ticking in console.js and marked `.late` past `limitMs`. The server
 * renders the value at `now`, so the page is right without JavaScript too.
 */
export function timer(since: string, now: string, limitMs?: number, label?: string): Html {
  const elapsed = Date.parse(now) - Date.parse(since);
  const late = limitMs !== undefined && elapsed > limitMs;
  return html`<span class="timer${late ? ' late' : ''}" data-since="${since}"${
    limitMs !== undefined ? html` data-limit-ms="${limitMs}"` : ''
  }${label ? html` title="${label}"` : ''}><span data-clock>${formatClock(elapsed)}</span></span>`;
}

export function stateBadge(m: Messages, state: VisitState): Html {
  return html`<span class="badge-state s-${state}">${m.state[state]}</span>`;
}
