/**
 * The journal's hash chain: each event's hash covers the whole event — every field but `hash`
 * itself, `prev` included — so an edit, an added field, a deletion or a reordering breaks every
 * link after it. Also the one place an event becomes its line, so what is hashed and what is
 * written cannot drift apart.
 *
 * The hashed form is canonical JSON (object keys sorted at every depth), so it does not depend on
 * the order keys were written in. Journals written before this (chain v1) hashed
 * `prev + "\n" + JSON of {seq,id,at,door,type,data}` in that key order; no version marker is
 * written: a verifier recomputes, and accepts v1 hashes only for the events before the first v2 one
 * (an old journal continued by new code), and only for events with exactly the v1 fields — v1
 * covered all of them, so nothing unhashed can hide in an old journal either.
 */
import { createHash, hash } from 'node:crypto';
import type { JournalEvent } from '../domain/events.js';

export const GENESIS_HASH = '0'.repeat(64);

/** The top-level fields of a journal event; anything else on a line is an error. */
export const EVENT_FIELDS: readonly (keyof JournalEvent)[] = [
  'seq',
  'id',
  'at',
  'door',
  'type',
  'data',
  'prev',
  'hash',
];
const KNOWN = new Set<string>(EVENT_FIELDS);

/** Fields on an event that are not event fields (and so must not be there). */
export function unknownFields(e: object): string[] {
  return Object.keys(e).filter((k) => !KNOWN.has(k));
}

function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const obj = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(obj).sort()) sorted[k] = obj[k];
  return sorted;
}

/**
 * JSON with object keys sorted at every depth. The replacer sees values as JSON.stringify does
 * (after toJSON, undefined dropped), so an event and the line it was written as, parsed back,
 * give the same text.
 */
export function canonicalJson(value: unknown): string {
  return fastCanonical(value) ?? JSON.stringify(value, sortKeys);
}

/**
 * canonicalJson for what journal data is made of (plain objects and arrays of strings, finite
 * numbers, booleans and null), written out directly instead of through a replacer that copies
 * every object: the same text, at a third of the cost on the append path. Anything else — a
 * toJSON, a class instance, undefined, a non-finite number, a key that is an array index (an
 * object orders those first whatever their insertion), an own `__proto__` key — answers null, and
 * the replacer does it.
 */
function fastCanonical(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : null;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item = fastCanonical(value[i]);
          if (item === null) return null;
          out += i === 0 ? item : `,${item}`;
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return null;
      const obj = value as Record<string, unknown>;
      if (typeof obj.toJSON === 'function') return null;
      const keys = Object.keys(obj).sort();
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        const c = k.charCodeAt(0);
        if (c >= 48 && c <= 57) return null; // may be an array index
        // An own "__proto__" key (JSON.parse makes one): the replacer's copy assigns it as the
        // prototype and drops it from the text; do exactly that, as existing chains were hashed.
        if (k === '__proto__') return null;
        const item = fastCanonical(obj[k]);
        if (item === null) return null;
        out += `${i === 0 ? '' : ','}${JSON.stringify(k)}:${item}`;
      }
      return `${out}}`;
    }
    default:
      return null; // undefined, functions, symbols, bigints: the replacer's rules
  }
}

function sha256(...parts: string[]): string {
  if (parts.length === 1) return hash('sha256', parts[0] as string, 'hex'); // one shot, no Hash object
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** The chain's hash of an event: sha256 of the canonical JSON of every field but `hash`. */
export function hashEvent(e: Omit<JournalEvent, 'hash'> & { hash?: string }): string {
  const { hash: _hash, ...rest } = e;
  return sha256(canonicalJson(rest));
}

/** The v1 hash (journals written before whole-event hashing): named fields only. */
export function legacyHashEvent(e: Omit<JournalEvent, 'hash'>): string {
  const body = JSON.stringify({ seq: e.seq, id: e.id, at: e.at, door: e.door, type: e.type, data: e.data });
  return sha256(e.prev, '\n', body);
}

/** Hashes an event and serialises it as its journal line (newline-terminated). */
export function sealEvent(partial: Omit<JournalEvent, 'hash'>): { event: JournalEvent; line: string } {
  const hash = hashEvent(partial);
  const event: JournalEvent = {
    seq: partial.seq,
    id: partial.id,
    at: partial.at,
    door: partial.door,
    type: partial.type,
    data: partial.data,
    prev: partial.prev,
    hash,
  };
  // The line keeps JournalEvent's key order, seq first: readers skip lines before a cursor by
  // that prefix without parsing them.
  return { event, line: `${JSON.stringify(event)}\n` };
}
