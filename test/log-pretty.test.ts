import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { prettyLine, prettyStream } from '../src/log-pretty.js';

describe('readable log lines on a terminal', () => {
  it('turns a pino JSON line into time, level, module, message and fields', () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 11, 1, 3, 4, 5, 67),
      pid: 1,
      hostname: 'pi',
      name: 'jurukunci',
      module: 'door',
      msg: 'access granted',
      reader: 'entry',
      uid: '…A1B2',
      detail: 'two words',
    });
    assert.match(
      prettyLine(line),
      /^\d\d:\d\d:\d\d\.067 INFO {2}door: access granted reader=entry uid=…A1B2 detail="two words"$/,
    );
  });

  it('passes a line that is not JSON through, and shows errors by type and message', () => {
    assert.equal(prettyLine('plain text'), 'plain text');
    const line = JSON.stringify({
      level: 50,
      time: 0,
      msg: 'failed',
      err: { type: 'Error', message: 'disk full', stack: '…' },
    });
    assert.match(prettyLine(line), /ERROR failed err="Error: disk full"$/);
  });

  it('works as pino’s destination, line by line even when chunks split lines', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => {
      text += b.toString();
    });
    const stream = prettyStream(out as unknown as NodeJS.WriteStream, false);
    const log = pino({ base: { module: 'http' } }, stream);
    log.info({ port: 8080 }, 'listening');
    log.warn('slow');
    await new Promise((r) => setImmediate(r));
    const lines = text.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /INFO {2}http: listening port=8080$/);
    assert.match(lines[1]!, /WARN {2}http: slow$/);
  });
});
