/*
 * Host tests of everything in the firmware that decides: framing against the golden vectors
 * (the same file the TypeScript tests read), the bridge state machine, Wiegand and debounce.
 * Usage: host-tests vectors/frames.json. Prints one line per check group and exits non-zero on
 * any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "debounce.h"
#include "frame.h"
#include "json.h"
#include "wiegand.h"

static int failures, checks;
#define CHECK(cond, ...)                                  \
  do {                                                    \
    checks++;                                             \
    if (!(cond)) {                                        \
      failures++;                                         \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                       \
      fputc('\n', stderr);                                \
    }                                                     \
  } while (0)

static size_t unhex(const char *s, uint8_t *out) {
  size_t n = strlen(s) / 2;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(s + 2 * i, "%2x", &v);
    out[i] = (uint8_t)v;
  }
  return n;
}

static const char *reason_name(uint8_t ev) {
  switch (ev) {
    case FRAME_DROP_OVERSIZE: return "oversize";
    case FRAME_DROP_COBS: return "cobs";
    case FRAME_DROP_SHORT: return "short";
    case FRAME_DROP_CRC: return "crc";
    case FRAME_DROP_VERSION: return "version";
    default: return "?";
  }
}

static int num(const jval *o, const char *k) { return (int)json_get(o, k)->num; }
static const char *str(const jval *o, const char *k) { return json_get(o, k)->str; }

static void frame_matches(const frame_t *f, const jval *want, const char *ctx) {
  uint8_t payload[256];
  size_t plen = unhex(str(want, "payload"), payload);
  CHECK(f->type == num(want, "type"), "%s: type %d", ctx, f->type);
  CHECK(f->epoch == num(want, "epoch"), "%s: epoch %d", ctx, f->epoch);
  CHECK(f->seq == num(want, "seq"), "%s: seq %d", ctx, f->seq);
  CHECK(f->len == plen && !memcmp(f->payload, payload, plen), "%s: payload", ctx);
}

static void test_vectors(const jval *root) {
  const jval *frames = json_get(root, "frames");
  CHECK(json_get(root, "maxPayload")->num == FRAME_MAX_PAYLOAD, "maxPayload");
  for (size_t i = 0; i < frames->n; i++) {
    const jval *v = &frames->kids[i];
    const char *name = str(v, "name");
    frame_t f = {.type = (uint8_t)num(v, "type"), .epoch = (uint16_t)num(v, "epoch"), .seq = (uint16_t)num(v, "seq")};
    f.len = (uint8_t)unhex(str(v, "payload"), f.payload);
    uint8_t want[256], got[FRAME_MAX_WIRE];
    size_t wn = unhex(str(v, "wire"), want);
    uint8_t gn = frame_encode(&f, got);
    CHECK(gn == wn && !memcmp(got, want, wn), "encode %s", name);
    frame_parser_t p;
    frame_parser_init(&p);
    frame_t out;
    int ok = 0;
    for (size_t k = 0; k < wn; k++)
      if (frame_parser_push(&p, want[k], &out) == FRAME_OK) ok++;
    CHECK(ok == 1, "parse %s", name);
    if (ok == 1) frame_matches(&out, v, name);
  }
  const jval *streams = json_get(root, "streams");
  for (size_t i = 0; i < streams->n; i++) {
    const jval *s = &streams->kids[i];
    const char *name = str(s, "name");
    const jval *chunks = json_get(s, "chunks"), *events = json_get(s, "events");
    frame_parser_t p;
    frame_parser_init(&p);
    size_t seen = 0;
    for (size_t c = 0; c < chunks->n; c++) {
      uint8_t bytes[512];
      size_t n = unhex(chunks->kids[c].str, bytes);
      for (size_t k = 0; k < n; k++) {
        frame_t out;
        uint8_t ev = frame_parser_push(&p, bytes[k], &out);
        if (ev == FRAME_NONE || ev == FRAME_EMPTY) continue;
        if (seen >= events->n) {
          CHECK(0, "%s: unexpected event %d", name, ev);
          continue;
        }
        const jval *want = &events->kids[seen++];
        if (!strcmp(str(want, "kind"), "frame")) {
          CHECK(ev == FRAME_OK, "%s: event %zu is %s, not a frame", name, seen, reason_name(ev));
          if (ev == FRAME_OK) frame_matches(&out, want, name);
        } else {
          CHECK(ev != FRAME_OK && !strcmp(reason_name(ev), str(want, "reason")), "%s: event %zu: %s, want %s",
                name, seen, ev == FRAME_OK ? "frame" : reason_name(ev), str(want, "reason"));
        }
      }
    }
    CHECK(seen == events->n, "%s: %zu events, want %zu", name, seen, events->n);
  }
  printf("ok - golden vectors (%zu frames, %zu streams)\n", frames->n, streams->n);
}

/* ---- the bridge state machine, with a fake UART that parses what it sends ---- */

static frame_t sent[64];
static int nsent;
static frame_parser_t tx_parser;
static uint16_t epoch_store;

static void fake_send(const uint8_t *wire, uint8_t len) {
  for (uint8_t i = 0; i < len; i++) {
    frame_t f;
    if (frame_parser_push(&tx_parser, wire[i], &f) == FRAME_OK && nsent < 64) sent[nsent++] = f;
  }
}
static uint16_t fake_epoch(void) { return ++epoch_store; }
static const bridge_io_t io = {fake_send, fake_epoch};

static const frame_t *last_sent(void) { return nsent ? &sent[nsent - 1] : NULL; }
static int count_type(uint8_t type) {
  int c = 0;
  for (int i = 0; i < nsent; i++) c += sent[i].type == type;
  return c;
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t get32(const uint8_t *p) { return get16(p) | ((uint32_t)get16(p + 2) << 16); }

static frame_t host(uint8_t type, uint16_t epoch, uint16_t seq, const uint8_t *p, uint8_t len) {
  frame_t f = {.type = type, .epoch = epoch, .seq = seq, .len = len};
  if (len) memcpy(f.payload, p, len);
  return f;
}

static void hello(bridge_t *b, uint32_t now) {
  uint8_t p[8] = {1, 0xD0, 0x07, 0x10, 0x27, 0x88, 0x13, REX_HOST_ABSENT}; /* 2000, 10000, 5000 */
  frame_t f = host(MSG_HELLO, 0, 0x1234, p, 8);
  bridge_on_frame(b, &f, now);
}

static void relay(bridge_t *b, uint16_t epoch, uint16_t seq, uint8_t mode, uint32_t ms, uint32_t now) {
  uint8_t p[5] = {mode, (uint8_t)ms, (uint8_t)(ms >> 8), (uint8_t)(ms >> 16), (uint8_t)(ms >> 24)};
  frame_t f = host(MSG_RELAY, epoch, seq, p, 5);
  bridge_on_frame(b, &f, now);
}

static void expect_nack(uint16_t ref, uint8_t reason, const char *ctx) {
  const frame_t *f = last_sent();
  CHECK(f && f->type == MSG_NACK && get16(f->payload) == ref && f->payload[2] == reason, "%s: NACK %d", ctx, reason);
}

static void test_bridge(void) {
  bridge_t b;
  nsent = 0;
  frame_parser_init(&tx_parser);
  bridge_init(&b, &io, RESET_POWER_ON, 0);
  CHECK(nsent == 1 && sent[0].type == MSG_HELLO && sent[0].epoch == 0, "boot HELLO");
  CHECK(!bridge_relay(&b), "locked at reset");

  relay(&b, 0, 1, RELAY_PULSE, 1000, 5);
  expect_nack(1, NACK_NO_SESSION, "before HELLO");
  CHECK(!bridge_relay(&b), "no unlock before a session");

  hello(&b, 10);
  const frame_t *h = last_sent();
  CHECK(h->type == MSG_HELLO && h->epoch == 1 && get16(h->payload + 15) == 0x1234, "HELLO reply in epoch 1");

  relay(&b, 1, 1, RELAY_PULSE, 600000, 20); /* ten minutes */
  CHECK(last_sent()->type == MSG_ACK && get32(last_sent()->payload + 2) == 10000, "pulse bounded to 10 s");
  CHECK(bridge_relay(&b), "unlocked");
  relay(&b, 1, 1, RELAY_PULSE, 1000, 30);
  expect_nack(1, NACK_REPLAY, "replayed seq");
  relay(&b, 2, 2, RELAY_PULSE, 1000, 30);
  expect_nack(2, NACK_EPOCH, "other epoch");
  uint16_t seq = 2;
  frame_t beat = host(MSG_HEARTBEAT, 1, seq, NULL, 0);
  bridge_on_frame(&b, &beat, 500);
  CHECK(last_sent()->type == MSG_ACK, "heartbeat ACK");
  uint32_t t;
  for (t = 500; t < 10020; t += 500) {
    beat.seq = ++seq;
    bridge_on_frame(&b, &beat, t);
    bridge_tick(&b, t);
  }
  bridge_tick(&b, 10019);
  CHECK(bridge_relay(&b), "still unlocked at 9999 ms");
  bridge_tick(&b, 10020);
  CHECK(!bridge_relay(&b), "pulse ends at 10 s");

  /* heartbeat loss */
  relay(&b, 1, ++seq, RELAY_HOLD, 0, 10500);
  CHECK(bridge_relay(&b), "hold");
  int faults_before = count_type(MSG_FAULT);
  bridge_tick(&b, 12499);
  CHECK(bridge_relay(&b) && count_type(MSG_FAULT) == faults_before, "alive at timeout - 1");
  bridge_tick(&b, 12500);
  CHECK(!bridge_relay(&b), "released at the heartbeat timeout");
  CHECK(count_type(MSG_FAULT) == faults_before + 1 && (b.faults & FAULT_HOST_LOST), "host lost latched");
  relay(&b, 1, ++seq, RELAY_PULSE, 1000, 13000);
  expect_nack(seq, NACK_FAULT_LATCHED, "unlock while latched");
  CHECK(count_type(MSG_FAULT) == faults_before + 2, "fault reported when the host is back");
  uint8_t mask = FAULT_HOST_LOST;
  frame_t reset = host(MSG_RESET_FAULT, 1, ++seq, &mask, 1);
  bridge_on_frame(&b, &reset, 13010);
  CHECK(last_sent()->type == MSG_ACK && get32(last_sent()->payload + 2) == 0 && b.faults == 0, "RESET_FAULT");
  relay(&b, 1, ++seq, RELAY_PULSE, 1000, 13020);
  CHECK(bridge_relay(&b), "unlock after RESET_FAULT");
  relay(&b, 1, ++seq, RELAY_RELEASE, 0, 13030);
  CHECK(!bridge_relay(&b), "release");

  /* local request-to-exit only while the host is absent (REX_HOST_ABSENT) */
  bridge_on_input(&b, INPUT_EXIT, 1, 13040, 13060);
  CHECK(!bridge_relay(&b) && last_sent()->type == MSG_INPUT, "exit with the host present: reported only");
  bridge_on_input(&b, INPUT_EXIT, 0, 13100, 13120);
  bridge_tick(&b, 16000);
  CHECK(!b.host_alive, "host gone");
  bridge_on_input(&b, INPUT_EXIT, 1, 16100, 16120);
  CHECK(bridge_relay(&b), "exit with the host gone pulses the relay");
  bridge_tick(&b, 21119);
  CHECK(bridge_relay(&b), "REX pulse held");
  bridge_tick(&b, 21120);
  CHECK(!bridge_relay(&b), "REX pulse over after 5 s");

  /* a new HELLO is a new session: the old one's frames are refused */
  hello(&b, 22000);
  CHECK(b.epoch == 2, "epoch 2");
  relay(&b, 1, ++seq, RELAY_PULSE, 1000, 22010);
  expect_nack(seq, NACK_EPOCH, "frame of the old session");

  /* watchdog reset cause → latched fault, in HELLO */
  nsent = 0;
  bridge_init(&b, &io, RESET_WATCHDOG, 0);
  CHECK(sent[0].payload[6] == RESET_WATCHDOG && sent[0].payload[7] == FAULT_WATCHDOG_RESET, "WDT reset in HELLO");
  hello(&b, 1);
  relay(&b, b.epoch, 1, RELAY_PULSE, 1000, 2);
  expect_nack(1, NACK_FAULT_LATCHED, "unlock after a WDT reset");
  printf("ok - bridge state machine\n");
}

static void wiegand_from(wiegand_bits_t *w, const char *bits) {
  memset(w, 0, sizeof *w);
  for (const char *p = bits; *p; p++) wiegand_push(w, *p == '1');
}

static void test_wiegand(void) {
  wiegand_bits_t w;
  wiegand_card_t c;
  /* H10301 fc 123 card 4567 (as in the vectors) */
  wiegand_from(&w, "10111101100010001110101110");
  wiegand_decode(&w, &c);
  CHECK(c.format == CARD_H10301_26 && c.status == CARD_OK && c.facility == 123 && c.card == 4567, "26-bit");
  wiegand_from(&w, "10111101100010001110101111");
  wiegand_decode(&w, &c);
  CHECK(c.status == CARD_PARITY_ERROR && c.facility == 0 && c.card == 0, "26-bit odd parity error");
  wiegand_from(&w, "00111101100010001110101110");
  wiegand_decode(&w, &c);
  CHECK(c.status == CARD_PARITY_ERROR, "26-bit even parity error");
  /* 34-bit: fc 0x1234, card 0xABCD */
  const char *p34 = "0" "0001001000110100" "1010101111001101" "1";
  /* even over bits 0..16: ones in fc = 5, so bit0 = 1; odd over 17..33: ones in card = 10, bit33 = 1 */
  char buf[64];
  snprintf(buf, sizeof buf, "1%s", p34 + 1);
  wiegand_from(&w, buf);
  wiegand_decode(&w, &c);
  CHECK(c.format == CARD_34 && c.status == CARD_OK && c.facility == 0x1234 && c.card == 0xABCD, "34-bit");
  /* H10304 37-bit: fc 1000, card 300000; parity bits computed below */
  char b37[38];
  uint32_t fc = 1000, card = 300000;
  b37[37] = 0;
  for (int i = 0; i < 16; i++) b37[1 + i] = (char)('0' + ((fc >> (15 - i)) & 1));
  for (int i = 0; i < 19; i++) b37[17 + i] = (char)('0' + ((card >> (18 - i)) & 1));
  int even = 0, odd = 0;
  for (int i = 1; i <= 18; i++) even += b37[i] == '1';
  for (int i = 18; i <= 35; i++) odd += b37[i] == '1';
  b37[0] = (char)('0' + (even & 1));
  b37[36] = (char)('0' + !(odd & 1));
  wiegand_from(&w, b37);
  wiegand_decode(&w, &c);
  CHECK(c.format == CARD_H10304_37 && c.status == CARD_OK && c.facility == 1000 && c.card == 300000, "37-bit");
  wiegand_from(&w, "101010101010101010101010101010"); /* 30 bits: unknown */
  wiegand_decode(&w, &c);
  CHECK(c.format == CARD_RAW && c.status == CARD_OK && w.count == 30, "raw 30-bit");
  memset(&w, 0, sizeof w);
  for (int i = 0; i < 70; i++) wiegand_push(&w, 1);
  wiegand_decode(&w, &c);
  CHECK(w.count == 70 && c.status == CARD_TOO_LONG, "too long");

  /* the bridge sends a parity error as such, with no facility or card */
  bridge_t b;
  nsent = 0;
  bridge_init(&b, &io, RESET_POWER_ON, 0);
  wiegand_from(&w, "10111101100010001110101111");
  bridge_on_card(&b, &w);
  const frame_t *f = last_sent();
  CHECK(f->type == MSG_CARD && f->payload[0] == 26 && f->payload[2] == CARD_PARITY_ERROR && get16(f->payload + 3) == 0 &&
            get32(f->payload + 5) == 0 && f->len == 13,
        "CARD with a parity error");
  printf("ok - wiegand\n");
}

static void test_debounce(void) {
  debounce_t d;
  debounce_init(&d, 0, 0);
  CHECK(!debounce_update(&d, 1, 100, 20), "edge");
  CHECK(!debounce_update(&d, 0, 105, 20), "bounce back");
  CHECK(!debounce_update(&d, 1, 110, 20), "edge again");
  CHECK(!debounce_update(&d, 1, 129, 20), "held 19 ms");
  CHECK(debounce_update(&d, 1, 130, 20) && d.stable == 1 && d.since == 110, "held 20 ms, stamped at the edge");
  CHECK(!debounce_update(&d, 1, 200, 20), "no repeat");
  printf("ok - debounce\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s frames.json\n", argv[0]);
    return 2;
  }
  FILE *fp = fopen(argv[1], "rb");
  if (!fp) {
    perror(argv[1]);
    return 2;
  }
  static char text[1 << 16];
  size_t n = fread(text, 1, sizeof text - 1, fp);
  fclose(fp);
  text[n] = 0;
  jval *root = json_parse(text);
  if (!root) {
    fprintf(stderr, "%s: not JSON\n", argv[1]);
    return 2;
  }
  test_vectors(root);
  test_bridge();
  test_wiegand();
  test_debounce();
  printf("%d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
