/** Structured logs (pino). Personal data and secrets are redacted wherever they might appear. */
import { type Logger, pino } from 'pino';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
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
    destination,
  );
}
