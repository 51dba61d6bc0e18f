/**
 * NFC tap-to-relay latency (issue #4), through the real pcscd + vpcd + a virtual card running in
 * this process (so its timestamps and SimRelay's share one performance.now() clock):
 *  - floor: a minimal nfc-pcsc script, from the card answering the UID request to its 'card' event;
 *  - jurukunci: the whole Runtime, from the card answering the UID request to the relay switching
 *    (decision, journal append with fsync, relay).
 * Same reader, same card, same run. Target: jurukunci adds ≤ 2 ms at p99.
 */
import { performance } from 'node:perf_hooks';
import { importNfcPcsc } from '../src/hardware/nfc/pcsc-manager.js';
import type { PcscReader } from '../src/hardware/nfc/pcsc-types.js';
import { exactName, Pcscd, READERS } from '../test/fixtures/pcscd.js';
import { seedPeople, startRig } from '../test/fixtures/runtime.js';
import { VirtualCard } from '../test/fixtures/virtual-card.js';
import { type Figure, pct } from './figures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | undefined | null | false, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(1);
  }
}

const STAFF_UID = '04A1B2C3D4E5F6';

/** Minimal nfc-pcsc script: one NFC, listen for 'card' on the reader. */
async function floor(pcscd: Pcscd, taps: number): Promise<number[]> {
  const nfc = await importNfcPcsc();
  const samples: number[] = [];
  let lastAnswer = 0;
  let cardAt = 0;
  let offAt = 0;
  const reader = await new Promise<PcscReader>((resolve) => {
    nfc.on('reader', (r: PcscReader) => {
      r.on('error', () => undefined);
      if (r.name === READERS.plain0.name) resolve(r);
    });
  });
  nfc.on('error', () => undefined);
  reader.on('card', () => {
    cardAt = performance.now();
  });
  reader.on('card.off', () => {
    offAt = performance.now();
  });
  const card = new VirtualCard({
    port: pcscd.port('plain0'),
    uid: STAFF_UID,
    onUidAnswered: (t) => (lastAnswer = t),
  });
  for (let i = 0; i < taps; i++) {
    cardAt = 0;
    offAt = 0;
    await card.tap();
    await until('card event', () => cardAt);
    samples.push(cardAt - lastAnswer);
    await card.remove();
    await until('card.off', () => offAt);
  }
  nfc.close();
  return samples;
}

/** The whole service: Runtime with an NFC entry reader, a staff badge, relay switch times. */
async function service(pcscd: Pcscd, taps: number): Promise<number[]> {
  const rig = await startRig({
    mqtt: { enabled: false },
    door: { unlockSeconds: 0.05 },
    access: { antiPassback: 'off' },
    readers: [
      {
        id: 'entry',
        role: 'entry',
        driver: 'nfc',
        nfc: { namePattern: exactName(READERS.plain0.name), debounceMs: 0 },
      },
    ],
  });
  try {
    await seedPeople(rig);
    await until('reader bound', () => rig.rt.health().modules['reader:entry']?.state === 'ok', 10_000);
    const relay = rig.rt.relay as unknown as { switches: { unlocked: boolean; mono: number }[] };
    if (!Array.isArray(relay.switches)) throw new Error('bench needs the simulated relay');
    let lastAnswer = 0;
    const card = new VirtualCard({
      port: pcscd.port('plain0'),
      uid: STAFF_UID,
      onUidAnswered: (t) => (lastAnswer = t),
    });
    const samples: number[] = [];
    for (let i = 0; i < taps; i++) {
      const before = relay.switches.length;
      await card.tap();
      const sw = await until('relay switch', () => relay.switches.slice(before).find((s) => s.unlocked));
      samples.push(sw.mono - lastAnswer);
      await card.remove();
      await until('relock', () => !rig.rt.relay.get());
      // Let pcscd see the card leave before the next tap (its polling period is 400 ms).
      await sleep(450);
    }
    return samples;
  } finally {
    await rig.stop();
  }
}

export async function benchNfc(
  log: (s: string) => void,
  taps = Number(process.env.NFC_BENCH_TAPS ?? 200),
): Promise<Figure[]> {
  const pcscd = new Pcscd();
  await pcscd.start();
  try {
    let t = performance.now();
    const base = (await floor(pcscd, taps)).sort((a, b) => a - b);
    log(
      `floor: ${taps} taps through a minimal nfc-pcsc script in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    t = performance.now();
    const full = (await service(pcscd, taps)).sort((a, b) => a - b);
    log(`jurukunci: ${taps} taps through the Runtime in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const [f50, f99, j50, j99] = [pct(base, 50), pct(base, 99), pct(full, 50), pct(full, 99)];
    return [
      {
        name: `nfc-pcsc floor: UID answer → 'card' p50 (${taps} taps)`,
        value: f50,
        unit: 'ms',
        target: '—',
        ok: true,
      },
      { name: `nfc-pcsc floor: UID answer → 'card' p99`, value: f99, unit: 'ms', target: '—', ok: true },
      { name: 'jurukunci: UID answer → relay p50', value: j50, unit: 'ms', target: '—', ok: true },
      { name: 'jurukunci: UID answer → relay p99', value: j99, unit: 'ms', target: '—', ok: true },
      { name: 'jurukunci adds, p50', value: j50 - f50, unit: 'ms', target: '—', ok: true },
      { name: 'jurukunci adds, p99', value: j99 - f99, unit: 'ms', target: '≤ 2 ms', ok: j99 - f99 <= 2 },
    ];
  } finally {
    await pcscd.dispose();
  }
}
