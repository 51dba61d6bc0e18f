/** CRC-16/XMODEM (poly 0x1021, init 0), as avr-libc's `_crc_xmodem_update` on the bridge. */
export function crcXmodem(data: Uint8Array): number {
  let crc = 0;
  for (const b of data) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
