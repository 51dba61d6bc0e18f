#include "wiegand.h"

static uint8_t bit_at(const wiegand_bits_t *w, uint8_t i) { return (w->bits[i >> 3] >> (7 - (i & 7))) & 1; }

static uint32_t field(const wiegand_bits_t *w, uint8_t from, uint8_t n) {
  uint32_t v = 0;
  for (uint8_t i = 0; i < n; i++) v = (v << 1) | bit_at(w, (uint8_t)(from + i));
  return v;
}

static uint8_t ones(const wiegand_bits_t *w, uint8_t from, uint8_t to_incl) {
  uint8_t c = 0;
  for (uint8_t i = from; i <= to_incl; i++) c += bit_at(w, i);
  return c;
}

void wiegand_push(wiegand_bits_t *w, uint8_t bit) {
  if (w->count < WIEGAND_MAX_BITS) {
    uint8_t m = (uint8_t)(0x80 >> (w->count & 7));
    if (bit)
      w->bits[w->count >> 3] |= m;
    else
      w->bits[w->count >> 3] &= (uint8_t)~m;
  }
  if (w->count < 255) w->count++;
}

/* Leading even parity over [0, even_to], trailing odd parity over [odd_from, n-1]. */
static uint8_t parity_ok(const wiegand_bits_t *w, uint8_t even_to, uint8_t odd_from) {
  return (ones(w, 0, even_to) & 1) == 0 && (ones(w, odd_from, (uint8_t)(w->count - 1)) & 1) == 1;
}

void wiegand_decode(const wiegand_bits_t *w, wiegand_card_t *out) {
  out->facility = 0;
  out->card = 0;
  out->status = CARD_OK;
  uint8_t even_to, odd_from, fc_bits, card_bits;
  switch (w->count) {
    case 26: out->format = CARD_H10301_26; even_to = 12; odd_from = 13; fc_bits = 8; card_bits = 16; break;
    case 34: out->format = CARD_34; even_to = 16; odd_from = 17; fc_bits = 16; card_bits = 16; break;
    case 37: out->format = CARD_H10304_37; even_to = 18; odd_from = 18; fc_bits = 16; card_bits = 19; break;
    default:
      out->format = CARD_RAW;
      if (w->count > WIEGAND_MAX_BITS) out->status = CARD_TOO_LONG;
      return;
  }
  if (!parity_ok(w, even_to, odd_from)) {
    out->status = CARD_PARITY_ERROR;
    return;
  }
  out->facility = (uint16_t)field(w, 1, fc_bits);
  out->card = field(w, (uint8_t)(1 + fc_bits), card_bits);
}
