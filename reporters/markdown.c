#include "setup.h"
#include "markdown.h"
#include "text.h"

#define NOTE_RESERVE 256 /* room for the note of mg_md_finish() */
#define CELL_MAX     1024

void mg_md_init(struct mg_md *md, size_t budget, const struct mg_secrets *secrets)
{
	md->budget = budget;
	md->dropped = 0;
	md->secrets = secrets;
	mg_buf_init(&md->buf, budget);
	mg_buf_init(&md->block, budget);
}

void mg_md_release(struct mg_md *md)
{
	mg_buf_release(&md->buf);
	mg_buf_release(&md->block);
}

const char *mg_md_status(enum mg_status status)
{
	switch (status) {
	case MG_STATUS_PASSED:
		return "\xe2\x9c\x85 passed"; /* U+2705 */
	case MG_STATUS_SKIPPED:
		return "\xe2\x8f\xad\xef\xb8\x8f skipped"; /* U+23ED */
	case MG_STATUS_FAILED:
		return "\xe2\x9d\x8c failed"; /* U+274C */
	case MG_STATUS_ERROR:
		return "\xe2\x9a\xa0\xef\xb8\x8f error"; /* U+26A0 */
	}
	return "error";
}

void mg_md_escape(struct mg_buf *out, const char *s, size_t cap, const struct mg_secrets *secrets)
{
	struct mg_buf t = MG_BUF_INIT(cap + 256);

	mg_result_clean(&t, s, strlen(s), cap, secrets);
	for (size_t i = 0; i < t.len; i++) {
		char c = t.buf[i];

		switch (c) {
		case '&':
			mg_buf_adds(out, "&amp;");
			break;
		case '<':
			mg_buf_adds(out, "&lt;");
			break;
		case '>':
			mg_buf_adds(out, "&gt;");
			break;
		case '\r':
			break;
		case '\n':
			mg_buf_adds(out, "<br>");
			break;
		case '\\':
		case '`':
		case '*':
		case '_':
		case '[':
		case ']':
		case '|':
		case '~':
		case '#':
		case '!':
			mg_buf_addch(out, '\\');
			mg_buf_addch(out, c);
			break;
		default:
			mg_buf_addch(out, c);
		}
	}
	mg_buf_release(&t);
}

/* Move the block into the summary if it fits the budget, else drop it. */
static void commit(struct mg_md *md)
{
	if (!mg_buf_overflowed(&md->block) &&
	    md->buf.len + md->block.len + NOTE_RESERVE <= md->budget)
		mg_buf_add(&md->buf, md->block.buf, md->block.len);
	else
		md->dropped++;
	mg_buf_reset(&md->block);
}

/* A blank line before a block that must not continue the previous one. */
static void separate(struct mg_md *md)
{
	const struct mg_buf *b = &md->buf;

	if (b->len && !(b->len >= 2 && b->buf[b->len - 1] == '\n' && b->buf[b->len - 2] == '\n'))
		mg_buf_addch(&md->block, '\n');
}

void mg_md_heading(struct mg_md *md, int level, const char *text)
{
	separate(md);
	for (int i = 0; i < level && i < 6; i++)
		mg_buf_addch(&md->block, '#');
	mg_buf_addch(&md->block, ' ');
	mg_md_escape(&md->block, text, MG_TEXT_NAME_MAX, md->secrets);
	mg_buf_adds(&md->block, "\n\n");
	commit(md);
}

void mg_md_para(struct mg_md *md, const char *text)
{
	separate(md);
	mg_md_escape(&md->block, text, MG_TEXT_MESSAGE_MAX, md->secrets);
	mg_buf_adds(&md->block, "\n\n");
	commit(md);
}

void mg_md_raw(struct mg_md *md, const char *markdown)
{
	mg_buf_adds(&md->block, markdown);
	commit(md);
}

void mg_md_table_head(struct mg_md *md, size_t ncols, const char *const *headers)
{
	separate(md);
	mg_buf_addch(&md->block, '|');
	for (size_t i = 0; i < ncols; i++) {
		mg_buf_addch(&md->block, ' ');
		mg_md_escape(&md->block, headers[i], CELL_MAX, md->secrets);
		mg_buf_adds(&md->block, " |");
	}
	mg_buf_adds(&md->block, "\n|");
	for (size_t i = 0; i < ncols; i++)
		mg_buf_adds(&md->block, " --- |");
	mg_buf_addch(&md->block, '\n');
	commit(md);
}

void mg_md_table_row(struct mg_md *md, size_t ncols, const char *const *cells)
{
	mg_buf_addch(&md->block, '|');
	for (size_t i = 0; i < ncols; i++) {
		mg_buf_addch(&md->block, ' ');
		mg_md_escape(&md->block, cells[i] ? cells[i] : "", CELL_MAX, md->secrets);
		mg_buf_adds(&md->block, " |");
	}
	mg_buf_addch(&md->block, '\n');
	commit(md);
}

void mg_md_counts(struct mg_buf *out, const struct mg_counts *c)
{
	mg_buf_addf(out, "%zu %s: %zu passed, %zu failed, %zu %s, %zu skipped", c->tests,
	            mg_plural(c->tests, "check", "checks"), c->passed, c->failures, c->errors,
	            mg_plural(c->errors, "error", "errors"), c->skipped);
}

static const char *verdict_word(bool passed)
{
	return passed ? "\xe2\x9c\x85 passed" : "\xe2\x9d\x8c failed";
}

static void suite_section(struct mg_md *md, const struct mg_suite *s)
{
	static const char *const evidence[][2] = {
	        {"mlgate.model", "model"},
	        {"mlgate.version", "version"},
	        {"mlgate.champion.version", "production version"},
	        {"mlgate.git.commit", "commit"},
	        {"mlgate.verdict", "verdict"},
	};
	static const char *const head[] = {"Check", "Status", "Message"};
	struct mg_buf line = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_counts c;

	mg_suite_counts(s, &c);
	mg_buf_addf(&line, "%s — %s", s->name, mg_suite_passed(s) ? "passed" : "failed");
	mg_md_heading(md, 3, line.buf);
	mg_buf_reset(&line);
	mg_md_counts(&line, &c);
	for (size_t i = 0; i < MG_ARRAY_SIZE(evidence); i++) {
		const char *v = mg_suite_prop(s, evidence[i][0]);

		if (v && *v) /* an empty one (no commit known) is left out, not "commit ;" */
			mg_buf_addf(&line, "; %s %.200s", evidence[i][1], v);
	}
	mg_md_para(md, line.buf);
	if (!s->nchecks) {
		mg_md_para(md, "No checks: nothing shows this passed.");
		goto done;
	}
	mg_md_table_head(md, 3, head);
	/* what needs attention first, so a cut summary still shows it */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->nchecks; i++) {
			const struct mg_check *k = &s->checks[i];
			bool bad = k->status == MG_STATUS_FAILED || k->status == MG_STATUS_ERROR;
			const char *cells[3];

			if (bad != (pass == 0))
				continue;
			cells[0] = k->id;
			cells[1] = mg_md_status(k->status);
			cells[2] = k->message ? k->message : "";
			mg_md_table_row(md, 3, cells);
		}
	}
done:
	mg_buf_release(&line);
}

void mg_md_result(struct mg_md *md, const struct mg_result *r)
{
	struct mg_buf line = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_counts c;
	bool passed = r->nsuites > 0;

	for (size_t i = 0; i < r->nsuites; i++)
		passed = passed && mg_suite_passed(&r->suites[i]);
	mg_result_counts(r, &c);
	mg_buf_addf(&line, "## mlgate: %s\n\n", verdict_word(passed));
	mg_md_raw(md, line.buf);
	mg_buf_reset(&line);
	mg_buf_addf(&line, "%zu %s, ", r->nsuites, mg_plural(r->nsuites, "suite", "suites"));
	mg_md_counts(&line, &c);
	mg_md_para(md, line.buf);
	for (size_t i = 0; i < r->nsuites; i++)
		suite_section(md, &r->suites[i]);
	mg_buf_release(&line);
}

void mg_md_finish(struct mg_md *md)
{
	if (!md->dropped)
		return;
	/* NOTE_RESERVE kept room for this */
	mg_buf_addf(&md->buf,
	            "\n_Summary cut to stay within %zu bytes: %zu more %s (rows, sections) "
	            "not shown; the JUnit report has everything._\n",
	            md->budget, md->dropped, mg_plural(md->dropped, "block", "blocks"));
}
