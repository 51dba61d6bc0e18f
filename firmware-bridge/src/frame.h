/*
 * Frames: body = version | type | epoch u16 LE | seq u16 LE | payload | CRC-16/XMODEM BE, COBS
 * encoded, with a 0x00 before and after. The parser is fed one byte at a time and resyncs at every
 * 0x00: junk, a bad CRC or an oversized frame costs only the bytes up to the next delimiter.
 */
#ifndef BRIDGE_FRAME_H
#define BRIDGE_FRAME_H
#include <stdint.h>
#include "protocol.h"

typedef struct {
  uint8_t type;
  uint16_t epoch;
  uint16_t seq;
  uint8_t len;
  uint8_t payload[FRAME_MAX_PAYLOAD];
} frame_t;

/* Why a delimited chunk was not a frame; FRAME_EMPTY (0x00 0x00) is not an error. */
enum frame_event {
  FRAME_NONE = 0, /* byte consumed, nothing complete yet */
  FRAME_OK,
  FRAME_EMPTY,
  FRAME_DROP_OVERSIZE,
  FRAME_DROP_COBS,
  FRAME_DROP_SHORT,
  FRAME_DROP_CRC,
  FRAME_DROP_VERSION,
};

typedef struct {
  uint8_t buf[FRAME_MAX_ENCODED];
  uint8_t len;
  uint8_t overflow;
} frame_parser_t;

/* Writes the wire bytes (delimiters included) into out (FRAME_MAX_WIRE); returns their count,
 * or 0 if the payload is too long. */
uint8_t frame_encode(const frame_t *f, uint8_t *out);

void frame_parser_init(frame_parser_t *p);
/* Feeds one byte; on FRAME_OK *out holds the frame. */
uint8_t frame_parser_push(frame_parser_t *p, uint8_t byte, frame_t *out);

#endif
