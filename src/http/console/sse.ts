/**
 * Server-sent event frames carrying HTML fragments for `data-sse` elements (console.js swaps
 * the element's content with each `fragment` event). Multi-line data becomes one `data:` line per
 * line, as the SSE format requires; `id` lets a reconnecting browser resume (Last-Event-ID).
 */
import type { Html } from './html.js';

export const FRAGMENT_EVENT = 'fragment';

export function sseFrame(data: string, options: { event?: string; id?: string | number } = {}): string {
  const lines: string[] = [];
  if (options.id !== undefined) lines.push(`id: ${String(options.id).replace(/[\r\n]/g, '')}`);
  if (options.event) lines.push(`event: ${options.event.replace(/[\r\n]/g, '')}`);
  for (const line of data.split(/\r\n|\r|\n/)) lines.push(`data: ${line}`);
  return `${lines.join('\n')}\n\n`;
}

export function sseFragment(fragment: Html, id?: string | number): string {
  return sseFrame(
    fragment.toString(),
    id === undefined ? { event: FRAGMENT_EVENT } : { event: FRAGMENT_EVENT, id },
  );
}

/** A comment line: keeps proxies from closing an idle stream. */
export const SSE_KEEPALIVE = ': keep-alive\n\n';
