import { pino } from 'pino';
import { PcscManager } from './src/hardware/nfc/pcsc-manager.js';
import { NfcReader } from './src/hardware/nfc/nfc-reader.js';
import { Pcscd, exactName, READERS } from './test/fixtures/pcscd.js';
import { VirtualCard } from './test/fixtures/virtual-card.js';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = pino({ level: 'debug' });
const d = new Pcscd();
await d.start();
const m = new PcscManager({ logger: log });
const t0 = performance.now();
const r = new NfcReader({ id: 'entry', namePattern: exactName(READERS.plain0.name), debounceMs: 500, feedback: true, manager: m, logger: log });
r.on('credential', (c) => console.log('CRED', (performance.now()-t0).toFixed(0), c));
await r.start();
await sleep(500);
for (let i = 0; i < 3; i++) {
const card = new VirtualCard({ port: d.port('plain0'), uid: '04a1b2c3d4e5f6' });
console.log('tap', (performance.now()-t0).toFixed(0));
await card.tap(); await sleep(1500); console.log('apdus', card.apdus, card.isPowered); await card.remove(); await sleep(600);
}
await r.stop(); await d.dispose();
console.log(d.log.split('\n').filter(l=>/vpcd|Card|card/i.test(l)).slice(-40).join('\n'));
