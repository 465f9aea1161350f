// libgpiod 1.6 from Debian's libgpiod-dev (1.6.3 on bookworm), the character-device API.
#ifndef ALERTBOX_CGPIOD_SHIM_H
#define ALERTBOX_CGPIOD_SHIM_H

#include <gpiod.h>

#endif
