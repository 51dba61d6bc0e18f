/*
 * The hardware layer for an ATmega328P at 16 MHz (Arduino Nano/Uno): pins, the 1 ms timer, the
 * UART rings, Wiegand pin-change interrupts, the watchdog and EEPROM. Everything that decides is
 * in bridge.c, frame.c, wiegand.c and debounce.c, which are tested on the host.
 *
 * Pins (Arduino names): D4 relay (high = energised = unlocked; the relay board needs a pull-down
 * so the lock stays locked while the pin floats during reset), D2 Wiegand DATA0, D3 Wiegand DATA1,
 * D5 door contact (high = open), D6 exit button (low = pressed), D7 tamper (high = tampered),
 * D8 fire alarm (high = alarm). Inputs use the internal pull-ups; switches close to GND.
 */
#include <avr/eeprom.h>
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/wdt.h>
#include <util/atomic.h>

#include "avr_mcu_section.h"
#include "bridge.h"
#include "debounce.h"

#ifndef F_CPU
#error "F_CPU must be set by the Makefile"
#endif

/* simavr reads the MCU and clock from this ELF section; it costs no flash on the chip. */
AVR_MCU(F_CPU, "atmega328p");

#define RELAY_BIT PD4
#define WG_D0 _BV(PD2)
#define WG_D1 _BV(PD3)
/* Written only by a simulator harness (never by this firmware): 0xA5 hangs the main loop, so
 * tests can prove the watchdog brings the door back to locked. */
#define SIM_HANG_MAGIC 0xA5

static uint8_t reset_cause __attribute__((section(".noinit")));

/* Runs before main and before the C runtime's data init: lock first, then read why we reset.
 * MCUSR must be cleared and the watchdog stopped here, or a watchdog reset loops forever. */
void early_init(void) __attribute__((naked, used, section(".init3")));
void early_init(void) {
  PORTD &= (uint8_t)~_BV(RELAY_BIT);
  DDRD |= _BV(RELAY_BIT);
  reset_cause = MCUSR;
  MCUSR = 0;
  wdt_disable();
}

static volatile uint32_t ms_now;
ISR(TIMER0_COMPA_vect) { ms_now++; }

static uint32_t millis(void) {
  uint32_t v;
  ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { v = ms_now; }
  return v;
}

/* UART rings (power-of-two sizes). */
#define RX_SIZE 64
#define TX_SIZE 128
static volatile uint8_t rx_buf[RX_SIZE], rx_head, rx_tail;
static volatile uint8_t tx_buf[TX_SIZE], tx_head, tx_tail;
static volatile uint8_t rx_overrun;

ISR(USART_RX_vect) {
  uint8_t b = UDR0;
  uint8_t next = (uint8_t)((rx_head + 1) & (RX_SIZE - 1));
  if (next == rx_tail) {
    rx_overrun = 1;
    return;
  }
  rx_buf[rx_head] = b;
  rx_head = next;
}

ISR(USART_UDRE_vect) {
  if (tx_head == tx_tail) {
    UCSR0B &= (uint8_t)~_BV(UDRIE0);
    return;
  }
  UDR0 = tx_buf[tx_tail];
  tx_tail = (uint8_t)((tx_tail + 1) & (TX_SIZE - 1));
}

static void uart_send(const uint8_t *p, uint8_t len) {
  uint8_t used = (uint8_t)((tx_head - tx_tail) & (TX_SIZE - 1));
  if (len > TX_SIZE - 1 - used) return; /* dropped whole: the host sees the sequence gap */
  for (uint8_t i = 0; i < len; i++) {
    tx_buf[tx_head] = p[i];
    tx_head = (uint8_t)((tx_head + 1) & (TX_SIZE - 1));
  }
  UCSR0B |= _BV(UDRIE0);
}

static void uart_init(void) {
  /* 115200 8N1 with U2X (2.1 % error at 16 MHz, as Arduino does). U2X0 before UBRR0L: simavr
   * computes the baud rate when UBRR0L is written. */
  UCSR0A = _BV(U2X0);
  UBRR0H = 0;
  UBRR0L = 16;
  UCSR0C = _BV(UCSZ01) | _BV(UCSZ00);
  UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
}

/* Wiegand: a falling edge on DATA0 is a 0, on DATA1 a 1 (both low at once is noise). */
static volatile wiegand_bits_t wg;
static volatile uint32_t wg_last_ms;
static volatile uint8_t wg_prev;

ISR(PCINT2_vect) {
  uint8_t pins = PIND;
  uint8_t fell = wg_prev & (uint8_t)~pins;
  wg_prev = pins;
  if ((pins & (WG_D0 | WG_D1)) == 0) return;
  if (fell & WG_D0)
    wiegand_push((wiegand_bits_t *)&wg, 0);
  else if (fell & WG_D1)
    wiegand_push((wiegand_bits_t *)&wg, 1);
  else
    return;
  wg_last_ms = ms_now;
}

static uint16_t next_epoch(void) {
  uint16_t *addr = (uint16_t *)0;
  uint16_t e = eeprom_read_word(addr);
  e = (e == 0xFFFF) ? 1 : (uint16_t)(e + 1);
  if (e == 0 || e == 0xFFFF) e = 1;
  eeprom_update_word(addr, e);
  return e;
}

static uint8_t read_input(uint8_t id) {
  switch (id) {
    case INPUT_CONTACT: return (PIND & _BV(PD5)) != 0;
    case INPUT_EXIT: return (PIND & _BV(PD6)) == 0;
    case INPUT_TAMPER: return (PIND & _BV(PD7)) != 0;
    default: return (PINB & _BV(PB0)) != 0;
  }
}

static bridge_t bridge;
static frame_parser_t parser;
static debounce_t inputs[INPUT_COUNT];

int main(void) {
  /* Inputs with pull-ups; Wiegand lines idle high. */
  PORTD |= _BV(PD2) | _BV(PD3) | _BV(PD5) | _BV(PD6) | _BV(PD7);
  PORTB |= _BV(PB0);
  TCCR0A = _BV(WGM01);
  OCR0A = (F_CPU / 64 / 1000) - 1;
  TCCR0B = _BV(CS01) | _BV(CS00);
  TIMSK0 = _BV(OCIE0A);
  uart_init();
  wg_prev = PIND;
  PCMSK2 = _BV(PCINT18) | _BV(PCINT19);
  PCICR = _BV(PCIE2);
  wdt_enable(WDTO_250MS);
  sei();

  static const bridge_io_t io = {uart_send, next_epoch};
  uint32_t now = millis();
  bridge_init(&bridge, &io, reset_cause, now);
  for (uint8_t i = 0; i < INPUT_COUNT; i++) {
    debounce_init(&inputs[i], read_input(i), now);
    if (inputs[i].stable) bridge.inputs |= (uint8_t)(1 << i);
  }
  frame_parser_init(&parser);
  uint32_t sampled = now;

  for (;;) {
    wdt_reset();
    if (GPIOR0 == SIM_HANG_MAGIC)
      for (;;) {
      }
    while (rx_tail != rx_head) {
      uint8_t b = rx_buf[rx_tail];
      rx_tail = (uint8_t)((rx_tail + 1) & (RX_SIZE - 1));
      static frame_t f;
      uint8_t ev = frame_parser_push(&parser, b, &f);
      if (ev == FRAME_OK)
        bridge_on_frame(&bridge, &f, millis());
      else if (ev >= FRAME_DROP_OVERSIZE)
        bridge_on_drop(&bridge);
    }
    if (rx_overrun) {
      rx_overrun = 0;
      bridge_on_drop(&bridge);
    }
    now = millis();
    if (now != sampled) {
      sampled = now;
      for (uint8_t i = 0; i < INPUT_COUNT; i++)
        if (debounce_update(&inputs[i], read_input(i), now, DEBOUNCE_MS))
          bridge_on_input(&bridge, i, inputs[i].stable, inputs[i].since, now);
    }
    wiegand_bits_t done;
    done.count = 0;
    ATOMIC_BLOCK(ATOMIC_FORCEON) {
      /* ms_now, not now: a bit may have arrived since now was read. */
      if (wg.count && (uint32_t)(ms_now - wg_last_ms) >= WIEGAND_TIMEOUT_MS) {
        done = *(wiegand_bits_t *)&wg;
        wg.count = 0;
      }
    }
    if (done.count) bridge_on_card(&bridge, &done);
    bridge_tick(&bridge, now);
    if (bridge_relay(&bridge))
      PORTD |= _BV(RELAY_BIT);
    else
      PORTD &= (uint8_t)~_BV(RELAY_BIT);
  }
}
