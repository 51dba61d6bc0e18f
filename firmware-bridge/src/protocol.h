/*
 * Wire protocol constants shared by the firmware and its host tests (PROTOCOL.md is the
 * specification; src/hardware/bridge/protocol.ts mirrors these numbers for the Node driver).
 */
#ifndef BRIDGE_PROTOCOL_H
#define BRIDGE_PROTOCOL_H

#include <stdint.h>

#define PROTO_VERSION 1

#define FW_MAJOR 1
#define FW_MINOR 0
#define FW_PATCH 0

/* Decoded body: version, type, epoch (LE), seq (LE), payload, CRC-16/XMODEM (big-endian). */
#define FRAME_HEADER_LEN 6
#define FRAME_CRC_LEN 2
#define FRAME_MIN_BODY (FRAME_HEADER_LEN + FRAME_CRC_LEN)
#define FRAME_MAX_PAYLOAD 48
#define FRAME_MAX_BODY (FRAME_MIN_BODY + FRAME_MAX_PAYLOAD)
/* COBS adds one byte per 254 data bytes (one here), plus a 0x00 delimiter on either side. */
#define FRAME_MAX_ENCODED (FRAME_MAX_BODY + 1)
#define FRAME_MAX_WIRE (FRAME_MAX_ENCODED + 2)

enum msg_type {
  MSG_HELLO = 0x01,
  MSG_HEARTBEAT = 0x02,
  MSG_RELAY = 0x03,
  MSG_INPUT = 0x04,
  MSG_CARD = 0x05,
  MSG_ACK = 0x06,
  MSG_NACK = 0x07,
  MSG_FAULT = 0x08,
  MSG_RESET_FAULT = 0x09,
};

enum relay_mode { RELAY_RELEASE = 0, RELAY_PULSE = 1, RELAY_HOLD = 2 };

enum nack_reason {
  NACK_REPLAY = 1,        /* seq not greater than the last accepted one in this session */
  NACK_EPOCH = 2,         /* frame of another session */
  NACK_NO_SESSION = 3,    /* no HELLO since the MCU started */
  NACK_FAULT_LATCHED = 4, /* a latched fault refuses unlocking until RESET_FAULT */
  NACK_BAD_PAYLOAD = 5,
  NACK_UNKNOWN_TYPE = 6,
};

/* Latched faults (bit mask). */
#define FAULT_HOST_LOST 0x01
#define FAULT_WATCHDOG_RESET 0x02
#define FAULT_BROWNOUT_RESET 0x04

/* Reset cause: the MCUSR bits at boot. */
#define RESET_POWER_ON 0x01
#define RESET_EXTERNAL 0x02
#define RESET_BROWNOUT 0x04
#define RESET_WATCHDOG 0x08

/* Capabilities (HELLO). */
#define CAP_RELAY 0x0001
#define CAP_WIEGAND 0x0002
#define CAP_INPUTS 0x0004
#define CAP_LOCAL_REX 0x0008
#define CAP_SESSION 0x0010

enum input_id { INPUT_CONTACT = 0, INPUT_EXIT = 1, INPUT_TAMPER = 2, INPUT_FIRE = 3, INPUT_COUNT = 4 };

enum card_format { CARD_RAW = 0, CARD_H10301_26 = 1, CARD_34 = 2, CARD_H10304_37 = 3 };
enum card_status { CARD_OK = 0, CARD_PARITY_ERROR = 1, CARD_TOO_LONG = 2 };

/* Local request-to-exit: when the exit button pulses the relay on its own. */
enum rex_mode { REX_OFF = 0, REX_HOST_ABSENT = 1, REX_ALWAYS = 2 };

/* Defaults and the bounds the MCU enforces whatever the host asks (HELLO may lower them). */
#define DEFAULT_HB_TIMEOUT_MS 2000
#define MIN_HB_TIMEOUT_MS 500
#define MAX_HB_TIMEOUT_MS 10000
#define DEFAULT_MAX_PULSE_MS 10000
#define LIMIT_MAX_PULSE_MS 30000
#define DEFAULT_REX_PULSE_MS 5000
#define MCU_HEARTBEAT_MS 1000
#define WIEGAND_TIMEOUT_MS 25
#define WIEGAND_MAX_BITS 64
#define DEBOUNCE_MS 20

#endif
