/**
 * Readable log lines for a terminal (`npm start` by hand): pino writes JSON lines; on a TTY this
 * stream turns each into `12:03:04.567 INFO  door: access granted reader=entry outcome=grant`.
 * Not a TTY (journald, a pipe): the JSON goes out as it is, for machines. No extra package —
 * pino-pretty would pull in a dozen for a few lines of formatting.
 */
import { Writable } from 'node:stream';

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const COLOURS: Record<number, string> = { 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[31m' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'module', 'v']);

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s="]/.test(v) ? JSON.stringify(v) : v;
  if (v && typeof v === 'object' && 'message' in v && 'type' in v) {
    const e = v as { type: string; message: string; stack?: string };
    return JSON.stringify(`${e.type}: ${e.message}`);
  }
  return JSON.stringify(v);
}

/** One JSON log line as one readable line (a line that is not JSON passes through). */
export function prettyLine(line: string, colour = false): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = Number(o.level);
  const t = new Date(Number(o.time));
  const time = Number.isNaN(t.getTime())
    ? ''
    : t.toTimeString().slice(0, 8) + `.${String(t.getMilliseconds()).padStart(3, '0')}`;
  const lvl = LEVELS[level] ?? String(o.level);
  const mod = typeof o.module === 'string' ? `${o.module}: ` : '';
  const rest = Object.entries(o)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  const head = colour && COLOURS[level] ? `${COLOURS[level]}${lvl}\x1b[0m` : lvl;
  return `${time} ${head} ${mod}${String(o.msg ?? '')}${rest ? ` ${rest}` : ''}`;
}

/** A stream for pino that writes readable lines to `out` (a TTY). */
export function prettyStream(out: NodeJS.WriteStream, colour = out.hasColors?.() ?? false): Writable {
  let partial = '';
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (l) out.write(`${prettyLine(l, colour)}\n`);
      done();
    },
  });
}
