#include "cobs.h"

uint8_t cobs_encode(const uint8_t *in, uint8_t len, uint8_t *out) {
  uint8_t code_at = 0, o = 1, code = 1;
  for (uint8_t i = 0; i < len; i++) {
    if (in[i] == 0) {
      out[code_at] = code;
      code_at = o++;
      code = 1;
    } else {
      out[o++] = in[i];
      if (++code == 0xFF) {
        out[code_at] = code;
        code_at = o++;
        code = 1;
      }
    }
  }
  out[code_at] = code;
  return o;
}

int16_t cobs_decode(const uint8_t *in, uint8_t len, uint8_t *out) {
  uint8_t i = 0, o = 0;
  while (i < len) {
    uint8_t code = in[i++];
    if (code == 0) return -1;
    for (uint8_t k = 1; k < code; k++) {
      if (i >= len) return -1;
      uint8_t b = in[i++];
      if (b == 0) return -1;
      out[o++] = b;
    }
    if (code != 0xFF && i < len) out[o++] = 0;
  }
  return o;
}
