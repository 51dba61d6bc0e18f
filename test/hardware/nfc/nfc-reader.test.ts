/**
 * NfcReader's own rules with a stand-in PC/SC reader (the real stack is in nfc-pcsc.test.ts):
 * UID normalisation, a held card, a bounce of the same card, another card right after, and
 * feedback only to ACR122U-class readers, never throwing.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Credential } from '../../../src/hardware/interfaces.js';
import { feedbackApdu } from '../../../src/hardware/nfc/acr122-feedback.js';
import { NfcReader } from '../../../src/hardware/nfc/nfc-reader.js';
import type { PcscManager } from '../../../src/hardware/nfc/pcsc-manager.js';
import type { PcscReader } from '../../../src/hardware/nfc/pcsc-types.js';
import { createLogger } from '../../../src/logger.js';

class FakePcscReader extends EventEmitter {
  autoProcessing = true;
  card: { atr?: Buffer } | null = null;
  connection: unknown = null;
  uid = '04A1B2C3D4E5F6';
  sw = '9000';
  sent: string[] = [];
  constructor(readonly name: string) {
    super();
  }
  transmit(data: Buffer): Promise<Buffer> {
    if (!this.card) throw new Error('No card or connection available.');
    this.sent.push(data.toString('hex').toUpperCase());
    return Promise.resolve(Buffer.from(data[1] === 0xca ? this.uid + this.sw : '9000', 'hex'));
  }
  close(): void {}
  async put(uid = this.uid): Promise<void> {
    this.uid = uid;
    this.card = {};
    this.emit('card', this.card);
    await new Promise((r) => setImmediate(r));
  }
  off_(): void {
    this.card = null;
    this.emit('card.off', {});
  }
}

const fakeManager = {
  attach: async () => undefined,
  detach: () => undefined,
  health: () => ({ state: 'up', detail: null, readers: [] }),
} as unknown as PcscManager;

async function setup(name = 'Generic Reader 00 00', debounceMs = 1000) {
  let now = 0;
  const r = new NfcReader({
    id: 'entry',
    namePattern: '.*',
    debounceMs,
    feedback: true,
    manager: fakeManager,
    logger: createLogger('silent'),
    mono: () => now,
  });
  const pcsc = new FakePcscReader(name);
  const creds: Credential[] = [];
  r.on('credential', (c) => creds.push(c));
  await r.start();
  r.bind(pcsc as unknown as PcscReader);
  return { r, pcsc, creds, advance: (ms: number) => (now += ms) };
}

describe('NfcReader (stand-in PC/SC reader)', () => {
  it('normalises the UID and emits one credential per tap', async () => {
    const { pcsc, creds } = await setup();
    await pcsc.put('04a1b2c3d4e5f6');
    assert.deepEqual(creds, [
      { kind: 'nfc', value: '04A1B2C3D4E5F6', readerId: 'entry', proof: { kind: 'uid' } },
    ]);
    assert.equal(pcsc.autoProcessing, true, 'the manager, not the reader, switches autoProcessing off');
  });

  it('accepts 4, 7 and 10 byte UIDs and refuses others or a failed GET DATA', async () => {
    const { r, pcsc, creds, advance } = await setup();
    for (const uid of ['A1B2C3D4', '04A1B2C3D4E5F6', '0102030405060708090A']) {
      await pcsc.put(uid);
      pcsc.off_();
      advance(2000);
    }
    assert.equal(creds.length, 3);
    for (const uid of ['0102030405', '01', '0102030405060708']) {
      await pcsc.put(uid);
      pcsc.off_();
    }
    pcsc.sw = '6A81';
    await pcsc.put('A1B2C3D4');
    assert.equal(creds.length, 3);
    assert.equal(r.stats.rejected, 4);
  });

  it('ignores the same card again within the debounce, not another card', async () => {
    const { pcsc, creds, advance } = await setup();
    await pcsc.put('A1B2C3D4');
    pcsc.off_();
    advance(200);
    await pcsc.put('A1B2C3D4'); // bounce at the edge of the field
    pcsc.off_();
    await pcsc.put('04A1B2C3D4E5F6'); // the escort, right after
    pcsc.off_();
    advance(1000);
    await pcsc.put('A1B2C3D4'); // a real second tap
    assert.deepEqual(
      creds.map((c) => c.value),
      ['A1B2C3D4', '04A1B2C3D4E5F6', 'A1B2C3D4'],
    );
  });

  it('counts a held card once even if the reader reports it again', async () => {
    const { pcsc, creds, advance } = await setup();
    await pcsc.put('A1B2C3D4');
    advance(5000);
    await pcsc.put('A1B2C3D4');
    assert.equal(creds.length, 1);
  });

  it('counts the next card when the previous one left while its UID was being read', async () => {
    const { pcsc, creds } = await setup();
    let answer: (() => void) | null = null;
    const transmit = pcsc.transmit.bind(pcsc);
    pcsc.transmit = (data: Buffer) => {
      const reply = transmit(data);
      return new Promise((resolve) => (answer = () => resolve(reply)));
    };
    await pcsc.put('A1B2C3D4');
    pcsc.off_(); // a quick swipe: gone before its UID answer is handled
    answer!();
    await new Promise((r) => setImmediate(r));
    pcsc.transmit = transmit;
    await pcsc.put('04A1B2C3D4E5F6');
    assert.deepEqual(
      creds.map((c) => c.value),
      ['A1B2C3D4', '04A1B2C3D4E5F6'],
    );
  });

  it('sends the ACR122U LED/buzzer APDU only to ACR122U-class readers, and never throws', async () => {
    const plain = await setup('Generic Reader 00 00');
    await plain.pcsc.put();
    plain.r.feedback('grant');
    assert.deepEqual(plain.pcsc.sent, ['FFCA000000']);

    const acr = await setup('ACS ACR122U PICC Interface 00 00');
    await acr.pcsc.put();
    acr.r.feedback('deny');
    assert.equal(acr.pcsc.sent[1], feedbackApdu('deny').toString('hex').toUpperCase());
    acr.pcsc.off_();
    acr.pcsc.card = null;
    assert.doesNotThrow(() => acr.r.feedback('grant')); // card already gone: a no-op
    assert.equal(acr.r.stats.feedbackFailed, 1);
  });
});
