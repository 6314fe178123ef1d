/*
 * Data contracts on CSV files for mlgate-smoke: required columns and their
 * types, nullability and null fractions, min/max, allowed values, regular
 * expressions, unique key columns and row-count bounds, checked in one
 * streaming pass (lib/csvstream.h). Memory does not depend on the file's size,
 * `unique` included: a 128-bit fingerprint of every key (xxHash's XXH3) and its
 * row go to lib/dupfind.h, an external sort in MG_DUPFIND_MEM bytes of memory
 * and 24 bytes a row of unlinked temporary file in $TMPDIR. A failure of that
 * file is MG_EXIT_INFRA. Regexes made of character classes are matched by
 * lib/classre.h, the others by regexec.
 */
#ifndef MG_SMOKE_CONTRACT_H
#define MG_SMOKE_CONTRACT_H
#include "setup.h"
#include "buf.h"
#include "err.h"
#include "policy.h"

#include <regex.h>

#define MG_CONTRACT_REPORT_MAX 10 /* violations described in full */

enum mg_col_type {
	MG_COL_ANY = 0,
	MG_COL_INT,
	MG_COL_FLOAT,
	MG_COL_BOOL,
	MG_COL_STRING,
	MG_COL_DATE,
	MG_COL_DATETIME,
};

struct mg_classre;   /* lib/classre.h */
struct mg_dupfind;   /* lib/dupfind.h */
struct XXH3_state_s; /* xxhash.h */

struct mg_contract_col {
	char *name;
	enum mg_col_type type;
	bool required;            /* the column must be in the header (default true) */
	bool nullable;            /* empty fields allowed (default true) */
	double max_null_fraction; /* < 0: none */
	bool has_min, has_max;
	double min, max;
	char **allowed; /* NULL-terminated, or NULL */
	size_t *allowed_len;
	uint32_t *allowed_slots; /* hash table of allowed: index + 1, 0 free */
	size_t allowed_mask;     /* its size - 1 */
	bool has_re;
	regex_t re;
	struct mg_classre *fast_re; /* the same regex as a small automaton, or NULL */
	/* state of a pass */
	long index; /* column in the file, -1 when absent */
	uint64_t nulls;
};

struct mg_contract {
	struct mg_contract_col *cols;
	size_t ncols;
	char **unique;            /* key column names, NULL-terminated, or NULL */
	double max_null_fraction; /* every column; < 0: none */
	bool has_rows_min, has_rows_max;
	uint64_t rows_min, rows_max;
	/*
	 * Fingerprints the unique check holds in memory before it sorts them
	 * and spills a run to disk; 0 (what mg_contract_init sets): as many as
	 * fit in MG_DUPFIND_MEM. Tests set a few to exercise the runs.
	 */
	size_t unique_buffer;
	/* state and results of a pass */
	long *unique_idx;
	struct mg_dupfind *uq;
	struct XXH3_state_s *key_state;              /* fingerprints of keys of several columns */
	uint64_t report_row[MG_CONTRACT_REPORT_MAX]; /* row of each report line (0: none) */
	size_t report_end[MG_CONTRACT_REPORT_MAX];   /* where each line ends in report */
	uint64_t rows;
	uint64_t violations;
	struct mg_buf report; /* the first violations, one per line */
	const char *name;     /* the file, for messages */
};

/* Schemas of a column rule and of the "columns" map, for the suite schema. */
extern const struct mg_schema mg_contract_columns_schema, mg_contract_rows_schema;

/*
 * Build a contract from a case's JSON (keys "columns", "unique",
 * "max_null_fraction", "rows"; already schema-checked). `path` names the
 * case in messages. MG_EXIT_USAGE on a semantic mistake (min > max, ...).
 */
int mg_contract_init(struct mg_contract *c, const cJSON *spec, const char *path,
                     struct mg_err *err);
void mg_contract_release(struct mg_contract *c);

/*
 * Check the CSV file `file` against the contract in one pass. Returns 0
 * when the file could be read (c->violations says whether it passed; the
 * first ones by row are described in c->report, then those of the whole
 * file), -1 when it could not (unreadable, malformed CSV: see
 * lib/csvstream.h; the unique check's temporary file failed: MG_EXIT_INFRA).
 * No temporary file outlives the call.
 */
int mg_contract_check_file(struct mg_contract *c, const char *file, struct mg_err *err);

/* Count the data rows of a CSV file (one streaming pass). */
int mg_contract_count_rows(const char *file, uint64_t *rows, struct mg_err *err);
#endif
