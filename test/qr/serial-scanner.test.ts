/**
 * The serial QR scanner driver over a real pty pair (socat): framing, junk, debounce, and
 * reconnecting after the "scanner" is unplugged (socat killed) and plugged back (restarted), and a
 * flood of 20,000 lines handled with bounded work.
 */
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { validateConfig } from '../../src/config/load.js';
import type { Credential } from '../../src/hardware/interfaces.js';
import { ScanDebounce } from '../../src/hardware/qr/scan-debounce.js';
import { ScannerLines } from '../../src/hardware/qr/scanner-lines.js';
import { SERIAL_SCANNER_DEFAULTS, SerialQrScanner } from '../../src/hardware/qr/serial-scanner.js';
import { createReader, LazyReader } from '../../src/hardware/reader-factory.js';
import { SimReader } from '../../src/hardware/sim/sim-drivers.js';
import { createLogger } from '../../src/logger.js';
import { SocatPty, until } from '../fixtures/socat-pty.js';

const PASS = `JK1:${'A'.repeat(143)}`;

/** n distinct printable lines, each ended by CR, as one buffer. */
const floodOf = (n: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => `F${String(i).padStart(5, '0')}\r`).join(''), 'latin1');

describe('hardware/qr/scanner-lines (framing)', () => {
  const lines = (term: 'cr' | 'lf' | 'crlf' | 'any', chunks: string[], max = 64) => {
    const s = new ScannerLines(term, max);
    const out = chunks.flatMap((c) => s.push(Buffer.from(c, 'latin1')));
    return { out, stats: s.stats };
  };

  it('two lines in one chunk, one line in two chunks', () => {
    assert.deepEqual(lines('cr', ['ONE\rTWO\r']).out, ['ONE', 'TWO']);
    assert.deepEqual(lines('cr', ['ON', 'E\r']).out, ['ONE']);
    assert.deepEqual(lines('lf', ['A\nB', '\n']).out, ['A', 'B']);
  });

  it('crlf: a CR not followed by LF stays in the line (and makes it junk)', () => {
    assert.deepEqual(lines('crlf', ['AB\r\nCD\r', '\n']).out, ['AB', 'CD']);
    const r = lines('crlf', ['A\rB\r\n']);
    assert.deepEqual(r.out, []);
    assert.equal(r.stats.garbage, 1);
  });

  it('any: CR LF ends one line, no empty line after it', () => {
    assert.deepEqual(lines('any', ['A\r\nB\n\rC\r']).out, ['A', 'B', 'C']);
  });

  it('drops an overlong line up to its terminator, then resynchronises', () => {
    const r = lines('cr', ['X'.repeat(50), 'X'.repeat(50), '\rGOOD\r'], 64);
    assert.deepEqual(r.out, ['GOOD']);
    assert.equal(r.stats.overlong, 1);
  });

  it('drops a line with control or non-ASCII bytes whole', () => {
    const r = lines('cr', ['\x00\x01junk\r', 'caf\xe9\r', 'OK\r']);
    assert.deepEqual(r.out, ['OK']);
    assert.equal(r.stats.garbage, 2);
  });

  it('a 20,000-line chunk gives at most maxLinesPerChunk lines; the rest is counted, and the next chunk reads normally', () => {
    const s = new ScannerLines('cr', 256, 32);
    const out = s.push(floodOf(20_000));
    assert.equal(out.length, 32);
    assert.deepEqual(out.slice(0, 2), ['F00000', 'F00001']);
    assert.equal(s.stats.lines, 32);
    assert.equal(s.stats.flooded, 20_000 - 32);
    assert.equal(s.stats.garbage, 0);
    assert.equal(s.stats.chunks, 1);
    assert.deepEqual(s.push(Buffer.from(`${PASS}\r`, 'latin1')), [PASS]);
    assert.equal(s.stats.flooded, 20_000 - 32, 'the cap is per chunk');
  });

  it('garbage lines count towards the per-chunk cap (their check is the work being bounded)', () => {
    const s = new ScannerLines('cr', 64, 2);
    assert.deepEqual(s.push(Buffer.from('A\r\x01\rB\rC\r', 'latin1')), ['A']);
    assert.deepEqual(s.stats, { lines: 1, overlong: 0, garbage: 1, flooded: 2, chunks: 1 });
  });

  it('a line split over chunks counts in the chunk that ends it', () => {
    const s = new ScannerLines('cr', 64, 1);
    assert.deepEqual(s.push(Buffer.from('ON')), []);
    assert.deepEqual(s.push(Buffer.from('E\rTWO\r')), ['ONE']);
    assert.equal(s.stats.flooded, 1);
  });
});

describe('hardware/qr/scan-debounce', () => {
  it('sliding window: a held code is one scan, a code shown again after the window is another', () => {
    const d = new ScanDebounce(1000, 16);
    assert.equal(d.admit('A', 0), true);
    assert.equal(d.admit('A', 300), false);
    assert.equal(d.admit('A', 1200), false, 'still held: the window runs from 300');
    assert.equal(d.admit('B', 1250), true);
    assert.equal(d.admit('A', 2200), true);
  });

  it('expired codes are forgotten as new ones arrive', () => {
    const d = new ScanDebounce(1000, 16);
    d.admit('A', 0);
    d.admit('B', 500);
    assert.equal(d.size, 2);
    d.admit('C', 1100); // A expired
    assert.equal(d.size, 2);
    d.admit('D', 5000); // B and C expired
    assert.equal(d.size, 1);
    assert.equal(d.evicted, 0);
  });

  it('20,000 distinct codes inside one window: memory stays at the cap, oldest evicted first', () => {
    const d = new ScanDebounce(2000, 256);
    let admitted = 0;
    for (let i = 0; i < 20_000; i++) if (d.admit(`F${i}`, 0)) admitted++;
    assert.equal(admitted, 20_000, 'distinct codes are all scans');
    assert.equal(d.size, 256);
    assert.equal(d.evicted, 20_000 - 256);
    assert.equal(d.admit('F19999', 10), false, 'the newest are still remembered');
    assert.equal(d.admit('F0', 10), true, 'the oldest were forgotten');
    // And a normal pass afterwards is one scan, then debounced.
    assert.equal(d.admit(PASS, 20), true);
    assert.equal(d.admit(PASS, 30), false);
    assert.ok(d.size <= 256);
  });
});

describe('hardware/qr/serial-scanner over a socat pty pair', function () {
  this.timeout(30_000);
  let pty: SocatPty;
  let scanner: SerialQrScanner;
  let got: Credential[];

  const make = (over: Partial<typeof SERIAL_SCANNER_DEFAULTS> = {}) => {
    const s = new SerialQrScanner('qr-entry', {
      ...SERIAL_SCANNER_DEFAULTS,
      path: pty.device,
      reconnectMinMs: 20,
      reconnectMaxMs: 200,
      debounceMs: 1500,
      ...over,
    });
    s.on('credential', (c) => got.push(c));
    return s;
  };

  beforeEach(async () => {
    pty = new SocatPty();
    await pty.start();
    got = [];
  });
  afterEach(async () => {
    await scanner?.stop();
    await pty.stop();
  });

  it('emits each scanned line as a qr credential of this reader', async () => {
    scanner = make();
    await scanner.start();
    await until(() => scanner.health().state === 'ok', 'port open');
    pty.write(`${PASS}\r`);
    pty.write('JK1:SECOND\r\n');
    await until(() => got.length === 2, 'two credentials');
    assert.deepEqual(got[0], { kind: 'qr', value: PASS, readerId: 'qr-entry' });
    assert.equal(got[1]?.value, 'JK1:SECOND');
  });

  it('a line split over writes arrives whole', async () => {
    scanner = make();
    await scanner.start();
    await until(() => scanner.health().state === 'ok', 'port open');
    pty.write(PASS.slice(0, 70));
    await new Promise((r) => setTimeout(r, 50));
    pty.write(`${PASS.slice(70)}\r`);
    await until(() => got.length === 1, 'credential');
    assert.equal(got[0]?.value, PASS);
  });

  it('ignores overlong and garbage lines safely, and keeps reading', async () => {
    scanner = make({ maxLineLength: 256 });
    await scanner.start();
    await until(() => scanner.health().state === 'ok', 'port open');
    pty.write(`${'Z'.repeat(5000)}\r`);
    pty.write(Buffer.from([0xff, 0xfe, 0x00, 0x1b, 0x5b, 0x0d]));
    pty.write('JK1:AFTER\r');
    await until(() => got.length === 1, 'the good line');
    assert.equal(got[0]?.value, 'JK1:AFTER');
    assert.match(scanner.health().detail ?? '', /2 junk lines dropped/);
  });

  it('debounces the same pass scanned repeatedly; another pass is not debounced', async () => {
    let mono = 0;
    scanner = new SerialQrScanner(
      'qr-entry',
      { ...SERIAL_SCANNER_DEFAULTS, path: pty.device, debounceMs: 1000 },
      undefined,
      () => mono,
    );
    scanner.on('credential', (c) => got.push(c));
    await scanner.start();
    await until(() => scanner.health().state === 'ok', 'port open');
    // Marker lines are debounced too: give each its own text.
    let marks = 0;
    const scanM = async (text: string, at: number) => {
      mono = at;
      pty.write(`${text}\rJK1:MARK${marks}\r`);
      const want = `JK1:MARK${marks++}`;
      await until(() => got.some((g) => g.value === want), `marker after ${text}`);
    };
    await scanM(PASS, 0);
    await scanM(PASS, 300); // held under the scanner
    await scanM(PASS, 1200); // still held: sliding window from 300
    await scanM('JK1:OTHER', 1250);
    await scanM(PASS, 2500); // taken away and shown again
    assert.deepEqual(
      got.filter((g) => !g.value.startsWith('JK1:MARK')).map((g) => g.value),
      [PASS, 'JK1:OTHER', PASS],
    );
  });

  it('a 20,000-line flood is read with bounded work, counted in health, and a pass after it works', async () => {
    scanner = make({ maxLinesPerChunk: 8, maxDebounceEntries: 64 });
    await scanner.start();
    await until(() => scanner.health().state === 'ok', 'port open');
    // An async write (thread pool), so this process can keep reading the other end meanwhile.
    const fh = await open(pty.scanner, 'w');
    try {
      await fh.write(floodOf(20_000));
    } finally {
      await fh.close();
    }
    const c = () => scanner.counters();
    await until(() => c().lines + c().flooded === 20_000, 'every flood line read or counted', 20_000);
    const n = c();
    assert.ok(n.lines <= 8 * n.chunks, `at most 8 lines per chunk: ${n.lines} in ${n.chunks} chunks`);
    assert.ok(n.flooded > 0, 'some chunk held more than 8 lines');
    assert.equal(n.garbage + n.overlong, 0);
    assert.ok(n.debounceEntries <= 64, `debounce memory ${n.debounceEntries}`);
    assert.equal(got.length, n.lines, 'each line read was a distinct code, so a credential');
    assert.match(scanner.health().detail ?? '', new RegExp(`${n.flooded} lines dropped in floods`));
    pty.write(`${PASS}\r`);
    await until(() => got.at(-1)?.value === PASS, 'the pass after the flood');
    assert.equal(scanner.health().state, 'ok');
  });

  it('is down while the device is missing, and opens once it appears', async () => {
    await pty.kill();
    scanner = make();
    await scanner.start(); // does not throw for a missing port
    assert.equal(scanner.health().state, 'down');
    await pty.start();
    await until(() => scanner.health().state === 'ok', 'port open after plug-in');
    pty.write('JK1:LATE\r');
    await until(() => got.length === 1, 'credential');
  });

  it('reconnects after socat is killed and restarted (unplug / replug)', async () => {
    scanner = make();
    await scanner.start();
    await until(() => scanner.health().state === 'ok', 'port open');
    pty.write('JK1:BEFORE\r');
    await until(() => got.length === 1, 'first credential');

    await pty.kill();
    await until(() => scanner.health().state === 'down', 'health down after unplug');
    assert.match(scanner.health().detail ?? '', /retrying \(attempt \d+\)$/);

    await pty.start();
    await until(() => scanner.health().state === 'ok', 'port reopened');
    assert.equal(scanner.opens, 2);
    pty.write('JK1:AFTER\r');
    await until(() => got.length === 2, 'credential after replug');
    assert.equal(got[1]?.value, 'JK1:AFTER');

    // And again, the hard way: SIGKILL leaves socat no chance to tidy up.
    // (socat cannot remove its link: the scanner may find the new pty behind it within one retry,
    // so 'down' can be too brief to poll; that it closed and opened again is what counts.)
    await pty.kill('SIGKILL');
    await pty.start();
    await until(() => scanner.opens >= 3 && scanner.health().state === 'ok', 'port reopened after SIGKILL');
    pty.write('JK1:THIRD\r');
    await until(() => got.length === 3, 'credential after second replug');
  });

  it('stop() closes the port and stops retrying', async () => {
    scanner = make();
    await scanner.start();
    await until(() => scanner.health().state === 'ok', 'port open');
    await scanner.stop();
    assert.equal(scanner.health().state, 'stopped');
    await pty.kill();
    await pty.start();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(scanner.opens, 1);
  });
});

describe('hardware/reader-factory', () => {
  const logger = createLogger('silent');

  it('sim stays the default driver', () => {
    assert.ok(createReader({ id: 'entry', role: 'entry', driver: 'sim' }, { logger }) instanceof SimReader);
  });

  it('qr-serial is a lazy reader: nothing imported or opened before start()', async () => {
    const pty = new SocatPty();
    await pty.start();
    try {
      // Through validation, as the service does: it fills in the serial defaults.
      const [cfg] = validateConfig({
        readers: [
          { id: 'qr', role: 'entry', driver: 'qr-serial', serial: { path: pty.device, reconnectMinMs: 20 } },
        ],
      }).readers;
      const r = createReader(cfg!, { logger });
      assert.ok(r instanceof LazyReader);
      assert.equal(r.health().state, 'stopped');
      const got: Credential[] = [];
      r.on('credential', (c) => got.push(c));
      await r.start();
      await until(() => r.health().state === 'ok', 'open');
      pty.write('JK1:VIA-FACTORY\r');
      await until(() => got.length === 1, 'forwarded credential');
      assert.deepEqual(got[0], { kind: 'qr', value: 'JK1:VIA-FACTORY', readerId: 'qr' });
      await r.stop();
      assert.equal(r.health().state, 'stopped');
    } finally {
      await pty.stop();
    }
  });
});
