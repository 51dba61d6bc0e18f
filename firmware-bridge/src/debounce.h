/* A debounced input (no hardware): a level counts once it has held for DEBOUNCE_MS. */
#ifndef BRIDGE_DEBOUNCE_H
#define BRIDGE_DEBOUNCE_H
#include <stdint.h>

typedef struct {
  uint8_t stable;
  uint8_t raw;
  uint32_t since; /* when raw last changed: the timestamp reported for the change */
} debounce_t;

void debounce_init(debounce_t *d, uint8_t level, uint32_t now);
/* Returns 1 when the stable level changes (then d->stable and d->since say to what and when). */
uint8_t debounce_update(debounce_t *d, uint8_t level, uint32_t now, uint16_t hold_ms);
#endif
