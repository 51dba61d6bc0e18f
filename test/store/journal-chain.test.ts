/** The hash chain: what the hash of an event covers. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { GENESIS_HASH, hashEvent } from '../../src/store/journal-chain.js';

describe('store/journal-chain', () => {
  describe('hashEvent', () => {
    it('is sha256(prev + "\\n" + JSON of {seq,id,at,door,type,data}) regardless of key order', () => {
      const e = {
        data: { b: 1 },
        type: 'door.closed' as const,
        door: 'd',
        at: '2025-01-01T00:00:00.000Z',
        id: 'x',
        seq: 3,
        prev: 'a'.repeat(64),
      };
      const body = JSON.stringify({
        seq: 3,
        id: 'x',
        at: e.at,
        door: 'd',
        type: 'door.closed',
        data: { b: 1 },
      });
      const expected = createHash('sha256')
        .update(`${'a'.repeat(64)}\n${body}`)
        .digest('hex');
      assert.equal(hashEvent(e), expected);
      assert.notEqual(hashEvent({ ...e, prev: GENESIS_HASH }), expected);
      assert.notEqual(hashEvent({ ...e, data: { b: 2 } }), expected);
    });
  });
});
