/* Bounded, non-blocking unix socket send (see lagent_socket.h). */
#include "lagent_socket.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining_ms(long long deadline) {
  long long left = deadline - now_ms();
  return left > 0 ? (int)left : 0;
}

static int fail(char *err, size_t errlen, int fd, const char *what, int error) {
  if (err && errlen)
    snprintf(err, errlen, "%s: %s", what, strerror(error));
  if (fd >= 0)
    close(fd);
  return -1;
}

static int timed_out(char *err, size_t errlen, int fd, int timeout_ms, const char *while_doing) {
  if (err && errlen)
    snprintf(err, errlen, "timed out after %d ms while %s", timeout_ms, while_doing);
  if (fd >= 0)
    close(fd);
  return -1;
}

/* Waits until fd is writable or the deadline passes. 1: writable, 0: timeout, -1: error. */
static int wait_writable(int fd, long long deadline) {
  for (;;) {
    struct pollfd pfd = {fd, POLLOUT, 0};
    int r = poll(&pfd, 1, remaining_ms(deadline));
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -1;
    return r > 0 ? 1 : 0;
  }
}

/* connect() on a non-blocking unix socket fails with EAGAIN while the listener's
 * backlog is full (it never returns EINPROGRESS there): retry briefly until the
 * deadline. EINPROGRESS is handled too, for completeness. */
static int connect_bounded(int fd, const struct sockaddr_un *addr, long long deadline,
                           int *error) {
  for (;;) {
    if (connect(fd, (const struct sockaddr *)addr, sizeof *addr) == 0)
      return 1;
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN) {
      if (remaining_ms(deadline) == 0)
        return 0;
      struct timespec pause = {0, 2 * 1000 * 1000};
      nanosleep(&pause, NULL);
      continue;
    }
    if (errno == EINPROGRESS) {
      int w = wait_writable(fd, deadline);
      if (w <= 0) {
        *error = errno;
        return w;
      }
      socklen_t elen = sizeof *error;
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, error, &elen) != 0)
        *error = errno;
      return *error == 0 ? 1 : -1;
    }
    *error = errno;
    return -1;
  }
}

int fructosa_send_line(const char *path, const char *line, size_t len, int timeout_ms,
                       char *err, size_t errlen) {
  if (err && errlen)
    err[0] = '\0';
  long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (!path || strlen(path) >= sizeof addr.sun_path)
    return fail(err, errlen, -1, "socket path", ENAMETOOLONG);
  memcpy(addr.sun_path, path, strlen(path) + 1);

  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return fail(err, errlen, -1, "socket", errno);
  int error = 0;
  int c = connect_bounded(fd, &addr, deadline, &error);
  if (c == 0)
    return timed_out(err, errlen, fd, timeout_ms, "connecting");
  if (c < 0)
    return fail(err, errlen, fd, "connect", error);

  size_t sent = 0;
  while (sent < len) {
    ssize_t n = send(fd, line + sent, len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN) {
      int w = wait_writable(fd, deadline);
      if (w == 0)
        return timed_out(err, errlen, fd, timeout_ms, "sending");
      if (w < 0)
        return fail(err, errlen, fd, "poll", errno);
      continue;
    }
    return fail(err, errlen, fd, "send", n < 0 ? errno : EPIPE);
  }
  close(fd);
  return 0;
}
