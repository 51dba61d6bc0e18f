import assert from 'node:assert/strict';
import { AppError, ERRORS, errorBody } from '../../src/domain/errors.js';

describe('domain/errors', () => {
  it('AppError carries the code, its status, details and the English message', () => {
    const err = new AppError('illegal_step', { step: 'approve', state: 'submitted' });
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'AppError');
    assert.equal(err.code, 'illegal_step');
    assert.equal(err.status, 409);
    assert.equal(err.message, ERRORS.illegal_step.en);
    assert.deepEqual(err.details, { step: 'approve', state: 'submitted' });
    assert.equal(new AppError('forbidden').details, undefined);
    assert.equal(new AppError('internal', undefined, 'boom').message, 'boom');
  });

  it('errorBody speaks Indonesian by default wording and English on request', () => {
    const err = new AppError('reason_required');
    assert.deepEqual(errorBody(err, 'id'), {
      error: { code: 'reason_required', message: 'Alasan wajib diisi' },
    });
    assert.deepEqual(errorBody(err, 'en'), {
      error: { code: 'reason_required', message: 'A reason is required' },
    });
    const withDetails = new AppError('nik_invalid', { rule: 'serial' });
    assert.deepEqual(errorBody(withDetails, 'en').error.details, { rule: 'serial' });
  });

  it('the body never leaks a custom internal message', () => {
    const err = new AppError('internal', undefined, 'stack trace here');
    assert.equal(errorBody(err, 'en').error.message, 'Internal error');
  });

  it('every code has a 4xx/5xx status and both languages', () => {
    for (const [code, e] of Object.entries(ERRORS)) {
      assert.ok(e.status >= 400 && e.status < 600, code);
      assert.ok(e.id.length > 0 && e.en.length > 0, code);
    }
  });

  it('the domain codes have the statuses the API promises', () => {
    const expected: Record<string, number> = {
      forbidden: 403,
      separation_of_duties: 403,
      illegal_step: 409,
      precondition_failed: 409,
      reason_required: 400,
      nik_invalid: 400,
      window_invalid: 400,
      badge_unavailable: 409,
      escort_invalid: 409,
      device_unexpected: 409,
      validation_failed: 400,
      journal_unavailable: 503,
    };
    for (const [code, status] of Object.entries(expected)) {
      assert.equal(ERRORS[code as keyof typeof ERRORS].status, status, code);
    }
  });
});
