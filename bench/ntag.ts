/**
 * NTAG 424 DNA tap cost (issue #10), pure: Ntag424Authenticator against the in-process virtual
 * card, no pcscd. Reports the APDUs per tap and the crypto time per tap (reader and card side
 * together, so an upper bound for the reader's share); over a real reader each APDU adds its
 * radio round trip. `npx tsx bench/ntag.ts` prints it; `benchNtag()` returns Figures for run.ts.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Ntag424Authenticator } from '../src/hardware/nfc/ntag424/authenticator.js';
import { enrolledCard, KEYS } from '../test/hardware/nfc/ntag424/keys.js';
import { type Figure, pct } from './figures.js';

export async function benchNtag(taps = 2000): Promise<Figure[]> {
  const door = new Ntag424Authenticator({ keys: KEYS });
  const card = enrolledCard(2);
  const samples: number[] = [];
  let apdus = 0;
  for (let i = 0; i < 200; i++) await door.authenticate(card.transmit); // JIT warm-up
  for (let i = 0; i < taps; i++) {
    const t0 = performance.now();
    const r = await door.authenticate(card.transmit);
    samples.push(performance.now() - t0);
    if (!r.ok) throw new Error(`bench: genuine card refused: ${r.reason}`);
    apdus = r.apdus;
  }
  samples.sort((a, b) => a - b);
  const p99 = pct(samples, 99);
  return [
    { name: 'ntag424 APDUs per tap', value: apdus, unit: 'APDUs', target: '≤ 6', ok: apdus <= 6 },
    {
      name: 'ntag424 crypto per tap, both sides (p50)',
      value: pct(samples, 50),
      unit: 'ms',
      target: '—',
      ok: true,
    },
    {
      name: 'ntag424 crypto per tap, both sides (p99)',
      value: p99,
      unit: 'ms',
      target: '≤ 5 ms',
      ok: p99 <= 5,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const f of await benchNtag())
    process.stdout.write(`${f.name.padEnd(44)} ${f.value.toFixed(3)} ${f.unit}\n`);
}
