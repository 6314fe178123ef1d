/*
 * Duplicate 128-bit fingerprints in bounded memory: the caller adds one
 * fingerprint (of a key, say) and its row number per row, in increasing row
 * order, then finishes; the result is how many rows repeat an earlier row's
 * fingerprint and the first MG_DUPFIND_KEEP of them by row, each with the row
 * where its fingerprint was first seen. Memory does not depend on the number
 * of rows: a buffer of `buffer_entries` entries (24 bytes each); when it is
 * full it is sorted and written as a run to an unlinked temporary file in
 * $TMPDIR (/tmp when unset; 24 bytes a row on disk), and the runs are merged
 * at the end (an external sort, described in lib/dupfind.c). A file that fits
 * in the buffer needs no temporary file. Used by the smoke runner's `unique`
 * rule (runners/smoke_contract.c).
 *
 * Errors: a temporary file that cannot be created, written, read or truncated
 * is MG_EXIT_INFRA, its message naming `what` ("'WHAT': cannot write the
 * unique check's temporary file: ..."). Out of memory is fatal (alloc.h).
 */
#ifndef MG_DUPFIND_H
#define MG_DUPFIND_H
#include "setup.h"
#include "err.h"

#define MG_DUPFIND_MEM  ((size_t)8 << 20) /* default: bytes of entries in memory */
#define MG_DUPFIND_KEEP 10                /* duplicates kept, the first by row */

struct mg_dupfind;

/* A duplicate: row `row` has the fingerprint first seen at row `first`. */
struct mg_dup {
	uint64_t row, first;
};

/*
 * A new, empty finder holding `buffer_entries` entries in memory (0: as many
 * as fit in MG_DUPFIND_MEM; at least 4, at most 2^28). `what` names the data
 * in error messages; it is borrowed and must outlive the finder. Free it with
 * mg_dupfind_free(), which also closes its temporary files.
 */
struct mg_dupfind *mg_dupfind_new(size_t buffer_entries, const char *what);
void mg_dupfind_free(struct mg_dupfind *d);

/*
 * Add the fingerprint `fp` of row `row` (rows added in increasing order).
 * -1 (MG_EXIT_INFRA) when a full buffer could not be spilled to disk.
 */
int mg_dupfind_add(struct mg_dupfind *d, const uint64_t fp[2], uint64_t row, struct mg_err *err);

/*
 * Find every duplicate, after the last mg_dupfind_add(); call once. -1
 * (MG_EXIT_INFRA) when a temporary file failed: the results are then unset.
 */
int mg_dupfind_finish(struct mg_dupfind *d, struct mg_err *err);

/*
 * After mg_dupfind_finish(): the number of duplicates (every row whose
 * fingerprint an earlier row had), and in *first the first of them by row
 * (at most MG_DUPFIND_KEEP, ordered by row; owned by `d`), their number
 * returned.
 */
uint64_t mg_dupfind_count(const struct mg_dupfind *d);
size_t mg_dupfind_first(const struct mg_dupfind *d, const struct mg_dup **first);
#endif
