/**
 * Firmware bridge figures (issue #9), with the real firmware under simavr (throttled to real time)
 * and real `serialport` on the harness's pty:
 *  - heartbeat loss → relay released: worst of 50, from the host's last frame (the ACK of a hold)
 *    to the relay pin change reaching this process; heartbeat timeout 500 ms (the MCU's minimum,
 *    to keep the run short; the target is relative to it). Also the same on simulated time.
 *    The wall figure includes the simulator falling behind real time when the machine is loaded
 *    (it reports its speed); the simulated-time figure is the firmware's own behaviour.
 *  - serial round trip (HEARTBEAT → ACK) p50/p99 over 1000;
 *  - flash and RAM from avr-size;
 *  - the whole loop (bridge-wiegand.ts): Wiegand last bit → relay pin high through the service
 *    (Runtime on the bridge driver: CARD frame, access policy, journal, RELAY request), p50/p99
 *    over 200 cards, and what it adds over the serial round trip measured above.
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { encodeRelay, encodeResetFault, MSG, RELAY_MODE } from '../src/hardware/bridge/protocol.js';
import { buildFirmware, FIRMWARE_ELF, SimavrBridge } from '../test/fixtures/simavr-bridge.js';
import { RawHost } from '../test/hardware/bridge/bridge-host.js';
import { benchWiegandLoop } from './bridge-wiegand.js';
import { type Figure, pct } from './figures.js';

const TIMEOUT_MS = 500;
const TRIALS = 50;
const ROUND_TRIPS = 1000;

function avrSize(): { flash: number; ram: number } {
  const out = execFileSync('avr-size', ['-C', '--mcu=atmega328p', FIRMWARE_ELF]).toString();
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? Number.NaN);
  return { flash: num(/Program:\s+(\d+) bytes/), ram: num(/Data:\s+(\d+) bytes/) };
}

export async function benchBridge(log: (s: string) => void = () => undefined): Promise<Figure[]> {
  buildFirmware();
  const figures: Figure[] = [];
  const size = avrSize();
  log(`firmware: ${size.flash} bytes flash, ${size.ram} bytes RAM (avr-size)`);
  figures.push({
    name: 'bridge firmware flash (ATmega328P, 32 KB)',
    value: (size.flash / 32768) * 100,
    unit: '%',
    target: '< 50 %',
    ok: size.flash < 16384,
  });
  figures.push({
    name: 'bridge firmware RAM, static (2 KB)',
    value: (size.ram / 2048) * 100,
    unit: '%',
    target: '< 50 %',
    ok: size.ram < 1024,
  });

  const sim = new SimavrBridge();
  const host = new RawHost();
  try {
    await sim.start();
    await host.open(sim.device);
    await host.hello({ heartbeatTimeoutMs: TIMEOUT_MS });

    const rtt: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const t0 = performance.now();
      await host.request(MSG.heartbeat);
      rtt.push(performance.now() - t0);
      host.frames.length = 0; // keep the searches short
    }
    rtt.sort((a, b) => a - b);
    log(`${ROUND_TRIPS} HEARTBEAT → ACK round trips`);
    // 28 bytes on the wire (HEARTBEAT 11, ACK 17) at 115200 8N1 take 2.4 ms by themselves.
    figures.push({
      name: 'bridge serial round trip p50 (HEARTBEAT → ACK)',
      value: pct(rtt, 50),
      unit: 'ms',
      target: '< 5 ms (wire 2.4 ms)',
      ok: pct(rtt, 50) < 5,
    });
    figures.push({
      name: 'bridge serial round trip p99',
      value: pct(rtt, 99),
      unit: 'ms',
      target: '< 20 ms',
      ok: pct(rtt, 99) < 20,
    });

    const simStart = await sim.simTimeUs();
    const wallStart = performance.now();
    let worstWall = 0;
    let worstSim = 0;
    for (let i = 0; i < TRIALS; i++) {
      await host.request(MSG.resetFault, encodeResetFault(0xff));
      const mark = sim.relayChanges.length;
      const hold = await host.request(MSG.relay, encodeRelay(RELAY_MODE.hold, 0));
      const lastHeard = performance.now();
      if (hold.type !== MSG.ack) throw new Error('bench: hold refused');
      const simHeard = await sim.simTimeUs();
      await sim.waitRelay(1, mark);
      const off = await sim.waitRelay(0, mark + 1, TIMEOUT_MS * 4);
      worstWall = Math.max(worstWall, off.wallMs - lastHeard);
      worstSim = Math.max(worstSim, (off.simUs - simHeard) / 1000);
      // Back again: the next request restarts the heartbeat (and the fault is reset above).
      await host.request(MSG.heartbeat);
      host.frames.length = 0;
    }
    const speed = (await sim.simTimeUs()) - simStart;
    const simSpeed = speed / 1000 / (performance.now() - wallStart);
    log(
      `${TRIALS} heartbeat losses at a ${TIMEOUT_MS} ms timeout; simulator at ${(simSpeed * 100).toFixed(0)} % of real time`,
    );
    figures.push({
      name: 'simulator speed during the trials (sim / wall)',
      value: simSpeed * 100,
      unit: '%',
      target: '≈ 100 % (else wall figures lag)',
      ok: simSpeed > 0.95,
    });
    figures.push({
      name: `heartbeat loss → relay released, worst of ${TRIALS} (wall)`,
      value: worstWall,
      unit: 'ms',
      target: `≤ ${TIMEOUT_MS + 100} ms`,
      ok: worstWall <= TIMEOUT_MS + 100,
    });
    figures.push({
      name: `heartbeat loss → relay released, worst of ${TRIALS} (sim)`,
      value: worstSim,
      unit: 'ms',
      target: `≤ ${TIMEOUT_MS + 100} ms`,
      ok: worstSim <= TIMEOUT_MS + 100,
    });
    await host.close();
    figures.push(...(await benchWiegandLoop(sim, { p50: pct(rtt, 50), p99: pct(rtt, 99) }, log)));
  } finally {
    await host.close();
    await sim.stop();
  }
  return figures;
}
