/* Consistent Overhead Byte Stuffing: the encoded form holds no 0x00, so 0x00 delimits frames. */
#ifndef BRIDGE_COBS_H
#define BRIDGE_COBS_H
#include <stdint.h>

/* Encodes len bytes of in into out (room for len + len/254 + 1); returns the encoded length. */
uint8_t cobs_encode(const uint8_t *in, uint8_t len, uint8_t *out);
/* Decodes in place-safe into out (room for len); returns the decoded length, or -1 if malformed. */
int16_t cobs_decode(const uint8_t *in, uint8_t len, uint8_t *out);
#endif
