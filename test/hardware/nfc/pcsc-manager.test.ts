/**
 * PcscManager's reconnect loop without pcscd: a stand-in context factory, a real unix socket
 * standing in for pcscd's (the manager only connects to it), and the backoff on a stepped clock.
 * The real stack (pcscd + vpcd) is in nfc-pcsc.test.ts.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PcscBinding, PcscManager } from '../../../src/hardware/nfc/pcsc-manager.js';
import type { PcscContext, PcscReader } from '../../../src/hardware/nfc/pcsc-types.js';
import { createLogger } from '../../../src/logger.js';
import { until } from '../../fixtures/socat-pty.js';
import { ManualTimers } from '../gpio/manual-timers.js';

class FakeContext extends EventEmitter implements PcscContext {
  closed = false;
  close(): void {
    this.closed = true;
  }
}

class FakeBinding implements PcscBinding {
  boundName: string | null = null;
  readonly id = 'entry';
  matches(): boolean {
    return true;
  }
  bind(reader: PcscReader): void {
    this.boundName = reader.name;
  }
  unbind(): void {
    this.boundName = null;
  }
}

const fakeReader = (name: string) =>
  Object.assign(new EventEmitter(), { name, autoProcessing: true, card: null, connection: null, close() {} });

describe('hardware/nfc/pcsc-manager: reconnect with backoff', () => {
  let dir: string;
  let sock: string;
  let server: Server | null;
  let timers: ManualTimers;
  let contexts: FakeContext[];
  let manager: PcscManager;

  const listen = async () => {
    const s = createServer((c) => c.destroy());
    await new Promise<void>((r) => s.listen(sock, r));
    server = s;
  };
  const unlisten = async () => {
    const s = server;
    server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jk-pcsc-'));
    sock = join(dir, 'pcscd.comm');
    timers = new ManualTimers();
    contexts = [];
    manager = new PcscManager({
      logger: createLogger('silent'),
      socketPath: sock,
      backoffMs: { first: 200, max: 1000 },
      timers,
      factory: async () => {
        const c = new FakeContext();
        contexts.push(c);
        return c;
      },
    });
    await listen();
  });

  afterEach(async () => {
    await unlisten();
    rmSync(dir, { recursive: true, force: true });
  });

  it('context error → down, retried after the backoff, growing while pcscd is gone, reset once up', async () => {
    const b = new FakeBinding();
    await manager.attach(b);
    assert.equal(manager.health().state, 'up');
    contexts[0]!.emit('reader', fakeReader('ACS ACR122U 00 00'));
    assert.equal(b.boundName, 'ACS ACR122U 00 00');

    contexts[0]!.emit('error', new Error('boom'));
    assert.equal(contexts[0]!.closed, true);
    assert.equal(b.boundName, null, 'the reader is unbound with its context');
    assert.deepEqual(manager.health(), {
      state: 'down',
      detail: 'PC/SC: boom',
      readers: [],
      attempts: 1,
    });
    assert.equal(timers.pending(), 1);

    // pcscd is gone: the retry finds no socket and schedules the next, twice as far.
    await unlisten();
    timers.advance(199);
    assert.equal(manager.health().state, 'down');
    timers.advance(1);
    await until(() => manager.health().attempts === 2 && timers.pending() === 1, 'second attempt armed');
    assert.match(manager.health().detail ?? '', /pcscd not reachable/);
    assert.equal(contexts.length, 1, 'no context made while the socket is closed');

    await listen();
    timers.advance(399);
    assert.equal(contexts.length, 1);
    timers.advance(1);
    await until(() => manager.health().state === 'up', 'context up again');
    assert.equal(contexts.length, 2);
    assert.equal(manager.health().attempts, 0);
    contexts[1]!.emit('reader', fakeReader('ACS ACR122U 00 00'));
    assert.equal(b.boundName, 'ACS ACR122U 00 00');

    // The next failure starts from the first wait again.
    contexts[1]!.emit('error', new Error('again'));
    timers.advance(200);
    await until(() => manager.health().state === 'up', 'up after one first-length wait');
    assert.equal(contexts.length, 3);
  });

  it('the last detach cancels a pending retry and goes idle', async () => {
    const b = new FakeBinding();
    await manager.attach(b);
    contexts[0]!.emit('error', new Error('boom'));
    assert.equal(timers.pending(), 1);
    manager.detach(b);
    assert.equal(timers.pending(), 0);
    assert.deepEqual(manager.health(), { state: 'idle', detail: null, readers: [], attempts: 0 });
    timers.advance(10_000);
    assert.equal(contexts.length, 1);
  });

  it('a missing addon is not retried', async () => {
    const m = new PcscManager({
      logger: createLogger('silent'),
      socketPath: sock,
      timers,
      factory: async () => {
        throw new Error('nfc-pcsc could not be loaded (test)');
      },
    });
    await assert.rejects(m.attach(new FakeBinding()), /could not be loaded/);
    assert.equal(timers.pending(), 0);
    assert.equal(m.health().state, 'down');
  });
});
