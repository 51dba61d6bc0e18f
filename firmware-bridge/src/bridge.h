/*
 * The bridge's state machine, with no hardware access (tested on the host): sessions and
 * anti-replay, the relay with its MCU-side bounds, the host heartbeat monitor that trips to locked
 * and latches, local request-to-exit, and the frames it sends. main.c feeds it time, bytes, inputs
 * and cards, and drives the relay pin from bridge_relay().
 */
#ifndef BRIDGE_BRIDGE_H
#define BRIDGE_BRIDGE_H
#include <stdint.h>
#include "frame.h"
#include "wiegand.h"

typedef struct {
  /* Queues wire bytes for the UART (may drop them when full: the host sees the seq gap). */
  void (*send)(const uint8_t *wire, uint8_t len);
  /* Returns a session epoch never used before (persisted in EEPROM), never 0. */
  uint16_t (*next_epoch)(void);
} bridge_io_t;

typedef struct {
  bridge_io_t io;
  /* settings (defaults, or as the host's HELLO asked within the MCU's bounds) */
  uint16_t hb_timeout_ms, max_pulse_ms, rex_pulse_ms;
  uint8_t rex_mode;
  /* session */
  uint16_t epoch; /* 0: no session yet */
  uint16_t last_seq;
  uint8_t host_alive;
  uint32_t last_host_ms;
  uint16_t tx_seq;
  /* relay */
  uint8_t relay_mode;
  uint32_t relay_until;
  /* status */
  uint8_t faults, reset_cause, inputs;
  uint16_t rx_dropped;
  uint32_t last_beat_ms;
} bridge_t;

void bridge_init(bridge_t *b, const bridge_io_t *io, uint8_t reset_cause, uint32_t now);
void bridge_on_frame(bridge_t *b, const frame_t *f, uint32_t now);
void bridge_on_drop(bridge_t *b);
void bridge_on_input(bridge_t *b, uint8_t id, uint8_t active, uint32_t at, uint32_t now);
void bridge_on_card(bridge_t *b, const wiegand_bits_t *bits);
void bridge_tick(bridge_t *b, uint32_t now);
/* 1: the relay should be energised (unlocked). */
uint8_t bridge_relay(const bridge_t *b);
#endif
