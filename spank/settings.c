/* Parsing of plugstack arguments and option values (see settings.h). */
#include "settings.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fructosa_settings_defaults(struct fructosa_settings *s) {
  s->default_on = 0;
  snprintf(s->socket_path, sizeof s->socket_path, "%s", FRUCTOSA_DEFAULT_SOCKET);
  s->timeout_ms = 100;
  s->min_interval = 1.0;
  s->interval = 10.0;
}

/* A finite, positive number using the whole string. */
static int parse_positive(const char *value, double *out) {
  if (!value || !*value)
    return -1;
  char *end = NULL;
  errno = 0;
  double v = strtod(value, &end);
  if (errno != 0 || *end != '\0' || !isfinite(v) || !(v > 0.0))
    return -1;
  *out = v;
  return 0;
}

static int parse_timeout_ms(const char *value, int *out) {
  if (!value || *value < '0' || *value > '9')
    return -1;
  char *end = NULL;
  errno = 0;
  long v = strtol(value, &end, 10);
  if (errno != 0 || *end != '\0' || v < 1 || v > FRUCTOSA_TIMEOUT_MS_MAX)
    return -1;
  *out = (int)v;
  return 0;
}

/* Appends "; "-separated text to err, silently truncating. */
static void add_error(char *err, size_t errlen, const char *fmt, const char *a, const char *b) {
  if (!err || errlen == 0)
    return;
  size_t used = strlen(err);
  if (used + 1 >= errlen)
    return;
  int n = snprintf(err + used, errlen - used, "%s", used ? "; " : "");
  if (n < 0 || (size_t)n >= errlen - used)
    return;
  used += (size_t)n;
  snprintf(err + used, errlen - used, fmt, a, b);
}

int fructosa_settings_parse(struct fructosa_settings *s, int argc, char *const argv[],
                            char *err, size_t errlen) {
  fructosa_settings_defaults(s);
  if (err && errlen)
    err[0] = '\0';
  int bad = 0;
  int interval_given = 0;
  for (int i = 0; i < argc; ++i) {
    const char *arg = argv[i] ? argv[i] : "";
    const char *eq = strchr(arg, '=');
    size_t key_len = eq ? (size_t)(eq - arg) : strlen(arg);
    const char *value = eq ? eq + 1 : NULL;
#define KEY_IS(k) (key_len == sizeof(k) - 1 && strncmp(arg, k, key_len) == 0)
    int ok = 0;
    if (!value) {
      ok = 0;
    } else if (KEY_IS("default")) {
      int on = 0;
      ok = *value && fructosa_parse_on_off(value, &on) == 0;
      if (ok)
        s->default_on = on;
    } else if (KEY_IS("socket")) {
      ok = *value == '/' && strlen(value) < sizeof s->socket_path;
      if (ok)
        snprintf(s->socket_path, sizeof s->socket_path, "%s", value);
    } else if (KEY_IS("timeout_ms")) {
      ok = parse_timeout_ms(value, &s->timeout_ms) == 0;
    } else if (KEY_IS("min_interval")) {
      ok = parse_positive(value, &s->min_interval) == 0;
    } else if (KEY_IS("interval")) {
      ok = parse_positive(value, &s->interval) == 0;
      interval_given |= ok;
    } else {
      add_error(err, errlen, "unknown argument '%s'%s", arg,
                " (known: default=on|off socket=PATH timeout_ms=N min_interval=S interval=S)");
      ++bad;
      continue;
    }
#undef KEY_IS
    if (!ok) {
      add_error(err, errlen, "bad argument '%s'%s", arg,
                !value ? " (expected key=value)" : ", using the default");
      ++bad;
    }
  }
  if (s->interval < s->min_interval) {
    if (interval_given) {
      char buf[64];
      snprintf(buf, sizeof buf, "%g", s->min_interval);
      add_error(err, errlen, "interval below min_interval, using %s%s", buf, "");
      ++bad;
    }
    s->interval = s->min_interval;
  }
  return bad;
}

int fructosa_parse_on_off(const char *value, int *on) {
  if (!value || !*value || strcmp(value, "on") == 0) {
    *on = 1;
    return 0;
  }
  if (strcmp(value, "off") == 0) {
    *on = 0;
    return 0;
  }
  return -1;
}

int fructosa_parse_interval(const char *value, double min_interval, double *seconds) {
  double v = 0;
  if (parse_positive(value, &v) != 0 || v < min_interval)
    return -1;
  *seconds = v;
  return 0;
}

int fructosa_expand_socket_path(const char *pattern, const char *node, char *out, size_t len) {
  if (!out || len == 0)
    return -1;
  size_t pos = 0;
  const char *n = node ? node : "";
  for (const char *p = pattern ? pattern : ""; *p; ++p) {
    const char *piece = p;
    size_t piece_len = 1;
    if (p[0] == '%' && p[1] == 'n') {
      piece = n;
      piece_len = strlen(n);
      ++p;
    } else if (p[0] == '%' && p[1] == '%') {
      ++p;
    }
    if (piece_len >= len - pos) {
      out[0] = '\0';
      return -1;
    }
    memcpy(out + pos, piece, piece_len);
    pos += piece_len;
  }
  out[pos] = '\0';
  return 0;
}
