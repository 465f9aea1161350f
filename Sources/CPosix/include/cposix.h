// POSIX and Linux calls that Swift's Glibc module hides because glibc declares them only
// under _XOPEN_SOURCE or _GNU_SOURCE, or in headers it does not import: the pseudo-terminal
// calls and the kernel clock's synchronisation state.
#ifndef ALERTBOX_CPOSIX_H
#define ALERTBOX_CPOSIX_H

#include <stddef.h>

/// Opens a pseudo-terminal master with posix_openpt(3), then grantpt(3) and unlockpt(3).
/// Returns the descriptor, or -1 with errno set.
int cposix_open_pty_master(int flags);

/// Writes the subordinate's path into buffer with ptsname_r(3); returns 0 or an errno value.
int cposix_pty_subordinate_name(int master, char *buffer, size_t length);

/// Reads the kernel clock's state with adjtimex(2) without changing it. Returns 1 when NTP
/// (or another source through adjtimex) keeps the clock synchronised, 0 when the kernel marks
/// it unsynchronised (STA_UNSYNC or TIME_ERROR), and -1 with errno set when the call fails.
int cposix_clock_synchronized(void);

#endif
