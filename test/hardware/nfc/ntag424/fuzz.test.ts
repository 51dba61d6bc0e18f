/**
 * Fuzz (fast-check): a genuine card whose answers are replaced, truncated, bit-flipped, cut to a
 * status word or lost (transmit throws) at random steps. 5,000 taps: a tap is genuine only when
 * every answer the reader saw was the genuine card's own, and no tap ever throws or returns
 * anything but a typed failure. The enrolment gets the same treatment, 500 times.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Ntag424Authenticator } from '../../../../src/hardware/nfc/ntag424/authenticator.js';
import { personaliseNtag424 } from '../../../../src/hardware/nfc/ntag424/personalise.js';
import { VirtualNtag424 } from '../../../fixtures/virtual-ntag424.js';
import { enrolledCard, KEYS, UID } from './keys.js';

type Plan =
  | { kind: 'genuine' }
  | { kind: 'random'; bytes: Uint8Array }
  | { kind: 'truncate'; keep: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'status'; sw: number }
  | { kind: 'throw' };

const plan: fc.Arbitrary<Plan> = fc.oneof(
  { arbitrary: fc.constant<Plan>({ kind: 'genuine' }), weight: 4 },
  fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat({ max: 40 }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat({ max: 40 }), bit: fc.nat({ max: 7 }) }),
  fc.record({
    kind: fc.constant('status' as const),
    sw: fc.constantFrom(0x9000, 0x9100, 0x91af, 0x91ae, 0x6a82, 0x6d00, 0x911e),
  }),
  { arbitrary: fc.constant<Plan>({ kind: 'throw' }), weight: 1 },
);

function apply(p: Plan, genuine: Buffer): Buffer {
  switch (p.kind) {
    case 'genuine':
      return genuine;
    case 'random':
      return Buffer.from(p.bytes);
    case 'truncate':
      return genuine.subarray(0, Math.min(p.keep, Math.max(0, genuine.length - 1)));
    case 'flip': {
      const out = Buffer.from(genuine);
      if (out.length > 0) {
        const i = p.at % out.length;
        out[i] = out[i]! ^ (1 << p.bit);
      }
      return out;
    }
    case 'status':
      return Buffer.from([p.sw >> 8, p.sw & 0xff]);
    case 'throw':
      throw new Error('Card was removed');
  }
}

const TAP_REASONS = new Set(['not_ntag424', 'auth_failed', 'bad_mac', 'card_removed', 'wrong_key']);
const ENROL_REASONS = new Set([...TAP_REASONS, 'already_keyed', 'change_refused', 'verify_failed']);

/** The card's answers through the plans; `tampered` once any answer differed from the genuine one. */
function faulty(card: VirtualNtag424, plans: Plan[]) {
  const seen = { tampered: false };
  let i = 0;
  const transmit = async (apdu: Buffer): Promise<Buffer> => {
    const genuine = card.answer(apdu);
    const p = plans[i++] ?? { kind: 'genuine' };
    const out = apply(p, genuine);
    if (!out.equals(genuine)) seen.tampered = true;
    return out;
  };
  return { transmit, seen };
}

describe('ntag424 fuzz: random and truncated card answers', function () {
  // Thousands of AES taps on a shared 2-core machine: a generous budget, not a timing assertion.
  this.timeout(120_000);
  const door = new Ntag424Authenticator({ keys: KEYS });

  it('5,000 taps: genuine only when untampered, typed failures otherwise, never a throw', async () => {
    let genuine = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(plan, { minLength: 1, maxLength: 6 }), async (plans) => {
        const { transmit, seen } = faulty(enrolledCard(2), plans);
        const r = await door.authenticate(transmit);
        if (r.ok) {
          genuine++;
          assert.equal(seen.tampered, false, 'a tampered exchange was accepted');
          assert.equal(r.card.uid, UID);
        } else {
          assert.ok(TAP_REASONS.has(r.reason), r.reason);
          assert.equal(typeof r.detail, 'string');
        }
      }),
      { numRuns: 5000, seed: 4241 },
    );
    assert.ok(genuine > 0, 'some untampered taps, so the property is not vacuous');
  });

  it('500 enrolments: typed results only, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(plan, { minLength: 1, maxLength: 18 }), async (plans) => {
        const { transmit, seen } = faulty(new VirtualNtag424({ uid: UID }), plans);
        const r = await personaliseNtag424(transmit, { keys: KEYS });
        if (r.ok) assert.equal(seen.tampered, false, 'a tampered enrolment succeeded');
        else assert.ok(ENROL_REASONS.has(r.reason), r.reason);
      }),
      { numRuns: 500, seed: 4242 },
    );
  });
});
