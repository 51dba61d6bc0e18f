/*
 * Firmware in the loop: runs firmware.elf on libsimavr with UART0 on a pty of its own and a
 * control channel for the test.
 *
 *   simavr-bridge FIRMWARE.elf
 *
 * - UART0 <-> a pty (openpty + cfmakeraw). The slave stays open here so the pty survives the
 *   host closing and reopening it; the host opens the slave path printed at start. Bytes from
 *   the host are injected only while the UART is ready (receiver enabled, input FIFO not full).
 * - Control channel: commands on stdin, replies and events on the original stdout (dup'd first;
 *   libsimavr prints its own chatter, which goes to stderr). One line each:
 *     pin D5 1                set an input pin (port letter + bit) to a level
 *     wiegand 0110... [pulse_us gap_us]   send bits on D2 (DATA0) / D3 (DATA1), default 50/2000 us
 *     hang                    make the firmware hang (GPIOR0 = 0xA5): the watchdog must reset it
 *     time                    -> "time <sim_us>"
 *     quit
 *   events: "ready <pty>", "ok <cmd>", "err <text>", "pin D4 <0|1> <sim_us>" (relay output),
 *   "wiegand-done <sim_us>", "reset <sim_us>" (the MCU restarted).
 * - Simulated time is throttled to wall-clock time, so firmware timers mean real milliseconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "avr_ioport.h"
#include "avr_uart.h"
#include "sim_avr.h"
#include "sim_elf.h"
#include "sim_time.h"

/* The FIFO helpers avr_uart.h declares (static inline, defined per user). */
DEFINE_FIFO(uint16_t, uart_fifo);

#define GPIOR0_ADDR 0x3E /* I/O 0x1E */
#define HANG_MAGIC 0xA5
#define PIN_D_ADDR 0x29
#define PIN_B_ADDR 0x23

static avr_t *avr;
static avr_uart_t *uart;
static avr_irq_t *uart_in;
static int pty_master, pty_slave;
static FILE *ctl;

static uint8_t host_q[8192];
static size_t host_head, host_len;
static uint8_t mcu_q[8192];
static size_t mcu_len;

static uint64_t sim_us(void) { return avr->cycle * 1000000ULL / avr->frequency; }

static void event(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(ctl, fmt, ap);
  va_end(ap);
  fputc('\n', ctl);
  fflush(ctl);
}

/* ---- input pins: the levels the test set, re-applied after an MCU reset ---- */
typedef struct {
  char port;
  uint8_t bit;
  uint8_t level;
} pin_t;
static pin_t pins[] = {{'D', 2, 1}, {'D', 3, 1}, {'D', 5, 0}, {'D', 6, 1}, {'D', 7, 0}, {'B', 0, 0}};
#define NPINS (sizeof pins / sizeof pins[0])

/* Drives an input from outside. The port's "external" mask keeps the level when the firmware
 * writes PORTx (simavr would otherwise let an internal pull-up override it). */
static void drive(char port, uint8_t bit, uint8_t level) {
  static uint8_t mask[2], value[2];
  int i = port == 'B' ? 0 : 1;
  mask[i] |= (uint8_t)(1 << bit);
  value[i] = level ? (uint8_t)(value[i] | (1 << bit)) : (uint8_t)(value[i] & ~(1 << bit));
  avr_ioport_external_t ext = {.name = port, .mask = mask[i], .value = value[i]};
  avr_ioctl(avr, AVR_IOCTL_IOPORT_SET_EXTERNAL(port), &ext);
  avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(port), bit), level);
}

static pin_t *find_pin(char port, uint8_t bit) {
  for (size_t i = 0; i < NPINS; i++)
    if (pins[i].port == port && pins[i].bit == bit) return &pins[i];
  return NULL;
}

/* ---- Wiegand: pin events at exact simulated cycles ---- */
typedef struct {
  avr_cycle_count_t at;
  uint8_t bit;
  uint8_t level;
} wg_event_t;
static wg_event_t wg_ev[2 * 256];
static size_t wg_n, wg_i;

static avr_cycle_count_t wg_timer(avr_t *a, avr_cycle_count_t when, void *param) {
  (void)param;
  while (wg_i < wg_n && wg_ev[wg_i].at <= when) {
    drive('D', wg_ev[wg_i].bit, wg_ev[wg_i].level);
    wg_i++;
  }
  if (wg_i < wg_n) return wg_ev[wg_i].at;
  event("wiegand-done %llu", (unsigned long long)(a->cycle * 1000000ULL / a->frequency));
  return 0;
}

static int start_wiegand(const char *bits, unsigned pulse_us, unsigned gap_us) {
  size_t n = strlen(bits);
  if (n == 0 || n > 256 || wg_i < wg_n) return -1;
  avr_cycle_count_t t = avr->cycle + avr_usec_to_cycles(avr, 100);
  wg_n = wg_i = 0;
  for (size_t i = 0; i < n; i++) {
    if (bits[i] != '0' && bits[i] != '1') return -1;
    uint8_t line = bits[i] == '1' ? 3 : 2;
    wg_ev[wg_n++] = (wg_event_t){t, line, 0};
    wg_ev[wg_n++] = (wg_event_t){t + avr_usec_to_cycles(avr, pulse_us), line, 1};
    t += avr_usec_to_cycles(avr, gap_us);
  }
  avr_cycle_timer_register(avr, wg_ev[0].at - avr->cycle, wg_timer, NULL);
  return 0;
}

/* ---- UART <-> pty ---- */
static void uart_out(avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  (void)param;
  if (mcu_len < sizeof mcu_q) mcu_q[mcu_len++] = (uint8_t)value;
}

static void relay_pin(avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  (void)param;
  event("pin D4 %u %llu", value ? 1 : 0, (unsigned long long)sim_us());
}

static avr_uart_t *find_uart(void) {
  for (avr_io_t *io = avr->io_port; io; io = io->next)
    if (!strcmp(io->kind, "uart") && ((avr_uart_t *)io)->name == '0') return (avr_uart_t *)io;
  return NULL;
}

static void inject(void) {
  while (host_len && avr_regbit_get(avr, uart->rxen) && !uart_fifo_isfull(&uart->input)) {
    avr_raise_irq(uart_in, host_q[host_head]);
    host_head = (host_head + 1) % sizeof host_q;
    host_len--;
  }
}

static void flush_mcu(void) {
  size_t off = 0;
  while (off < mcu_len) {
    ssize_t w = write(pty_master, mcu_q + off, mcu_len - off);
    if (w <= 0) break; /* nobody reading and the pty buffer full: drop, as a cut wire would */
    off += (size_t)w;
  }
  mcu_len = 0;
}

static void read_pty(void) {
  uint8_t buf[512];
  for (;;) {
    ssize_t n = read(pty_master, buf, sizeof buf);
    if (n <= 0) return; /* EAGAIN, or EIO while no one has the slave open besides us */
    for (ssize_t i = 0; i < n && host_len < sizeof host_q; i++) {
      host_q[(host_head + host_len) % sizeof host_q] = buf[i];
      host_len++;
    }
  }
}

/* ---- control channel ---- */
static char line[1024];
static size_t line_len;

static void command(char *cmd) {
  char port;
  unsigned bit, level, pulse = 50, gap = 2000;
  char bits[300];
  if (sscanf(cmd, "pin %c%u %u", &port, &bit, &level) == 3) {
    pin_t *p = find_pin(port, (uint8_t)bit);
    if (!p) {
      event("err unknown input pin %c%u", port, bit);
      return;
    }
    p->level = level ? 1 : 0;
    drive(port, (uint8_t)bit, p->level);
    event("ok pin %c%u %u %llu", port, bit, p->level, (unsigned long long)sim_us());
  } else if (sscanf(cmd, "wiegand %299s %u %u", bits, &pulse, &gap) >= 1) {
    if (start_wiegand(bits, pulse, gap))
      event("err wiegand");
    else
      event("ok wiegand %llu", (unsigned long long)sim_us());
  } else if (!strcmp(cmd, "hang")) {
    avr->data[GPIOR0_ADDR] = HANG_MAGIC;
    event("ok hang %llu", (unsigned long long)sim_us());
  } else if (!strcmp(cmd, "time")) {
    event("time %llu", (unsigned long long)sim_us());
  } else if (!strcmp(cmd, "quit")) {
    exit(0);
  } else {
    event("err unknown command: %s", cmd);
  }
}

static void read_control(void) {
  char buf[512];
  ssize_t n = read(0, buf, sizeof buf);
  if (n == 0) exit(0); /* the test went away */
  if (n < 0) return;
  for (ssize_t i = 0; i < n; i++) {
    if (buf[i] == '\n') {
      line[line_len] = 0;
      command(line);
      line_len = 0;
    } else if (line_len < sizeof line - 1) {
      line[line_len++] = buf[i];
    }
  }
}

static uint64_t wall_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Waits up to ns for the pty or the control channel. */
static void wait_io(uint64_t ns) {
  struct pollfd fds[2] = {{pty_master, POLLIN, 0}, {0, POLLIN, 0}};
  struct timespec ts = {(time_t)(ns / 1000000000ULL), (long)(ns % 1000000000ULL)};
  if (ppoll(fds, 2, &ts, NULL) <= 0) return;
  if (fds[0].revents & POLLIN) read_pty();
  if (fds[1].revents & (POLLIN | POLLHUP)) read_control();
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s firmware.elf\n", argv[0]);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  /* Our events on the real stdout; libsimavr's printf chatter to stderr. */
  int ctl_fd = dup(1);
  dup2(2, 1);
  ctl = fdopen(ctl_fd, "w");

  elf_firmware_t fw;
  memset(&fw, 0, sizeof fw);
  if (elf_read_firmware(argv[1], &fw)) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  if (!fw.mmcu[0] || !fw.frequency) {
    fprintf(stderr, "%s: no AVR_MCU section (MCU and clock)\n", argv[1]);
    return 1;
  }
  avr = avr_make_mcu_by_name(fw.mmcu);
  if (!avr) {
    fprintf(stderr, "unknown MCU %s\n", fw.mmcu);
    return 1;
  }
  avr_init(avr);
  avr_load_firmware(avr, &fw);

  char name[256];
  struct termios tio;
  if (openpty(&pty_master, &pty_slave, name, NULL, NULL)) {
    perror("openpty");
    return 1;
  }
  tcgetattr(pty_slave, &tio);
  cfmakeraw(&tio);
  tcsetattr(pty_slave, TCSANOW, &tio);
  fcntl(pty_master, F_SETFL, fcntl(pty_master, F_GETFL) | O_NONBLOCK);
  fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);

  /* No usleep on UART polls (simulated time would crawl) and no console echo. */
  uint32_t flags = 0;
  avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
  flags &= ~(uint32_t)(AVR_UART_FLAG_POLL_SLEEP | AVR_UART_FLAG_STDIO);
  avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
  uart = find_uart();
  if (!uart) {
    fprintf(stderr, "no UART0\n");
    return 1;
  }
  uart_in = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), uart_out, NULL);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('D'), IOPORT_IRQ_PIN4), relay_pin, NULL);
  for (size_t i = 0; i < NPINS; i++) drive(pins[i].port, pins[i].bit, pins[i].level);

  event("ready %s", name);
  uint64_t t0 = wall_ns();
  avr_flashaddr_t last_pc = 1;
  for (;;) {
    /* ~100 us of simulated time between looks at the outside world */
    avr_cycle_count_t until = avr->cycle + avr_usec_to_cycles(avr, 100);
    while (avr->cycle < until) {
      int state = avr_run(avr);
      if (state == cpu_Done || state == cpu_Crashed) {
        event("err mcu stopped (state %d)", state);
        return 1;
      }
      if (avr->pc == 0 && last_pc != 0) {
        event("reset %llu", (unsigned long long)sim_us());
        /* the external levels outlive the MCU's reset */
        for (size_t i = 0; i < NPINS; i++) drive(pins[i].port, pins[i].bit, pins[i].level);
      }
      last_pc = avr->pc;
    }
    flush_mcu();
    inject();
    uint64_t sim_ns = avr->cycle * 1000000000ULL / avr->frequency;
    uint64_t wall = wall_ns() - t0;
    wait_io(sim_ns > wall ? sim_ns - wall : 0);
    inject();
  }
}
