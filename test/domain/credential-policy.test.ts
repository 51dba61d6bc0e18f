import assert from 'node:assert/strict';
import { credentialDenial } from '../../src/domain/access-policy.js';
import type { Badge } from '../../src/domain/types.js';

const badge = (keyVersion?: number): Badge => ({
  id: 'b1',
  uid: '04958CAA5C5E80',
  label: 'B1',
  kind: 'staff',
  userId: 'u1',
  visitId: null,
  active: true,
  createdAt: '2025-01-01T00:00:00.000Z',
  ...(keyVersion === undefined ? {} : { keyVersion }),
});

describe('credentialDenial: how well an NFC card must prove itself', () => {
  it('a failed authentication is never enough, whatever the site accepts', () => {
    for (const accept of [['ntag424'], ['uid'], ['ntag424', 'uid']] as const)
      assert.equal(credentialDenial('failed', accept, badge(1)), 'credential_not_genuine');
  });

  it('a genuine card is enough everywhere (it proves its UID too)', () => {
    for (const accept of [['ntag424'], ['uid'], ['ntag424', 'uid']] as const)
      assert.equal(credentialDenial('ntag424', accept, badge()), null);
  });

  it('genuine only: a UID-only answer is unsupported, or a copy when the badge was enrolled genuine', () => {
    assert.equal(credentialDenial('uid', ['ntag424'], badge()), 'credential_unsupported');
    assert.equal(credentialDenial('uid', ['ntag424'], undefined), 'credential_unsupported');
    assert.equal(credentialDenial('uid', ['ntag424'], badge(2)), 'credential_not_genuine');
  });

  it('migration: plain badges pass by UID, a genuine badge answering UID-only does not', () => {
    assert.equal(credentialDenial('uid', ['ntag424', 'uid'], badge()), null);
    assert.equal(credentialDenial('uid', ['ntag424', 'uid'], badge(1)), 'credential_not_genuine');
  });

  it('UID only (insecure): every UID-only answer passes', () => {
    assert.equal(credentialDenial('uid', ['uid'], badge(1)), null);
  });
});
