#include "setup.h"
#include "version.h"

#ifndef MLGATE_VERSION
#error "MLGATE_VERSION comes from the Makefile (scripts/version.sh)"
#endif

const char mg_version[] = MLGATE_VERSION;
