/**
 * Why a card did not prove itself genuine. Every NTAG 424 DNA step returns one of these instead
 * of throwing; a detail says what was seen (status words, lengths — never keys or whole UIDs).
 */
export type ProtocolFailureReason =
  /** Not an ISO 14443-4 card, no NTAG 424 DNA application, or an answer of the wrong shape. */
  | 'not_ntag424'
  /** The card refused, or answered the authentication without knowing the key (a clone, a replay). */
  | 'auth_failed'
  /** A secured answer whose MAC is wrong. */
  | 'bad_mac'
  /** The card says our key is wrong (91 AE), or is keyed to a version this site does not hold. */
  | 'wrong_key';

export type TapFailureReason = ProtocolFailureReason | 'card_removed';

export interface Failure<R extends string = TapFailureReason> {
  ok: false;
  reason: R;
  detail: string;
}

export type Step<T, R extends string = ProtocolFailureReason> = { ok: true; value: T } | Failure<R>;

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

export const fail = <R extends string>(reason: R, detail: string): Failure<R> => ({
  ok: false,
  reason,
  detail,
});
