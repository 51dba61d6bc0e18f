/* CRC-16/XMODEM (poly 0x1021, init 0): avr-libc's _crc_xmodem_update on the AVR, the same
 * bit-by-bit algorithm on the host. */
#ifndef BRIDGE_CRC16_H
#define BRIDGE_CRC16_H
#include <stdint.h>

#ifdef __AVR__
#include <util/crc16.h>
#define crc_xmodem_update _crc_xmodem_update
#else
static inline uint16_t crc_xmodem_update(uint16_t crc, uint8_t data) {
  crc ^= (uint16_t)data << 8;
  for (uint8_t i = 0; i < 8; i++) crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
  return crc;
}
#endif

static inline uint16_t crc_xmodem(const uint8_t *p, uint8_t len) {
  uint16_t crc = 0;
  while (len--) crc = crc_xmodem_update(crc, *p++);
  return crc;
}
#endif
