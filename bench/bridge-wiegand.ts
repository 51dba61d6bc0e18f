/**
 * Issue #9's loop figure: a Wiegand card's last bit on the MCU's pins → the relay pin high,
 * through the whole service (Runtime on `hardware.driver: 'bridge'`, a bridge-wiegand reader):
 * the firmware ends the read 25 ms after its last bit (PROTOCOL.md), sends CARD; the host decides
 * (access policy, journal written before the relay moves) and sends RELAY; the firmware drives
 * the pin. Timed on simulated time (the harness's stamps on both ends) and on wall time.
 */
import { performance } from 'node:perf_hooks';
import { seedPeople, startRig } from '../test/fixtures/runtime.js';
import { h10301Bits, type SimavrBridge } from '../test/fixtures/simavr-bridge.js';
import { type Figure, pct } from './figures.js';

const CARDS = 200;
/** The firmware's end-of-read gap after the last bit (PROTOCOL.md, Wiegand). */
const END_OF_READ_MS = 25;

async function until(what: string, fn: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `rtt` is the serial round trip measured in the same run, on the same simulated MCU. */
export async function benchWiegandLoop(
  sim: SimavrBridge,
  rtt: { p50: number; p99: number },
  log: (s: string) => void,
): Promise<Figure[]> {
  const rig = await startRig({
    hardware: { driver: 'bridge', bridge: { path: sim.device, reconnectMinMs: 50 } },
    readers: [{ id: 'wiegand', role: 'entry', driver: 'bridge-wiegand' }],
    // Staff alone, every card a grant: anti-passback off, the shortest unlock.
    door: { unlockSeconds: 0.05 },
    access: { staffSoloEntry: true, antiPassback: 'off' },
  });
  const simMs: number[] = [];
  const wallMs: number[] = [];
  try {
    await until(
      'the bridge session and its faults cleared',
      () => rig.rt.health().modules.bridge?.state === 'ok',
    );
    await seedPeople(rig, { budi: 'H10301:12:3456' });
    const bits = h10301Bits(12, 3456);
    for (let i = 0; i < CARDS; i++) {
      const mark = sim.relayChanges.length;
      const lastBitUs = await sim.wiegand(bits, 50, 500);
      const lastBitWall = performance.now();
      const on = await sim.waitRelay(1, mark);
      simMs.push((on.simUs - lastBitUs) / 1000);
      // The wiegand-done line reaches us a little after the bit: the wall figure is a lower bound.
      wallMs.push(on.wallMs - lastBitWall);
      await sim.waitRelay(0, sim.relayChanges.indexOf(on) + 1);
    }
  } finally {
    await rig.stop();
  }
  simMs.sort((a, b) => a - b);
  wallMs.sort((a, b) => a - b);
  const p50 = pct(simMs, 50);
  const p99 = pct(simMs, 99);
  const added = p50 - END_OF_READ_MS - rtt.p50;
  const added99 = p99 - END_OF_READ_MS - rtt.p99;
  log(
    `${CARDS} Wiegand cards through the service: last bit → relay pin high p50 ${p50.toFixed(1)} ms (sim), ` +
      `of which ${END_OF_READ_MS} ms is the firmware's end-of-read gap; serial round trip p50 ${rtt.p50.toFixed(2)} ms, p99 ${rtt.p99.toFixed(2)} ms`,
  );
  return [
    {
      name: `Wiegand last bit → relay pin high p50 (sim, ${CARDS} cards)`,
      value: p50,
      unit: 'ms',
      target: `≤ ${END_OF_READ_MS} ms end-of-read + RTT + 5 ms`,
      ok: added <= 5,
    },
    {
      name: 'Wiegand last bit → relay pin high p99 (sim)',
      value: p99,
      unit: 'ms',
      target: `≤ ${END_OF_READ_MS} ms end-of-read + RTT p99 + 5 ms`,
      ok: added99 <= 5,
    },
    {
      name: 'Wiegand last bit → relay pin high p50 (wall)',
      value: pct(wallMs, 50),
      unit: 'ms',
      target: 'sim figure ± the simulator lag',
      ok: true,
    },
    {
      name: 'whole loop over end-of-read + serial round trip, p50',
      value: added,
      unit: 'ms',
      target: '≤ 5 ms',
      ok: added <= 5,
    },
    {
      name: 'whole loop over end-of-read + serial round trip, p99',
      value: added99,
      unit: 'ms',
      target: '≤ 5 ms',
      ok: added99 <= 5,
    },
  ];
}
