#ifndef ALERTBOX_CLIBFUZZER_H
#define ALERTBOX_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver with `callback` as the fuzz target, parsing libFuzzer's
/// command-line flags from argc and argv. Defined by the libFuzzer runtime
/// (compiler-rt, LLVM 12 and later) that `-sanitize=fuzzer` links, and by nothing else,
/// so only code compiled for a fuzz build may call it.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
