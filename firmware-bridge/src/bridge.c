#include "bridge.h"

static uint8_t *put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v) {
  p = put16(p, (uint16_t)v);
  return put16(p, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t get32(const uint8_t *p) { return get16(p) | ((uint32_t)get16(p + 2) << 16); }

static void send(bridge_t *b, uint8_t type, const uint8_t *payload, uint8_t len) {
  frame_t f;
  uint8_t wire[FRAME_MAX_WIRE];
  f.type = type;
  f.epoch = b->epoch;
  f.seq = b->tx_seq++;
  f.len = len;
  for (uint8_t i = 0; i < len; i++) f.payload[i] = payload[i];
  uint8_t n = frame_encode(&f, wire);
  if (n) b->io.send(wire, n);
}

static void ack(bridge_t *b, uint16_t ref, uint32_t value) {
  uint8_t p[6];
  put32(put16(p, ref), value);
  send(b, MSG_ACK, p, sizeof p);
}

static void nack(bridge_t *b, uint16_t ref, uint8_t reason) {
  uint8_t p[3];
  put16(p, ref);
  p[2] = reason;
  send(b, MSG_NACK, p, sizeof p);
}

static void fault(bridge_t *b, uint8_t raised) {
  uint8_t p[2] = {b->faults, raised};
  send(b, MSG_FAULT, p, sizeof p);
}

static void hello(bridge_t *b, uint16_t ref) {
  uint8_t p[17], *q = p;
  *q++ = PROTO_VERSION;
  *q++ = FW_MAJOR;
  *q++ = FW_MINOR;
  *q++ = FW_PATCH;
  q = put16(q, CAP_RELAY | CAP_WIEGAND | CAP_INPUTS | CAP_LOCAL_REX | CAP_SESSION);
  *q++ = b->reset_cause;
  *q++ = b->faults;
  q = put16(q, b->hb_timeout_ms);
  q = put16(q, b->max_pulse_ms);
  q = put16(q, b->rex_pulse_ms);
  *q++ = b->rex_mode;
  put16(q, ref);
  send(b, MSG_HELLO, p, sizeof p);
}

static void release(bridge_t *b) { b->relay_mode = RELAY_RELEASE; }

static void pulse(bridge_t *b, uint32_t ms, uint32_t now) {
  uint32_t until = now + ms;
  /* A pulse never shortens one already running (an exit press during an authorised unlock). */
  if (b->relay_mode == RELAY_PULSE && (int32_t)(b->relay_until - until) > 0) return;
  if (b->relay_mode == RELAY_HOLD) return;
  b->relay_mode = RELAY_PULSE;
  b->relay_until = until;
}

void bridge_init(bridge_t *b, const bridge_io_t *io, uint8_t reset_cause, uint32_t now) {
  b->io = *io;
  b->hb_timeout_ms = DEFAULT_HB_TIMEOUT_MS;
  b->max_pulse_ms = DEFAULT_MAX_PULSE_MS;
  b->rex_pulse_ms = DEFAULT_REX_PULSE_MS;
  b->rex_mode = REX_HOST_ABSENT;
  b->epoch = 0;
  b->last_seq = 0;
  b->host_alive = 0;
  b->last_host_ms = now;
  b->tx_seq = 0;
  b->relay_mode = RELAY_RELEASE;
  b->relay_until = now;
  b->reset_cause = reset_cause;
  b->faults = 0;
  if (reset_cause & RESET_WATCHDOG) b->faults |= FAULT_WATCHDOG_RESET;
  if (reset_cause & RESET_BROWNOUT) b->faults |= FAULT_BROWNOUT_RESET;
  b->inputs = 0;
  b->rx_dropped = 0;
  b->last_beat_ms = now;
  hello(b, 0);
}

static uint16_t clamp16(uint16_t v, uint16_t lo, uint16_t hi, uint16_t dflt) {
  if (v == 0) return dflt;
  return v < lo ? lo : v > hi ? hi : v;
}

static void on_hello(bridge_t *b, const frame_t *f, uint32_t now) {
  const uint8_t *p = f->payload;
  if (f->len < 8 || p[0] != PROTO_VERSION) {
    nack(b, f->seq, NACK_BAD_PAYLOAD);
    return;
  }
  b->hb_timeout_ms = clamp16(get16(p + 1), MIN_HB_TIMEOUT_MS, MAX_HB_TIMEOUT_MS, DEFAULT_HB_TIMEOUT_MS);
  b->max_pulse_ms = clamp16(get16(p + 3), 1, LIMIT_MAX_PULSE_MS, DEFAULT_MAX_PULSE_MS);
  b->rex_pulse_ms = clamp16(get16(p + 5), 1, LIMIT_MAX_PULSE_MS, DEFAULT_REX_PULSE_MS);
  b->rex_mode = p[7] <= REX_ALWAYS ? p[7] : REX_HOST_ABSENT;
  /* A new session: frames of any earlier session, or of an earlier boot, are refused from now on. */
  b->epoch = b->io.next_epoch();
  b->last_seq = 0;
  b->host_alive = 1;
  b->last_host_ms = now;
  hello(b, f->seq);
  if (b->faults) fault(b, 0);
}

static void on_relay(bridge_t *b, const frame_t *f, uint32_t now) {
  if (f->len < 5 || f->payload[0] > RELAY_HOLD) {
    nack(b, f->seq, NACK_BAD_PAYLOAD);
    return;
  }
  uint8_t mode = f->payload[0];
  uint32_t ms = get32(f->payload + 1);
  if (mode == RELAY_RELEASE || (mode == RELAY_PULSE && ms == 0)) {
    release(b);
    ack(b, f->seq, 0);
    return;
  }
  if (b->faults) {
    nack(b, f->seq, NACK_FAULT_LATCHED);
    return;
  }
  if (mode == RELAY_HOLD) {
    b->relay_mode = RELAY_HOLD;
    ack(b, f->seq, 0xFFFFFFFFUL);
    return;
  }
  if (ms > b->max_pulse_ms) ms = b->max_pulse_ms;
  /* The host's pulse replaces the running one (it may shorten a previous grant). */
  b->relay_mode = RELAY_PULSE;
  b->relay_until = now + ms;
  ack(b, f->seq, ms);
}

void bridge_on_frame(bridge_t *b, const frame_t *f, uint32_t now) {
  if (f->type == MSG_HELLO) {
    on_hello(b, f, now);
    return;
  }
  if (b->epoch == 0) {
    nack(b, f->seq, NACK_NO_SESSION);
    return;
  }
  if (f->epoch != b->epoch) {
    nack(b, f->seq, NACK_EPOCH);
    return;
  }
  if (f->seq <= b->last_seq) {
    nack(b, f->seq, NACK_REPLAY);
    return;
  }
  b->last_seq = f->seq;
  uint8_t was_alive = b->host_alive;
  b->host_alive = 1;
  b->last_host_ms = now;
  if (!was_alive && b->faults) fault(b, 0);
  switch (f->type) {
    case MSG_HEARTBEAT:
      ack(b, f->seq, b->faults | ((uint32_t)bridge_relay(b) << 8) | ((uint32_t)b->inputs << 16));
      break;
    case MSG_RELAY:
      on_relay(b, f, now);
      break;
    case MSG_RESET_FAULT:
      if (f->len < 1) {
        nack(b, f->seq, NACK_BAD_PAYLOAD);
        break;
      }
      b->faults &= (uint8_t)~f->payload[0];
      ack(b, f->seq, b->faults);
      break;
    default:
      nack(b, f->seq, NACK_UNKNOWN_TYPE);
  }
}

void bridge_on_drop(bridge_t *b) {
  if (b->rx_dropped < 0xFFFF) b->rx_dropped++;
}

void bridge_on_input(bridge_t *b, uint8_t id, uint8_t active, uint32_t at, uint32_t now) {
  uint8_t m = (uint8_t)(1 << id);
  b->inputs = active ? (b->inputs | m) : (b->inputs & (uint8_t)~m);
  uint8_t p[7];
  p[0] = id;
  p[1] = active;
  put32(p + 2, at);
  p[6] = b->inputs;
  send(b, MSG_INPUT, p, sizeof p);
  /* Egress must work with the host gone: the exit button pulses the relay on its own. */
  if (id == INPUT_EXIT && active &&
      (b->rex_mode == REX_ALWAYS || (b->rex_mode == REX_HOST_ABSENT && !b->host_alive)))
    pulse(b, b->rex_pulse_ms, now);
}

void bridge_on_card(bridge_t *b, const wiegand_bits_t *bits) {
  wiegand_card_t c;
  wiegand_decode(bits, &c);
  uint8_t p[9 + WIEGAND_MAX_BITS / 8];
  uint8_t kept = bits->count > WIEGAND_MAX_BITS ? WIEGAND_MAX_BITS : bits->count;
  uint8_t nbytes = (uint8_t)((kept + 7) / 8);
  p[0] = bits->count;
  p[1] = c.format;
  p[2] = c.status;
  put32(put16(p + 3, c.facility), c.card);
  for (uint8_t i = 0; i < nbytes; i++) p[9 + i] = bits->bits[i];
  /* Bits past the count are noise from an earlier read: send them as 0. */
  if (kept & 7) p[9 + nbytes - 1] &= (uint8_t)(0xFF << (8 - (kept & 7)));
  send(b, MSG_CARD, p, (uint8_t)(9 + nbytes));
}

void bridge_tick(bridge_t *b, uint32_t now) {
  if (b->host_alive && (uint32_t)(now - b->last_host_ms) >= b->hb_timeout_ms) {
    /* Fail secure: lock, latch, and say so (the host may only be deaf). */
    b->host_alive = 0;
    b->faults |= FAULT_HOST_LOST;
    release(b);
    fault(b, FAULT_HOST_LOST);
  }
  if (b->relay_mode == RELAY_PULSE && (int32_t)(now - b->relay_until) >= 0) release(b);
  if ((uint32_t)(now - b->last_beat_ms) >= MCU_HEARTBEAT_MS) {
    b->last_beat_ms = now;
    uint8_t p[9];
    put32(p, now);
    p[4] = b->faults;
    p[5] = bridge_relay(b);
    p[6] = b->inputs;
    put16(p + 7, b->rx_dropped);
    send(b, MSG_HEARTBEAT, p, sizeof p);
  }
}

uint8_t bridge_relay(const bridge_t *b) { return b->relay_mode != RELAY_RELEASE; }
