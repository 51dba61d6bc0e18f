/**
 * AES-CMAC (RFC 4493, NIST SP 800-38B) and the 8-byte MACt that NTAG 424 DNA secure messaging
 * sends (the odd-indexed bytes of the CMAC). Written here rather than taken from a package: Node's
 * crypto has no CMAC without OpenSSL's EVP_MAC, and the RFC's vectors pin it (test/…/cmac.test.ts).
 */
import { BLOCK, encryptBlock, xor } from './aes.js';

/** Doubling in GF(2^128), the subkey step of RFC 4493 §2.3. */
function dbl(block: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i++) {
    out[i] = ((block[i]! << 1) & 0xff) | (i + 1 < BLOCK ? block[i + 1]! >> 7 : 0);
  }
  if (block[0]! & 0x80) out[BLOCK - 1] = out[BLOCK - 1]! ^ 0x87;
  return out;
}

export function cmacSubkeys(key: Buffer): { k1: Buffer; k2: Buffer } {
  const k1 = dbl(encryptBlock(key, Buffer.alloc(BLOCK)));
  return { k1, k2: dbl(k1) };
}

/**
 * CBC-MAC over `blocks` (whole blocks) whose last block is XORed with `subkey` first. CMAC and
 * AN10922's diversification (which pads to 32 bytes, not 16) share it.
 */
export function cbcMacWithSubkey(key: Buffer, blocks: Buffer, subkey: Buffer): Buffer {
  let x: Buffer = Buffer.alloc(BLOCK);
  const n = blocks.length / BLOCK;
  for (let i = 0; i < n; i++) {
    let m = blocks.subarray(i * BLOCK, (i + 1) * BLOCK);
    if (i === n - 1) m = xor(m, subkey);
    x = encryptBlock(key, xor(x, m));
  }
  return x;
}

export function aesCmac(key: Buffer, message: Buffer): Buffer {
  const { k1, k2 } = cmacSubkeys(key);
  const complete = message.length > 0 && message.length % BLOCK === 0;
  if (complete) return cbcMacWithSubkey(key, message, k1);
  const len = (Math.floor(message.length / BLOCK) + 1) * BLOCK;
  const padded = Buffer.alloc(len);
  message.copy(padded);
  padded[message.length] = 0x80;
  return cbcMacWithSubkey(key, padded, k2);
}

/** MACt (NT4H2421Gx §9.1.3): bytes 1, 3, 5 … 15 of the full CMAC. */
export function truncateMac(full: Buffer): Buffer {
  const out = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) out[i] = full[2 * i + 1]!;
  return out;
}

export function macT(key: Buffer, message: Buffer): Buffer {
  return truncateMac(aesCmac(key, message));
}
