/* libFuzzer target: the SPANK plugin's pure parsers (spank/settings.h): plugstack
 * arguments, --fructosa and --fructosa-interval values, socket path patterns. They
 * run inside slurmstepd, so a crash there would fail a job: besides the sanitizers,
 * the documented invariants are checked (bounded strings, interval >= min_interval). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

#define MAX_ARGS 16

static void check(int ok) {
  if (!ok) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 4096) return 0;
  /* Split into NUL-terminated strings at '\n' (arguments as slurmstepd passes them). */
  char *text = malloc(size + 1);
  memcpy(text, data + 1, size - 1);
  text[size - 1] = '\0';
  char *argv[MAX_ARGS];
  int argc = 0;
  char *p = text;
  while (argc < MAX_ARGS) {
    argv[argc++] = p;
    char *nl = memchr(p, '\n', strlen(p));
    if (!nl) break;
    *nl = '\0';
    p = nl + 1;
  }

  struct fructosa_settings s;
  fructosa_settings_defaults(&s);
  size_t errlen = (size_t)(data[0] % 8) * 16; /* 0..112: short error buffers too */
  char err[128];
  memset(err, 'x', sizeof err);
  int bad = fructosa_settings_parse(&s, argc, argv, errlen ? err : NULL, errlen);
  check(bad >= 0);
  check(memchr(s.socket_path, '\0', sizeof s.socket_path) != NULL);
  check(s.timeout_ms >= 0 && s.timeout_ms <= FRUCTOSA_TIMEOUT_MS_MAX);
  check(isfinite(s.interval) && isfinite(s.min_interval) && s.interval >= s.min_interval);
  if (errlen) check(memchr(err, '\0', errlen) != NULL);

  int on = 7;
  if (fructosa_parse_on_off(argv[0], &on) == 0) check(on == 0 || on == 1);
  else check(on == 7);

  double seconds = -1;
  if (fructosa_parse_interval(argv[0], 1.0, &seconds) == 0) check(isfinite(seconds) && seconds >= 1.0);
  else check(seconds == -1);

  char out[64];
  size_t outlen = (size_t)(data[0] % 64) + 1;
  int r = fructosa_expand_socket_path(argv[0], argc > 1 ? argv[1] : "node001", out, outlen);
  check(memchr(out, '\0', outlen) != NULL);
  if (r != 0) check(out[0] == '\0');

  free(text);
  return 0;
}
