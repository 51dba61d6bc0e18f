#include "frame.h"
#include "cobs.h"
#include "crc16.h"

uint8_t frame_encode(const frame_t *f, uint8_t *out) {
  uint8_t body[FRAME_MAX_BODY];
  if (f->len > FRAME_MAX_PAYLOAD) return 0;
  body[0] = PROTO_VERSION;
  body[1] = f->type;
  body[2] = (uint8_t)f->epoch;
  body[3] = (uint8_t)(f->epoch >> 8);
  body[4] = (uint8_t)f->seq;
  body[5] = (uint8_t)(f->seq >> 8);
  for (uint8_t i = 0; i < f->len; i++) body[FRAME_HEADER_LEN + i] = f->payload[i];
  uint8_t n = FRAME_HEADER_LEN + f->len;
  uint16_t crc = crc_xmodem(body, n);
  body[n++] = (uint8_t)(crc >> 8);
  body[n++] = (uint8_t)crc;
  out[0] = 0;
  uint8_t e = cobs_encode(body, n, out + 1);
  out[1 + e] = 0;
  return (uint8_t)(e + 2);
}

void frame_parser_init(frame_parser_t *p) {
  p->len = 0;
  p->overflow = 0;
}

static uint8_t decode(const frame_parser_t *p, frame_t *out) {
  uint8_t body[FRAME_MAX_ENCODED];
  int16_t n = cobs_decode(p->buf, p->len, body);
  if (n < 0) return FRAME_DROP_COBS;
  if (n < FRAME_MIN_BODY) return FRAME_DROP_SHORT;
  if (n > FRAME_MAX_BODY) return FRAME_DROP_OVERSIZE;
  uint8_t m = (uint8_t)n - FRAME_CRC_LEN;
  uint16_t crc = crc_xmodem(body, m);
  if (body[m] != (uint8_t)(crc >> 8) || body[m + 1] != (uint8_t)crc) return FRAME_DROP_CRC;
  if (body[0] != PROTO_VERSION) return FRAME_DROP_VERSION;
  out->type = body[1];
  out->epoch = (uint16_t)(body[2] | (body[3] << 8));
  out->seq = (uint16_t)(body[4] | (body[5] << 8));
  out->len = m - FRAME_HEADER_LEN;
  for (uint8_t i = 0; i < out->len; i++) out->payload[i] = body[FRAME_HEADER_LEN + i];
  return FRAME_OK;
}

uint8_t frame_parser_push(frame_parser_t *p, uint8_t byte, frame_t *out) {
  if (byte != 0) {
    if (p->len < sizeof p->buf)
      p->buf[p->len++] = byte;
    else
      p->overflow = 1;
    return FRAME_NONE;
  }
  uint8_t ev;
  if (p->overflow)
    ev = FRAME_DROP_OVERSIZE;
  else if (p->len == 0)
    ev = FRAME_EMPTY;
  else
    ev = decode(p, out);
  frame_parser_init(p);
  return ev;
}
