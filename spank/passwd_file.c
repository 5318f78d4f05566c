/* passwd-format file lookup without NSS (see passwd_file.h). */
#include "passwd_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* name:password:uid:...: returns 1 and fills buf when the uid field equals uid. */
static int match_line(const char *line, uint32_t uid, char *buf, size_t len) {
  const char *c1 = strchr(line, ':');
  const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  if (!c1 || !c2 || c1 == line || c2[1] < '0' || c2[1] > '9')
    return 0;
  char *end = NULL;
  unsigned long v = strtoul(c2 + 1, &end, 10);
  if (*end != ':' || v != uid)
    return 0;
  size_t n = (size_t)(c1 - line);
  if (n >= len)
    return 0;
  memcpy(buf, line, n);
  buf[n] = '\0';
  return 1;
}

int fructosa_passwd_name(const char *path, uint32_t uid, char *buf, size_t len) {
  if (!buf || len == 0)
    return -1;
  buf[0] = '\0';
  FILE *f = fopen(path, "re");
  if (!f)
    return -1;
  char line[1024];
  int found = 0;
  while (!found && fgets(line, sizeof line, f)) {
    if (!strchr(line, '\n') && !feof(f)) { /* overlong line: skip the rest of it */
      int ch;
      while ((ch = fgetc(f)) != EOF && ch != '\n') {
      }
      continue;
    }
    found = match_line(line, uid, buf, len);
  }
  fclose(f);
  return found ? 0 : -1;
}
