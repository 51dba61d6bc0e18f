/* A minimal JSON reader for the golden vectors (host tests only). */
#ifndef TEST_JSON_H
#define TEST_JSON_H
#include <stddef.h>

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jval {
  jtype t;
  double num;
  char *str;
  struct jval *kids; /* array items or object values */
  char **keys;       /* object keys */
  size_t n;
} jval;

/* Parses text; returns NULL on a syntax error. Never freed: the tests exit soon after. */
jval *json_parse(const char *text);
const jval *json_get(const jval *obj, const char *key);
#endif
