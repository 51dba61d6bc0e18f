/** Structured logs (pino). Personal data and secrets are redacted wherever they might appear. */
import { type Logger, pino } from 'pino';
import { prettyStream } from './log-pretty.js';

let stdoutGuarded = false;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  if (!destination && !stdoutGuarded) {
    // A closed stdout (EPIPE) loses log lines; it must not crash the door.
    process.stdout.on('error', () => undefined);
    stdoutGuarded = true;
  }
  return pino(
    {
      name: 'jurukunci',
      level,
      redact: {
        paths: [
          'nik',
          'phone',
          'password',
          'token',
          'uid',
          '*.nik',
          '*.phone',
          '*.password',
          '*.token',
          '*.uid',
          'visitor.nik',
          'visitor.phone',
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
    },
    // Node's own stdout stream, not pino's synchronous sonic-boom: when stdout cannot take more
    // (a closed pipe, a stalled journald) sonic-boom sleeps on the main thread (Atomics.wait) and
    // the door stops deciding. Measured: with stdout's reader gone, the default froze the
    // service; this one keeps serving.
    // On a terminal the lines are made readable; journald and pipes get JSON.
    destination ?? (process.stdout.isTTY ? prettyStream(process.stdout) : process.stdout),
  );
}
