/* JSON line builder for the plugin -> lagent messages (see message.h). */
#include "message.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* An output buffer that remembers overflow instead of writing past its end. */
struct out {
  char *buf;
  size_t len;
  size_t pos;
  int overflow;
};

static void put_raw(struct out *o, const char *s, size_t n) {
  if (o->overflow || n >= o->len - o->pos) {
    o->overflow = 1;
    return;
  }
  memcpy(o->buf + o->pos, s, n);
  o->pos += n;
  o->buf[o->pos] = '\0';
}

static void put_fmt(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put_fmt(struct out *o, const char *fmt, ...) {
  char tmp[64];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof tmp) {
    o->overflow = 1;
    return;
  }
  put_raw(o, tmp, (size_t)n);
}

/* Length of the valid UTF-8 sequence starting at s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 if the bytes there are not one. */
static size_t utf8_sequence_length(const unsigned char *s) {
  unsigned char c = s[0];
  if (c >= 0xc2 && c <= 0xdf)
    return (s[1] & 0xc0) == 0x80 ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    return (s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    return (s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80) ? 4 : 0;
  }
  return 0;
}

/* A JSON string: quotes, backslash and control characters escaped; bytes that
 * are not valid UTF-8 become U+FFFD so lagent's parser never rejects the line. */
static void put_json_string(struct out *o, const char *s) {
  put_raw(o, "\"", 1);
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  while (*p && !o->overflow) {
    unsigned char c = *p;
    if (c == '"') {
      put_raw(o, "\\\"", 2);
    } else if (c == '\\') {
      put_raw(o, "\\\\", 2);
    } else if (c == '\n') {
      put_raw(o, "\\n", 2);
    } else if (c == '\t') {
      put_raw(o, "\\t", 2);
    } else if (c == '\r') {
      put_raw(o, "\\r", 2);
    } else if (c < 0x20 || c == 0x7f) {
      put_fmt(o, "\\u%04x", c);
    } else if (c < 0x80) {
      put_raw(o, (const char *)p, 1);
    } else {
      size_t n = utf8_sequence_length(p);
      if (n == 0) {
        put_raw(o, "\\ufffd", 6);
        n = 1;
      } else {
        put_raw(o, (const char *)p, n);
      }
      p += n;
      continue;
    }
    ++p;
  }
  put_raw(o, "\"", 1);
}

static void put_key(struct out *o, const char *key) {
  put_raw(o, ",", 1);
  put_json_string(o, key);
  put_raw(o, ":", 1);
}

static void put_string_field(struct out *o, const char *key, const char *value) {
  put_key(o, key);
  put_json_string(o, value);
}

static void put_u64_field(struct out *o, const char *key, uint64_t value) {
  put_key(o, key);
  put_fmt(o, "%" PRIu64, value);
}

/* JSON has no NaN or infinity: those become 0. */
static void put_double_field(struct out *o, const char *key, double value, const char *fmt) {
  put_key(o, key);
  put_fmt(o, fmt, isfinite(value) ? value : 0.0);
}

static void put_header(struct out *o, const char *event, double time, uint32_t job_id,
                       const char *step_id) {
  put_fmt(o, "{\"v\":%d", FRUCTOSA_MESSAGE_VERSION);
  put_string_field(o, "event", event);
  put_double_field(o, "time", time, "%.6f");
  put_u64_field(o, "job_id", job_id);
  put_string_field(o, "step_id", step_id);
}

static int finish(struct out *o) {
  put_raw(o, "}\n", 2);
  if (o->overflow) {
    if (o->len > 0)
      o->buf[0] = '\0';
    return -1;
  }
  return (int)o->pos;
}

static void put_cgroups(struct out *o, const struct fructosa_cgroups *cg) {
  put_key(o, "cgroup");
  put_raw(o, "{", 1);
  int first = 1;
  if (cg) {
    for (size_t i = 0; i < cg->count && i < FRUCTOSA_MAX_CGROUPS; ++i) {
      if (!first)
        put_raw(o, ",", 1);
      first = 0;
      put_json_string(o, cg->entries[i].controller);
      put_raw(o, ":", 1);
      put_json_string(o, cg->entries[i].path);
    }
    if (cg->has_unified) {
      if (!first)
        put_raw(o, ",", 1);
      put_json_string(o, "unified");
      put_raw(o, ":", 1);
      put_json_string(o, cg->unified);
    }
  }
  put_raw(o, "}", 1);
}

int fructosa_format_step_start(const struct fructosa_step_start *m, char *buf, size_t len) {
  if (!buf || len == 0)
    return -1;
  struct out o = {buf, len, 0, 0};
  buf[0] = '\0';
  put_header(&o, "step_start", m->time, m->job_id, m->step_id);
  put_u64_field(&o, "uid", m->uid);
  put_string_field(&o, "user", m->user);
  put_string_field(&o, "account", m->account);
  put_string_field(&o, "partition", m->partition);
  put_string_field(&o, "job_name", m->job_name);
  put_string_field(&o, "nodelist", m->nodelist);
  put_string_field(&o, "node", m->node);
  put_u64_field(&o, "nnodes", m->nnodes);
  put_u64_field(&o, "cpus", m->cpus);
  put_u64_field(&o, "mem_mb", m->mem_mb);
  put_u64_field(&o, "gpus", m->gpus);
  put_string_field(&o, "gpu_ids", m->gpu_ids);
  put_u64_field(&o, "ntasks", m->ntasks);
  put_u64_field(&o, "local_tasks", m->local_tasks);
  put_double_field(&o, "interval", m->interval, "%.15g");
  put_cgroups(&o, m->cgroup);
  return finish(&o);
}

int fructosa_format_step_end(const struct fructosa_step_end *m, char *buf, size_t len) {
  if (!buf || len == 0)
    return -1;
  struct out o = {buf, len, 0, 0};
  buf[0] = '\0';
  put_header(&o, "step_end", m->time, m->job_id, m->step_id);
  put_string_field(&o, "node", m->node);
  put_key(&o, "exit_status");
  put_fmt(&o, "%d", m->exit_status);
  return finish(&o);
}

void fructosa_step_id_name(uint32_t step_id, char *buf, size_t len) {
  const char *name = NULL;
  switch (step_id) {
  case FRUCTOSA_STEP_BATCH: name = "batch"; break;
  case FRUCTOSA_STEP_EXTERN: name = "extern"; break;
  case FRUCTOSA_STEP_INTERACTIVE: name = "interactive"; break;
  case FRUCTOSA_STEP_PENDING: name = "pending"; break;
  default: break;
  }
  if (name)
    snprintf(buf, len, "%s", name);
  else
    snprintf(buf, len, "%" PRIu32, step_id);
}

int fructosa_exit_code(int wait_status) {
  if (WIFEXITED(wait_status))
    return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status))
    return 128 + WTERMSIG(wait_status);
  return 0;
}

uint32_t fructosa_count_devices(const char *list) {
  if (!list || strcmp(list, "NoDevFiles") == 0)
    return 0;
  uint32_t count = 0;
  int in_item = 0;
  for (const char *p = list; *p; ++p) {
    if (*p == ',' || *p == ' ') {
      in_item = 0;
    } else if (!in_item) {
      in_item = 1;
      ++count;
    }
  }
  return count;
}

uint32_t fructosa_count_cpu_list(const char *list) {
  if (!list)
    return 0;
  uint64_t total = 0;
  const char *p = list;
  while (*p) {
    char *end = NULL;
    if (*p < '0' || *p > '9')
      return 0;
    unsigned long lo = strtoul(p, &end, 10), hi = lo;
    if (*end == '-') {
      p = end + 1;
      if (*p < '0' || *p > '9')
        return 0;
      hi = strtoul(p, &end, 10);
      if (hi < lo)
        return 0;
    }
    total += hi - lo + 1;
    if (total > UINT32_MAX)
      return 0;
    if (*end == ',')
      ++end;
    else if (*end != '\0')
      return 0;
    p = end;
  }
  return (uint32_t)total;
}
