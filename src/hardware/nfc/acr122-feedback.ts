/**
 * LED and buzzer on ACS ACR122U-class readers (ACR122U, ACR1252U): the "Bi-Color LED and Buzzer
 * Control" pseudo-APDU FF 00 40 P2 04 T1 T2 N B, sent while the card is connected. Other readers
 * have no such command; sending it to them would only produce errors, so they get nothing.
 */
import type { ReaderFeedback } from '../interfaces.js';

export function supportsAcrFeedback(readerName: string): boolean {
  return /acr12[25]/i.test(readerName);
}

/**
 * P2 bits: 0 final red, 1 final green, 2 red mask, 3 green mask, 4 initial red blink,
 * 5 initial green blink, 6 red blink mask, 7 green blink mask. T1/T2 in 100 ms units, N
 * repetitions, B buzzer link (1 = during T1).
 */
const PATTERNS: Record<ReaderFeedback, [p2: number, t1: number, t2: number, reps: number, buzz: number]> = {
  // green blinks once, short beep
  grant: [0b1010_1110, 0x05, 0x01, 0x01, 0x01],
  // red blinks three times with beeps
  deny: [0b0101_1101, 0x02, 0x02, 0x03, 0x01],
  // both blink twice, no beep: waiting for the escort (or the visitor)
  pending: [0b1111_1111, 0x02, 0x02, 0x02, 0x00],
};

export function feedbackApdu(result: ReaderFeedback): Buffer {
  const [p2, t1, t2, reps, buzz] = PATTERNS[result];
  return Buffer.from([0xff, 0x00, 0x40, p2, 0x04, t1, t2, reps, buzz]);
}
