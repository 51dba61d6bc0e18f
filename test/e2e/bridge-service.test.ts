/**
 * The whole service on `hardware.driver: 'bridge'`: the real firmware under simavr on its pty,
 * real serialport, Wiegand cards clocked onto the MCU's pins, the relay pin read from the harness
 * with simulated timestamps. In process (Runtime, like startRig) for the access decisions; the
 * real service process (`jurukunci start`), killed with SIGKILL, for what the bridge does on its
 * own when the host is gone.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { JournalEvent } from '../../src/domain/events.js';
import { listSegments } from '../../src/store/journal-segments.js';
import { issuedVisit, seedPeople, startRig, type TestRig } from '../fixtures/runtime.js';
import { h10301Bits, SimavrBridge } from '../fixtures/simavr-bridge.js';
import { eventually } from '../fixtures/wait.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ESCORT = { facility: 12, card: 3456 };
const VISITOR = { facility: 12, card: 789 };
const wiegandUid = (c: { facility: number; card: number }) => `H10301:${c.facility}:${c.card}`;

/** The shared poll (throw, undefined or false: not yet), at this file's pace. */
const until = <T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 15000,
) => eventually(what, fn, ms, 20);

function journalOf(dataDir: string): JournalEvent[] {
  return listSegments(join(dataDir, 'journal')).flatMap((seg) =>
    readFileSync(seg.file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as JournalEvent),
  );
}

describe('end to end: the service on the firmware bridge (simavr, real serialport)', function () {
  this.timeout(60_000);

  describe('in process: every Wiegand card goes through the one access policy', () => {
    let sim: SimavrBridge;
    let rig: TestRig;
    const events = (type: string, after = 0) =>
      rig.rt.journal.read(after, 100_000).filter((e) => e.type === type);

    before(async () => {
      sim = new SimavrBridge();
      await sim.start();
      rig = await startRig({
        hardware: { driver: 'bridge', bridge: { path: sim.device, reconnectMinMs: 50 } },
        readers: [{ id: 'wiegand', role: 'entry', driver: 'bridge-wiegand' }],
        door: { unlockSeconds: 1 },
        access: { staffSoloEntry: false, escortWindowSeconds: 2 },
      });
      await until('the bridge session', () => rig.rt.health().modules.bridge?.state === 'ok');
      const p = await seedPeople(rig, { budi: wiegandUid(ESCORT), visitor: ` h10301:12:0${VISITOR.card} ` });
      await issuedVisit(rig, p);
    });

    after(async () => {
      await rig?.stop();
      await sim?.stop();
    });

    it('/healthz shows the bridge once, as its own module: session, firmware, counters', () => {
      const h = rig.rt.health();
      assert.equal(h.ok, true, JSON.stringify(h.modules));
      assert.match(h.modules.bridge!.detail ?? '', /firmware \d+\.\d+\.\d+, session \d+/);
      assert.match(h.modules.bridge!.detail ?? '', /sessions 1\b/);
      assert.equal(h.modules['reader:wiegand']?.state, 'ok');
      assert.equal(h.modules.relay?.state, 'ok');
    });

    it('a visitor alone: the relay never moves; awaiting escort, then denied when the window runs out', async () => {
      const seq = rig.rt.journal.seq;
      const mark = sim.relayChanges.length;
      await sim.wiegand(h10301Bits(VISITOR.facility, VISITOR.card));
      const awaiting = await until('access.awaiting_escort', () => events('access.awaiting_escort', seq)[0]);
      assert.equal((awaiting.data as { credential: string }).credential, 'wiegand');
      const denied = await until('access.denied', () => events('access.denied', seq)[0], 10_000);
      assert.equal((denied.data as { reason: string }).reason, 'escort_required');
      assert.deepEqual(sim.relayChanges.slice(mark), [], 'the relay pin never moved');
      assert.equal(events('access.granted', seq).length, 0);
    });

    it('escort card + visitor card within the window: one grant, relay pin high for the unlock time, then low', async () => {
      const seq = rig.rt.journal.seq;
      const mark = sim.relayChanges.length;
      await sim.wiegand(h10301Bits(ESCORT.facility, ESCORT.card));
      await until('escort awaiting the visitor', () => events('access.awaiting_escort', seq)[0]);
      assert.equal(sim.relayLevel(), 0, 'the escort alone does not open');
      await sim.wiegand(h10301Bits(VISITOR.facility, VISITOR.card));
      const on = await sim.waitRelay(1, mark);
      const off = await sim.waitRelay(0, sim.relayChanges.indexOf(on) + 1);
      const granted = events('access.granted', seq);
      assert.equal(granted.length, 1);
      const data = granted[0]!.data as { credential: string; kind: string; admits: { kind: string }[] };
      assert.equal(data.credential, 'wiegand');
      assert.equal(data.kind, 'visitor');
      assert.deepEqual(data.admits.map((a) => a.kind).sort(), ['staff', 'visitor']);
      // Simulated time: the firmware's own clock. The host's relock timer decides the length,
      // so only its order of magnitude is checked here (bench/bridge.ts measures latency).
      const heldMs = (off.simUs - on.simUs) / 1000;
      assert.ok(heldMs > 500 && heldMs < 5000, `relay held ${heldMs} ms for a 1 s unlock`);
      assert.equal(events('door.locked', seq).length, 1);
    });

    it('a parity error is journalled as card_read_error and decides nothing', async () => {
      const seq = rig.rt.journal.seq;
      const mark = sim.relayChanges.length;
      const good = h10301Bits(ESCORT.facility, ESCORT.card);
      const bad = good.slice(0, -1) + (good.endsWith('1') ? '0' : '1');
      await sim.wiegand(bad);
      const denied = await until('access.denied', () => events('access.denied', seq)[0]);
      assert.deepEqual(denied.data, {
        reader: 'wiegand',
        direction: 'entry',
        credential: 'wiegand',
        reason: 'card_read_error',
        detail: 'parity_error',
      });
      // Nothing else: no pairing, no grant, no awaiting, the relay still.
      await sleep(200);
      const after = rig.rt.journal.read(seq, 1000).map((e) => e.type);
      assert.deepEqual(after, ['access.denied']);
      assert.deepEqual(sim.relayChanges.slice(mark), []);
      assert.equal(rig.rt.door.snapshot().pending.length, 0);
    });
  });

  describe('the real service process, killed', () => {
    const HEARTBEAT_TIMEOUT_MS = 1000;
    const REX_PULSE_MS = 1000;
    let sim: SimavrBridge;
    let dir: string;
    let child: ChildProcess | null = null;
    let output = '';

    const freePort = () =>
      new Promise<number>((res, rej) => {
        const srv = createServer();
        srv.once('error', rej);
        srv.listen(0, '127.0.0.1', () => {
          const addr = srv.address();
          srv.close(() => res(typeof addr === 'object' && addr ? addr.port : 0));
        });
      });

    const startService = (configFile: string) => {
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !k.startsWith('JURUKUNCI_')),
      );
      const proc = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'start', '--config', configFile],
        {
          cwd: ROOT,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child = proc;
      return proc;
    };

    before(async () => {
      sim = new SimavrBridge();
      await sim.start();
      dir = mkdtempSync(join(tmpdir(), 'jk-bridge-e2e-'));
    });

    after(async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((r) => child?.once('exit', r));
      }
      await sim?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('SIGKILL: the bridge releases within its heartbeat timeout, the exit button still opens, the fault is journalled on return', async function () {
      this.timeout(90_000);
      const port = await freePort();
      const configFile = join(dir, 'config.json');
      const dataDir = join(dir, 'data');
      writeFileSync(
        configFile,
        JSON.stringify({
          dataDir,
          log: { level: 'info' },
          mqtt: { enabled: false },
          http: { host: '127.0.0.1', port },
          door: { unlockSeconds: 30 },
          hardware: {
            driver: 'bridge',
            bridge: {
              path: sim.device,
              heartbeatMs: 200,
              heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
              rexPulseMs: REX_PULSE_MS,
              reconnectMinMs: 50,
            },
          },
          readers: [{ id: 'wiegand', role: 'entry', driver: 'bridge-wiegand' }],
        }),
      );
      const bridgeHealth = async () => {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`);
        const h = (await r.json()) as { modules: Record<string, { state: string; detail?: string }> };
        return h.modules.bridge;
      };

      // 1. Running: the exit button is the host's (rexMode hostAbsent); it unlocks for 30 s.
      const first = startService(configFile);
      await until('the bridge session', async () => (await bridgeHealth())?.state === 'ok', 30_000);
      let mark = sim.relayChanges.length;
      await sim.setInput('exit', true);
      await sim.waitRelay(1, mark);
      await sim.setInput('exit', false);
      await sleep(300);
      assert.equal(sim.relayLevel(), 1, 'held by the host');

      // 2. SIGKILL: no goodbye. The MCU releases once the heartbeat stops.
      mark = sim.relayChanges.length;
      const beforeKillUs = await sim.simTimeUs();
      const died = new Promise((r) => first.once('exit', r));
      first.kill('SIGKILL');
      await died;
      const off = await sim.waitRelay(0, mark, 5000);
      const releasedMs = (off.simUs - beforeKillUs) / 1000;
      // Simulated time: the last host frame came at most a few simulated ms after beforeKillUs.
      assert.ok(
        releasedMs <= HEARTBEAT_TIMEOUT_MS + 100,
        `released ${releasedMs} ms (sim) after the kill, timeout ${HEARTBEAT_TIMEOUT_MS}`,
      );
      assert.ok(releasedMs >= HEARTBEAT_TIMEOUT_MS - 250, `not before the timeout: ${releasedMs} ms`);

      // 3. Host dead: the exit button pulses the relay by itself (local egress).
      mark = sim.relayChanges.length;
      await sim.setInput('exit', true);
      const rexOn = await sim.waitRelay(1, mark);
      await sim.setInput('exit', false);
      const rexOff = await sim.waitRelay(0, sim.relayChanges.indexOf(rexOn) + 1, 5000);
      const pulseMs = (rexOff.simUs - rexOn.simUs) / 1000;
      assert.ok(Math.abs(pulseMs - REX_PULSE_MS) < 50, `local exit pulse ${pulseMs} ms (sim)`);

      // 4. The service comes back: new session, the latched host_lost journalled as an alarm.
      const second = startService(configFile);
      const alarm = await until(
        'alarm.bridge_fault',
        () => journalOf(dataDir).find((e) => e.type === 'alarm.bridge_fault'),
        30_000,
      );
      assert.ok(
        (alarm.data as { faults: string[] }).faults.includes('host_lost'),
        JSON.stringify(alarm.data),
      );
      // Reset once recorded (autoResetFaults): the link is healthy and may unlock again.
      await until('the bridge healthy again', async () => (await bridgeHealth())?.state === 'ok', 15_000);

      const stopped = new Promise<number | null>((r) => second.once('exit', (code) => r(code)));
      second.kill('SIGTERM');
      assert.equal(await stopped, 0, output);
      assert.equal(sim.relayLevel(), 0);
      const types = journalOf(dataDir).map((e) => e.type);
      assert.ok(types.includes('door.exit_request'), 'the first press was the host’s');
      assert.equal(types.filter((t) => t === 'system.started').length, 2);
    });
  });
});
