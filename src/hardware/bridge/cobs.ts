/** Consistent Overhead Byte Stuffing: the encoded form holds no 0x00, so 0x00 delimits frames. */

export function cobsEncode(data: Uint8Array): Buffer {
  const out = Buffer.alloc(data.length + Math.ceil(data.length / 254) + 1);
  let codeAt = 0;
  let o = 1;
  let code = 1;
  for (const b of data) {
    if (b === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    } else {
      out[o++] = b;
      if (++code === 0xff) {
        out[codeAt] = code;
        codeAt = o++;
        code = 1;
      }
    }
  }
  out[codeAt] = code;
  return out.subarray(0, o);
}

/** Returns the decoded bytes, or null if the input is not valid COBS. */
export function cobsDecode(data: Uint8Array): Buffer | null {
  const out = Buffer.alloc(data.length);
  let i = 0;
  let o = 0;
  while (i < data.length) {
    const code = data[i++]!;
    if (code === 0) return null;
    for (let k = 1; k < code; k++) {
      if (i >= data.length) return null;
      const b = data[i++]!;
      if (b === 0) return null;
      out[o++] = b;
    }
    if (code !== 0xff && i < data.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}
