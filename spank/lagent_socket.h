/* Delivery of one message line to lagent's unix stream socket.
 *
 * Fire and forget with a hard time bound: a job never waits more than
 * timeout_ms for FrUCToSA, whether lagent is down, slow or stuck. */
#ifndef FRUCTOSA_SPANK_LAGENT_SOCKET_H
#define FRUCTOSA_SPANK_LAGENT_SOCKET_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Connects (non-blocking) to the unix stream socket at path, writes the len
 *  bytes of line, closes; never reads a reply. connect + write together take at
 *  most timeout_ms. Returns 0 when every byte was handed to the kernel, -1
 *  otherwise with a one-line reason in err ("connect: No such file ...",
 *  "timed out after 100 ms while sending"). SIGPIPE is never raised. */
int fructosa_send_line(const char *path, const char *line, size_t len, int timeout_ms,
                       char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
