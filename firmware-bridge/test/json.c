#include "json.h"

#include <stdlib.h>
#include <string.h>

static const char *ws(const char *p) {
  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
  return p;
}

static const char *value(const char *p, jval *out);

static const char *string(const char *p, char **out) {
  if (*p != '"') return NULL;
  p++;
  size_t cap = strlen(p) + 1, n = 0;
  char *s = malloc(cap);
  while (*p && *p != '"') {
    if (*p == '\\') {
      p++;
      char c = *p;
      if (c == 'n') c = '\n';
      else if (c == 't') c = '\t';
      else if (c == 'u') { c = '?'; p += 4; }
      s[n++] = c;
      p++;
    } else {
      s[n++] = *p++;
    }
  }
  if (*p != '"') return NULL;
  s[n] = 0;
  *out = s;
  return p + 1;
}

static void push(jval *v, jval *item, char *key) {
  v->kids = realloc(v->kids, (v->n + 1) * sizeof *v->kids);
  v->kids[v->n] = *item;
  if (v->t == J_OBJ) {
    v->keys = realloc(v->keys, (v->n + 1) * sizeof *v->keys);
    v->keys[v->n] = key;
  }
  v->n++;
}

static const char *container(const char *p, jval *out, char close) {
  p = ws(p + 1);
  if (*p == close) return p + 1;
  for (;;) {
    char *key = NULL;
    jval item;
    if (out->t == J_OBJ) {
      p = string(ws(p), &key);
      if (!p) return NULL;
      p = ws(p);
      if (*p++ != ':') return NULL;
    }
    p = value(p, &item);
    if (!p) return NULL;
    push(out, &item, key);
    p = ws(p);
    if (*p == ',') { p++; continue; }
    if (*p == close) return p + 1;
    return NULL;
  }
}

static const char *value(const char *p, jval *out) {
  memset(out, 0, sizeof *out);
  p = ws(p);
  if (*p == '{') { out->t = J_OBJ; return container(p, out, '}'); }
  if (*p == '[') { out->t = J_ARR; return container(p, out, ']'); }
  if (*p == '"') { out->t = J_STR; return string(p, &out->str); }
  if (!strncmp(p, "true", 4)) { out->t = J_BOOL; out->num = 1; return p + 4; }
  if (!strncmp(p, "false", 5)) { out->t = J_BOOL; return p + 5; }
  if (!strncmp(p, "null", 4)) { out->t = J_NULL; return p + 4; }
  char *end;
  out->t = J_NUM;
  out->num = strtod(p, &end);
  return end == p ? NULL : end;
}

jval *json_parse(const char *text) {
  jval *v = malloc(sizeof *v);
  const char *p = value(text, v);
  return p && *ws(p) == 0 ? v : NULL;
}

const jval *json_get(const jval *obj, const char *key) {
  if (!obj || obj->t != J_OBJ) return NULL;
  for (size_t i = 0; i < obj->n; i++)
    if (!strcmp(obj->keys[i], key)) return &obj->kids[i];
  return NULL;
}
