/**
 * Event payloads are typed per event type (EventData in src/domain/events.ts). The checks that
 * matter run in `tsc`: each `@ts-expect-error` below fails the type-check if the mistake under it
 * stops being an error.
 */
import assert from 'node:assert/strict';
import { EVENT_TYPES, type EventData, type EventInput, typedEvent } from '../../src/domain/events.js';

describe('domain/events payload types', () => {
  it('a misspelt, missing or mistyped field does not type-check', () => {
    const ok: EventInput = { type: 'door.locked', data: { reason: 'timeout' } };
    // @ts-expect-error misspelt field: `reasn`
    const misspelt: EventInput = { type: 'door.locked', data: { reasn: 'timeout' } };
    // @ts-expect-error a reason door.locked never has
    const wrongValue: EventInput = { type: 'door.locked', data: { reason: 'grant' } };
    // @ts-expect-error missing `authorised`
    const missing: EventInput = { type: 'door.opened', data: {} };
    // @ts-expect-error data of another type
    const crossed: EventInput = { type: 'visit.entered', data: { reason: 'timeout' } };
    assert.equal([ok, misspelt, wrongValue, missing, crossed].length, 5);
  });

  it('a journal event read back narrows to its type’s data', () => {
    const ev = typedEvent({
      seq: 1,
      id: 'e1',
      at: '2026-01-01T00:00:00.000Z',
      door: 'd',
      type: 'door.mode_changed',
      data: { from: 'normal', to: 'lockdown', by: { id: 'u', name: 'U' }, via: 'http' },
      prev: '0'.repeat(64),
      hash: 'h',
    });
    assert.equal(ev.type, 'door.mode_changed');
    if (ev.type === 'door.mode_changed') {
      const to: 'normal' | 'lockdown' | 'emergency_release' = ev.data.to;
      assert.equal(to, 'lockdown');
    }
  });

  it('every event type has a data shape', () => {
    // Compile-time: EventData has exactly the keys of EVENT_TYPES.
    const keys: Record<keyof EventData, true> = Object.fromEntries(
      EVENT_TYPES.map((t) => [t, true]),
    ) as Record<(typeof EVENT_TYPES)[number], true>;
    assert.equal(Object.keys(keys).length, EVENT_TYPES.length);
  });
});
