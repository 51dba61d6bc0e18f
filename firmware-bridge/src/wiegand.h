/* Wiegand decoding (no hardware): the bits as received, MSB first, to a checked card. */
#ifndef BRIDGE_WIEGAND_H
#define BRIDGE_WIEGAND_H
#include <stdint.h>
#include "protocol.h"

typedef struct {
  uint8_t count;                        /* bits received (may exceed WIEGAND_MAX_BITS) */
  uint8_t bits[WIEGAND_MAX_BITS / 8];   /* bit i at bits[i/8] & (0x80 >> i%8) */
} wiegand_bits_t;

typedef struct {
  uint8_t format;   /* enum card_format */
  uint8_t status;   /* enum card_status */
  uint16_t facility;
  uint32_t card;
} wiegand_card_t;

/* Decodes a finished read. A parity error leaves facility and card at 0: it is never a card. */
void wiegand_decode(const wiegand_bits_t *w, wiegand_card_t *out);
/* The ISR side: appends one bit. */
void wiegand_push(wiegand_bits_t *w, uint8_t bit);
#endif
