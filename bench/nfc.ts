/**
 * NFC tap-to-relay latency (issues #4 and #10), through the real pcscd + vpcd + a virtual card
 * running in this process (so its timestamps and SimRelay's share one performance.now() clock):
 *  - floor: a minimal nfc-pcsc script, from the card answering the UID request to its 'card' event;
 *  - jurukunci UID-only (accept: uid): the whole Runtime, from the card answering the UID request to
 *    the relay switching (decision, journal append with fsync, relay);
 *  - jurukunci genuine (accept: ntag424): the same, with a virtual NTAG 424 DNA keyed from the
 *    Runtime's own master key, so the tap also runs SELECT, GetKeyVersion, AuthenticateEV2First
 *    (2 APDUs, AES) and GetCardUID with its MAC check before the decision.
 * Same reader, same run. Targets: jurukunci adds ≤ 2 ms at p99 over the floor (UID-only);
 * authentication adds ≤ 15 ms at p99 over UID-only.
 */
import { performance } from 'node:perf_hooks';
import type { Runtime } from '../src/app.js';
import { NTAG424_KEY_NO } from '../src/domain/credential-keys.js';
import type { NfcReader } from '../src/hardware/nfc/nfc-reader.js';
import { cardKey } from '../src/hardware/nfc/ntag424/diversify.js';
import { importNfcPcsc } from '../src/hardware/nfc/pcsc-manager.js';
import type { PcscReader } from '../src/hardware/nfc/pcsc-types.js';
import type { LazyReader } from '../src/hardware/reader-factory.js';
import { exactName, Pcscd, READERS } from '../test/fixtures/pcscd.js';
import { seedPeople, startRig } from '../test/fixtures/runtime.js';
import { VirtualCard } from '../test/fixtures/virtual-card.js';
import { ISO14443_4_ATR, VirtualNtag424 } from '../test/fixtures/virtual-ntag424.js';
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

/**
 * Minimal nfc-pcsc script: one NFC, listen for 'card' on the reader. Then the bare round trip of
 * one APDU through pcscd + vpcd (`rtt`): vpcd writes each APDU's length and body in two TCP sends,
 * so Nagle on its side and a delayed ACK on the card's cost ~40 ms per APDU here — a harness cost
 * that a USB reader does not have, subtracted to show what authentication itself adds.
 */
async function floor(pcscd: Pcscd, taps: number): Promise<{ samples: number[]; rtt: number[] }> {
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
  const rtt: number[] = [];
  cardAt = 0;
  await card.tap();
  await until('card event', () => cardAt);
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await reader.transmit(Buffer.from('FFCA000000', 'hex'), 64);
    rtt.push(performance.now() - t);
  }
  await card.remove();
  nfc.close();
  return { samples, rtt: rtt.sort((a, b) => a - b) };
}

/**
 * The whole service: Runtime with an NFC entry reader, a staff badge, relay switch times. genuine:
 * the card is an NTAG 424 DNA keyed from the Runtime's master key and the site accepts only those.
 */
async function service(
  pcscd: Pcscd,
  taps: number,
  genuine: boolean,
): Promise<{ samples: number[]; apdus: number }> {
  const rig = await startRig({
    mqtt: { enabled: false },
    door: { unlockSeconds: 0.05 },
    access: { antiPassback: 'off' },
    credentials: { nfc: { accept: [genuine ? 'ntag424' : 'uid'] } },
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
    const ntag = genuine ? keyedCard(rig.rt.credentialKeys.material()) : null;
    const card = new VirtualCard({
      port: pcscd.port('plain0'),
      uid: STAFF_UID,
      onUidAnswered: (t) => (lastAnswer = t),
      ...(ntag ? { atr: ISO14443_4_ATR, responder: ntag.responder } : {}),
    });
    const reader = (rig.rt.readers[0]?.reader as LazyReader | undefined)?.driver as NfcReader | null;
    if (!reader) throw new Error('bench: no NFC entry reader');
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
    const denied = rig.rt.journal.read(0, 1_000_000).filter((e) => e.type === 'access.denied').length;
    if (denied) throw new Error(`bench: ${denied} taps were denied`);
    return { samples, apdus: reader.stats.lastApdus };
  } finally {
    await rig.stop();
  }
}

function keyedCard(m: ReturnType<Runtime['credentialKeys']['material']>): VirtualNtag424 {
  if (!m) throw new Error('bench: the Runtime made no NFC master key');
  const master = m.masterKeys.find((k) => k.version === m.enrolVersion);
  if (!master) throw new Error('bench: no master key of the enrolment version');
  const uid = Buffer.from(STAFF_UID, 'hex');
  const keys: Buffer[] = Array.from({ length: 5 }, () => Buffer.alloc(16));
  keys[0] = cardKey(master.key, uid, NTAG424_KEY_NO.appMaster, m.systemId);
  keys[2] = cardKey(master.key, uid, NTAG424_KEY_NO.door, m.systemId);
  const v = master.version;
  return new VirtualNtag424({ uid: STAFF_UID, keys, versions: [v, 0, v, 0, 0] });
}

export async function benchNfc(
  log: (s: string) => void,
  taps = Number(process.env.NFC_BENCH_TAPS ?? 200),
): Promise<Figure[]> {
  const pcscd = new Pcscd();
  await pcscd.start();
  try {
    let t = performance.now();
    const fl = await floor(pcscd, taps);
    const base = fl.samples.sort((a, b) => a - b);
    const rtt50 = pct(fl.rtt, 50);
    log(
      `floor: ${taps} taps through a minimal nfc-pcsc script in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    t = performance.now();
    const uidOnly = await service(pcscd, taps, false);
    const full = uidOnly.samples.sort((a, b) => a - b);
    log(
      `jurukunci UID-only: ${taps} taps through the Runtime in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    t = performance.now();
    const real = await service(pcscd, taps, true);
    const gen = real.samples.sort((a, b) => a - b);
    log(
      `jurukunci genuine: ${taps} taps through the Runtime in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const [f50, f99, j50, j99] = [pct(base, 50), pct(base, 99), pct(full, 50), pct(full, 99)];
    const [g50, g99] = [pct(gen, 50), pct(gen, 99)];
    const extra = real.apdus - uidOnly.apdus;
    const own99 = g99 - j99 - extra * rtt50;
    log(
      `vpcd APDU round trip p50 ${rtt50.toFixed(1)} ms (harness transport); authentication minus ${extra} such round trips adds ${own99.toFixed(1)} ms at p99`,
    );
    log(
      `APDUs per tap: UID-only ${uidOnly.apdus}, genuine ${real.apdus}. On a real ACR122U an APDU exchange with an NTAG 424 DNA costs a few ms (USB CCID round trip + RF), so the ${extra} extra APDUs add roughly ${extra * 3}–${extra * 6} ms there (at 3–6 ms each), plus AES time, which is negligible`,
    );
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
      { name: 'genuine NTAG 424 DNA: UID answer → relay p50', value: g50, unit: 'ms', target: '—', ok: true },
      { name: 'genuine NTAG 424 DNA: UID answer → relay p99', value: g99, unit: 'ms', target: '—', ok: true },
      { name: 'authentication adds, p50', value: g50 - j50, unit: 'ms', target: '—', ok: true },
      {
        name: 'authentication adds, p99 (through vpcd)',
        value: g99 - j99,
        unit: 'ms',
        target: '—',
        ok: true,
      },
      { name: 'vpcd round trip per APDU, p50', value: rtt50, unit: 'ms', target: '—', ok: true },
      {
        name: 'authentication adds, p99, less vpcd transport',
        value: own99,
        unit: 'ms',
        target: '≤ 15 ms',
        ok: own99 <= 15,
      },
      { name: 'APDUs per tap, UID-only', value: uidOnly.apdus, unit: '', target: '—', ok: true },
      { name: 'APDUs per tap, genuine', value: real.apdus, unit: '', target: '—', ok: true },
    ];
  } finally {
    await pcscd.dispose();
  }
}
