/*
 * The version mlgate was built as: scripts/version.sh at build time (git
 * describe in a checkout, the VERSION file `make dist` stamps in a release
 * tarball). Only lib/version.c is compiled with it, so a new commit rebuilds
 * one object, not the tree.
 */
#ifndef MG_VERSION_H
#define MG_VERSION_H

#include "setup.h"

/* "0.2.0", "0.2.0-3-gabc1234", "0.2.0-dirty", "0.0.0-gabc1234" before the first tag */
extern const char mg_version[];

#endif
