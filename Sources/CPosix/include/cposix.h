// POSIX calls that Swift's Glibc module hides because glibc declares them only under
// _XOPEN_SOURCE or _GNU_SOURCE: the pseudo-terminal calls.
#ifndef ALERTBOX_CPOSIX_H
#define ALERTBOX_CPOSIX_H

#include <stddef.h>

/// Opens a pseudo-terminal master with posix_openpt(3), then grantpt(3) and unlockpt(3).
/// Returns the descriptor, or -1 with errno set.
int cposix_open_pty_master(int flags);

/// Writes the subordinate's path into buffer with ptsname_r(3); returns 0 or an errno value.
int cposix_pty_subordinate_name(int master, char *buffer, size_t length);

#endif
