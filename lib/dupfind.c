/*
 * Bounded-memory duplicate finder: an external sort of 128-bit fingerprints
 * and row numbers (see lib/dupfind.h).
 */
#include "setup.h"
#include "dupfind.h"
#include "alloc.h"
#include "buf.h"

#include <assert.h>
#include <fcntl.h>
#include <unistd.h>

/*
 * An external sort of key fingerprints, so memory is bounded whatever the
 * number of rows (issue 7: the unique check in one streaming pass, memory
 * independent of the file's size).
 *
 * Every data row adds a 24-byte entry (a 128-bit fingerprint of its key and
 * its row number) to a buffer of `cap` entries (MG_DUPFIND_MEM). A
 * full buffer is sorted in place (by fingerprint, then row) and written as a
 * sorted run to an unlinked temporary file in $TMPDIR, so nothing is left
 * behind, not even after a crash. Runs are merged like a tiered LSM tree to
 * keep their number bounded: `fanin` runs of one level are merged into one run
 * of the next level (a file per level, truncated once merged), so the run
 * table is fixed-size and every entry is rewritten log_fanin(rows / cap)
 * times. At the end of the pass a file that fitted in the buffer is sorted
 * and scanned in memory; otherwise the last buffer is spilled too, the lowest
 * levels are merged up until at most `fanin` runs are left, and those are
 * merged with a heap, the buffer cut into one read slice per run. Equal
 * fingerprints come out together, ordered by row: each one after the first
 * is a duplicate of the first row with that key.
 *
 * Why 128 bits (the caller's fingerprint: xxHash's XXH3_128bits in the smoke
 * runner) and not 64: nothing is re-read, so a fingerprint collision between
 * different keys would be reported as a duplicate (never the reverse: a real
 * duplicate is always found). With n rows that happens with probability
 * about n^2 / 2^129 (4e-25 for 16 M rows, 2e-15 for 10^12); with 64 bits it
 * would be n^2 / 2^65, already 3% at 10^9 rows. The 8 more bytes a row cost
 * only temporary disk space.
 *
 * Memory: the buffer (MG_DUPFIND_MEM), the run table (below, 96 KiB,
 * mostly untouched) and a 64-entry heap; the sort is in place.
 *
 * Duplicates are found after the pass; the first MG_DUPFIND_KEEP by row are
 * kept, so the smoke runner's report can read as if they had been met in the
 * stream (merged by row with the first violations of the other rules, a
 * duplicate after the other violations of its row).
 */
struct fp {
	uint64_t hi, lo; /* the key's fingerprint */
	uint64_t row;
};

struct run {
	int fd;
	uint64_t off; /* bytes */
	uint64_t n;   /* entries */
};

#define UQ_LEVELS     64 /* fanin >= 2 and cap >= 4: 4 * 2^62 rows before the last */
#define UQ_FANIN_MAX  64
#define UQ_SORT_SMALL 32

struct mg_dupfind {
	struct fp *buf; /* cap entries: the rows being collected, then merge buffers */
	size_t n, cap;
	unsigned fanin;
	int fd[UQ_LEVELS]; /* -1: not created yet */
	uint64_t size[UQ_LEVELS];
	unsigned nruns[UQ_LEVELS];
	struct run runs[UQ_LEVELS][UQ_FANIN_MAX];
	bool spilled;
	/* the duplicates: how many, and the first ones by row */
	uint64_t dups;
	size_t kept;
	struct mg_dup first[MG_DUPFIND_KEEP]; /* ordered by row */
	/* the scan of the sorted entries */
	bool have_prev;
	struct fp prev;   /* the first row of the current key */
	const char *name; /* `what`, for messages */
};

static inline bool fp_less(const struct fp *a, const struct fp *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi;
	if (a->lo != b->lo)
		return a->lo < b->lo;
	return a->row < b->row;
}

/* Byte d (0 the most significant) of the 24-byte sort key hi, lo, row. */
static inline unsigned fp_byte(const struct fp *e, unsigned d)
{
	uint64_t w = d < 8 ? e->hi : d < 16 ? e->lo : e->row;

	return (unsigned)(w >> (56 - 8 * (d & 7))) & 0xff;
}

static void fp_insertion_sort(struct fp *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct fp v = a[i];
		size_t j = i;

		for (; j > 0 && fp_less(&v, &a[j - 1]); j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

/*
 * In-place MSD radix sort (American flag sort) from byte d of the key: no
 * second buffer, linear in the worst case (24 bytes at most, a byte all the
 * entries share costs one count), small buckets by insertion. Fingerprints
 * are uniform, so a full buffer is two permutations and tiny insertions.
 */
static void fp_sort(struct fp *a, size_t n, unsigned d)
{
	uint32_t end[256], next[256];
	uint32_t start = 0;

	for (;;) {
		bool one = false;

		if (n <= UQ_SORT_SMALL || d >= 24) {
			fp_insertion_sort(a, n);
			return;
		}
		memset(end, 0, sizeof(end));
		for (size_t i = 0; i < n; i++)
			end[fp_byte(&a[i], d)]++;
		for (unsigned b = 0; b < 256; b++)
			one |= end[b] == n;
		if (!one)
			break;
		d++; /* every entry has the same byte here */
	}
	for (unsigned b = 0; b < 256; b++) {
		next[b] = start;
		start += end[b];
		end[b] = start;
	}
	for (unsigned b = 0; b < 256; b++) {
		while (next[b] < end[b]) {
			struct fp v = a[next[b]];
			unsigned k = fp_byte(&v, d);

			while (k != b) {
				struct fp t = a[next[k]];

				a[next[k]++] = v;
				v = t;
				k = fp_byte(&v, d);
			}
			a[next[b]++] = v;
		}
	}
	start = 0;
	for (unsigned b = 0; b < 256; b++) {
		if (end[b] - start > 1)
			fp_sort(a + start, end[b] - start, d + 1);
		start = end[b];
	}
}

struct mg_dupfind *mg_dupfind_new(size_t buffer_entries, const char *what)
{
	struct mg_dupfind *u = mg_xcalloc(1, sizeof(*u));
	size_t cap = buffer_entries ? buffer_entries : MG_DUPFIND_MEM / sizeof(struct fp);

	/* at least 4 (a slice for every run of a merge and its output), counts fit 32 bits */
	if (cap < 4)
		cap = 4;
	if (cap > (size_t)1 << 28)
		cap = (size_t)1 << 28;
	u->cap = cap;
	/* read slices of 4096 entries (96 KiB) at least, 2 to 64 runs merged at a time */
	u->fanin = (unsigned)(cap / 4096 > UQ_FANIN_MAX ? UQ_FANIN_MAX : cap / 4096);
	if (u->fanin < 2)
		u->fanin = 2;
	/* pages are touched as rows come: a small file costs little */
	u->buf = mg_xmalloc(cap * sizeof(struct fp));
	for (size_t l = 0; l < UQ_LEVELS; l++)
		u->fd[l] = -1;
	u->name = what;
	return u;
}

void mg_dupfind_free(struct mg_dupfind *u)
{
	if (!u)
		return;
	for (size_t l = 0; l < UQ_LEVELS; l++)
		if (u->fd[l] >= 0)
			close(u->fd[l]);
	free(u->buf);
	free(u);
}

/* A new temporary file in $TMPDIR (or /tmp), already unlinked. */
static int uq_tmpfile(struct mg_dupfind *u, int *fd_out, struct mg_err *err)
{
	const char *dir = getenv("TMPDIR");
	struct mg_buf path = MG_BUF_INIT(PATH_MAX);
	int fd = -1;

	if (!dir || !*dir)
		dir = "/tmp";
	mg_buf_addf(&path, "%s/mlgate-unique.XXXXXX", dir);
	if (mg_buf_overflowed(&path)) {
		errno = ENAMETOOLONG;
	} else if ((fd = mkstemp(path.buf)) >= 0) {
		int saved;

		if (fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && unlink(path.buf) == 0) {
			mg_buf_release(&path);
			*fd_out = fd;
			return 0;
		}
		saved = errno;
		close(fd);
		unlink(path.buf); /* still there when fcntl failed */
		errno = saved;
	}
	mg_err_set(err, MG_EXIT_INFRA,
	           "'%s': cannot create a temporary file in '%s' for the unique check: %s", u->name,
	           dir, strerror(errno));
	mg_buf_release(&path);
	return -1;
}

static int uq_write(struct mg_dupfind *u, int fd, const struct fp *e, size_t n, uint64_t off,
                    struct mg_err *err)
{
	const char *p = (const char *)e;
	size_t len = n * sizeof(*e);

	while (len) {
		ssize_t w = pwrite(fd, p, len, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return mg_err_set(
			        err, MG_EXIT_INFRA,
			        "'%s': cannot write the unique check's temporary file: %s", u->name,
			        w < 0 ? strerror(errno) : "nothing written");
		p += w;
		len -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

static int uq_read(struct mg_dupfind *u, int fd, struct fp *e, size_t n, uint64_t off,
                   struct mg_err *err)
{
	char *p = (char *)e;
	size_t len = n * sizeof(*e);

	while (len) {
		ssize_t r = pread(fd, p, len, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return mg_err_set(err, MG_EXIT_INFRA,
			                  "'%s': cannot read the unique check's temporary file: %s",
			                  u->name, r < 0 ? strerror(errno) : "unexpected end");
		p += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/* Row `row` has the key of row `first`: count it, keep the first ones by row. */
static void uq_dup(struct mg_dupfind *u, uint64_t row, uint64_t first)
{
	size_t i;

	u->dups++;
	if (u->kept == MG_DUPFIND_KEEP) {
		if (row > u->first[u->kept - 1].row)
			return;
		u->kept--;
	}
	for (i = u->kept; i > 0 && u->first[i - 1].row > row; i--)
		u->first[i] = u->first[i - 1];
	u->first[i] = (struct mg_dup){row, first};
	u->kept++;
}

/* The next entry in sorted order. */
static inline void uq_scan(struct mg_dupfind *u, const struct fp *e)
{
	if (u->have_prev && e->hi == u->prev.hi && e->lo == u->prev.lo) {
		uq_dup(u, e->row, u->prev.row);
		return;
	}
	u->prev = *e;
	u->have_prev = true;
}

struct uq_reader {
	const struct run *run;
	uint64_t done; /* entries read from the run */
	struct fp *buf;
	size_t pos, len;
};

static int uq_fill(struct mg_dupfind *u, struct uq_reader *r, size_t slice, struct mg_err *err)
{
	uint64_t left = r->run->n - r->done;
	size_t k = left < slice ? (size_t)left : slice;

	if (uq_read(u, r->run->fd, r->buf, k, r->run->off + r->done * sizeof(struct fp), err))
		return -1;
	r->done += k;
	r->pos = 0;
	r->len = k;
	return 0;
}

/* A run's next entry in the merge heap, held inline: no indirection per comparison. */
struct uq_node {
	struct fp e;
	size_t run;
};

static void uq_sift(struct uq_node *heap, size_t n, size_t i)
{
	struct uq_node v = heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && fp_less(&heap[c + 1].e, &heap[c].e))
			c++;
		if (!fp_less(&heap[c].e, &v.e))
			break;
		heap[i] = heap[c];
		i = c;
	}
	heap[i] = v;
}

/*
 * Merge runs in[0..k) (k <= UQ_FANIN_MAX), the buffer cut into k + 1 slices:
 * into one run at `out_off` of `out_fd`, or, with out_fd < 0, into the scan.
 */
static int uq_merge(struct mg_dupfind *u, const struct run *in, size_t k, int out_fd,
                    uint64_t out_off, struct mg_err *err)
{
	struct uq_reader rd[UQ_FANIN_MAX];
	struct uq_node heap[UQ_FANIN_MAX];
	size_t slice = u->cap / (k + 1), nh = 0, outn = 0;
	struct fp *out = u->buf + k * slice;

	assert(k <= UQ_FANIN_MAX && slice >= 1);
	for (size_t i = 0; i < k; i++) {
		rd[i] = (struct uq_reader){.run = &in[i], .buf = u->buf + i * slice};
		if (uq_fill(u, &rd[i], slice, err))
			return -1;
		if (rd[i].len)
			heap[nh++] = (struct uq_node){rd[i].buf[rd[i].pos++], i};
	}
	for (size_t i = nh / 2; i-- > 0;)
		uq_sift(heap, nh, i);
	while (nh) {
		struct uq_reader *r = &rd[heap[0].run];

		if (out_fd < 0) {
			uq_scan(u, &heap[0].e);
		} else {
			out[outn++] = heap[0].e;
			if (outn == slice) {
				if (uq_write(u, out_fd, out, outn, out_off, err))
					return -1;
				out_off += outn * sizeof(struct fp);
				outn = 0;
			}
		}
		if (r->pos == r->len && r->done < r->run->n && uq_fill(u, r, slice, err))
			return -1;
		if (r->pos < r->len)
			heap[0].e = r->buf[r->pos++];
		else
			heap[0] = heap[--nh];
		if (nh)
			uq_sift(heap, nh, 0);
	}
	return outn ? uq_write(u, out_fd, out, outn, out_off, err) : 0;
}

/* Merge the runs of `level` into one run of the next level, and free their disk. */
static int uq_merge_level(struct mg_dupfind *u, unsigned level, struct mg_err *err)
{
	struct run in[UQ_FANIN_MAX];
	unsigned k = u->nruns[level], up = level + 1;
	uint64_t n = 0;

	assert(up < UQ_LEVELS && k > 0 && u->nruns[up] < u->fanin);
	memcpy(in, u->runs[level], k * sizeof(*in));
	for (unsigned i = 0; i < k; i++)
		n += in[i].n;
	if (u->fd[up] < 0 && uq_tmpfile(u, &u->fd[up], err))
		return -1;
	if (uq_merge(u, in, k, u->fd[up], u->size[up], err))
		return -1;
	u->runs[up][u->nruns[up]++] = (struct run){u->fd[up], u->size[up], n};
	u->size[up] += n * sizeof(struct fp);
	u->nruns[level] = 0;
	u->size[level] = 0;
	if (ftruncate(u->fd[level], 0))
		return mg_err_set(err, MG_EXIT_INFRA,
		                  "'%s': cannot truncate the unique check's temporary file: %s",
		                  u->name, strerror(errno));
	return 0;
}

/* Merge up from `level` while levels are full. */
static int uq_cascade(struct mg_dupfind *u, unsigned level, struct mg_err *err)
{
	for (; u->nruns[level] >= u->fanin; level++)
		if (uq_merge_level(u, level, err))
			return -1;
	return 0;
}

/* Sort the buffer and write it as a run of level 0. */
static int uq_spill(struct mg_dupfind *u, struct mg_err *err)
{
	fp_sort(u->buf, u->n, 0);
	if (u->fd[0] < 0 && uq_tmpfile(u, &u->fd[0], err))
		return -1;
	if (uq_write(u, u->fd[0], u->buf, u->n, u->size[0], err))
		return -1;
	u->runs[0][u->nruns[0]++] = (struct run){u->fd[0], u->size[0], u->n};
	u->size[0] += u->n * sizeof(struct fp);
	u->n = 0;
	u->spilled = true;
	return uq_cascade(u, 0, err);
}

int mg_dupfind_add(struct mg_dupfind *u, const uint64_t fp[2], uint64_t row, struct mg_err *err)
{
	u->buf[u->n++] = (struct fp){fp[0], fp[1], row};
	return u->n == u->cap ? uq_spill(u, err) : 0;
}

/* The end of the pass: find every duplicate. */
int mg_dupfind_finish(struct mg_dupfind *u, struct mg_err *err)
{
	struct run in[UQ_FANIN_MAX];
	size_t k = 0, total;

	if (!u->spilled) {
		fp_sort(u->buf, u->n, 0);
		for (size_t i = 0; i < u->n; i++)
			uq_scan(u, &u->buf[i]);
		return 0;
	}
	if (u->n && uq_spill(u, err))
		return -1;
	for (;;) {
		unsigned low = 0;

		total = 0;
		for (unsigned l = 0; l < UQ_LEVELS; l++)
			total += u->nruns[l];
		if (total <= u->fanin)
			break;
		while (!u->nruns[low])
			low++;
		if (uq_merge_level(u, low, err) || uq_cascade(u, low + 1, err))
			return -1;
	}
	for (unsigned l = 0; l < UQ_LEVELS; l++)
		for (unsigned i = 0; i < u->nruns[l]; i++)
			in[k++] = u->runs[l][i];
	return uq_merge(u, in, k, -1, 0, err);
}

uint64_t mg_dupfind_count(const struct mg_dupfind *d)
{
	return d->dups;
}

size_t mg_dupfind_first(const struct mg_dupfind *d, const struct mg_dup **first)
{
	*first = d->first;
	return d->kept;
}
