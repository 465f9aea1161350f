#define _GNU_SOURCE
#include <sys/timex.h>
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

int cposix_clock_synchronized(void) {
    struct timex state = {0};
    int result = adjtimex(&state);
    if (result == -1) {
        return -1;
    }
    return (result == TIME_ERROR || (state.status & STA_UNSYNC)) ? 0 : 1;
}
