// SQLite 3 from Debian's libsqlite3-dev.
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro that casts -1 to a function pointer, which Swift cannot import.
static inline sqlite3_destructor_type alertbox_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}
