/**
 * The CRC32 ChangeKey appends to a new key (NT4H2421Gx §10.6.1): the IEEE 802.3 polynomial
 * (reflected 0xEDB88320), initial value 0xFFFFFFFF and, unlike zlib's, no final inversion
 * ("JAMCRC"); sent least significant byte first. AN12196: CRC32(F3847D627727ED3BC9C4CC050489B966)
 * = 78 9D FA DC.
 */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function desfireCrc32(data: Buffer): Buffer {
  let c = 0xffffffff;
  for (const b of data) c = TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32LE(c >>> 0, 0);
  return out;
}
