#define _GNU_SOURCE
#include "cposix.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int cposix_open_pty_master(int flags) {
    int master = posix_openpt(flags);
    if (master < 0) {
        return -1;
    }
    if (grantpt(master) != 0 || unlockpt(master) != 0) {
        int saved = errno;
        close(master);
        errno = saved;
        return -1;
    }
    return master;
}

int cposix_pty_subordinate_name(int master, char *buffer, size_t length) {
    return ptsname_r(master, buffer, length);
}
