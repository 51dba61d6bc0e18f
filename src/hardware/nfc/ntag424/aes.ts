/**
 * AES-128 as NTAG 424 DNA secure messaging uses it: single blocks (ECB) and CBC over whole blocks,
 * never with OpenSSL's padding (every caller pads itself, the way the card does). Node's crypto
 * does the cipher; this file only fixes the modes and checks lengths.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

export const BLOCK = 16;
export const ZERO_IV: Buffer = Buffer.alloc(BLOCK);

function checkKey(key: Buffer): void {
  if (key.length !== BLOCK) throw new RangeError('AES-128 key must be 16 bytes');
}

function checkBlocks(data: Buffer): void {
  if (data.length % BLOCK !== 0) throw new RangeError('AES data must be whole 16-byte blocks');
}

/** E(K, block): one block, no chaining (also what a CBC with a zero IV does to one block). */
export function encryptBlock(key: Buffer, block: Buffer): Buffer {
  checkKey(key);
  if (block.length !== BLOCK) throw new RangeError('AES block must be 16 bytes');
  const c = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

export function encryptCbc(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  checkKey(key);
  checkBlocks(data);
  const c = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

export function decryptCbc(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  checkKey(key);
  checkBlocks(data);
  const d = createDecipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
  return Buffer.concat([d.update(data), d.final()]);
}

export function xor(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) throw new RangeError('xor of unequal lengths');
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** ISO/IEC 9797-1 method 2, as the card pads: 0x80, then zeros to a whole block; always added. */
export function padM2(data: Buffer): Buffer {
  const len = (Math.floor(data.length / BLOCK) + 1) * BLOCK;
  const out = Buffer.alloc(len);
  data.copy(out);
  out[data.length] = 0x80;
  return out;
}

/** Undoes padM2; null when the padding is not there (a wrong key or a forged answer). */
export function unpadM2(data: Buffer): Buffer | null {
  for (let i = data.length - 1; i >= 0 && i >= data.length - BLOCK; i--) {
    if (data[i] === 0x80) return data.subarray(0, i);
    if (data[i] !== 0x00) return null;
  }
  return null;
}
