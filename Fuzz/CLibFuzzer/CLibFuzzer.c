// The declaration in include/CLibFuzzer.h is all this target provides; SwiftPM needs one
// source file to build a C target.
#include "CLibFuzzer.h"
