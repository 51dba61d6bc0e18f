#include "debounce.h"

void debounce_init(debounce_t *d, uint8_t level, uint32_t now) {
  d->stable = level;
  d->raw = level;
  d->since = now;
}

uint8_t debounce_update(debounce_t *d, uint8_t level, uint32_t now, uint16_t hold_ms) {
  if (level != d->raw) {
    d->raw = level;
    d->since = now;
    return 0;
  }
  if (d->raw != d->stable && (uint32_t)(now - d->since) >= hold_ms) {
    d->stable = d->raw;
    return 1;
  }
  return 0;
}
