/* User name for a uid from a passwd-format file, read directly.
 *
 * slurmstepd must not call getpwuid(): with LDAP/SSSD it may block. The batch and
 * extern steps carry no SLURM_JOB_USER, so the plugin falls back to /etc/passwd
 * itself (local users only; otherwise the name stays empty and lagent has the
 * uid). Plain C. */
#ifndef FRUCTOSA_SPANK_PASSWD_FILE_H
#define FRUCTOSA_SPANK_PASSWD_FILE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Finds the first "name:x:<uid>:..." line for uid in the file at path and copies
 *  the name into buf. Returns 0 when found, -1 otherwise (buf is then ""). */
int fructosa_passwd_name(const char *path, uint32_t uid, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
