#include "setup.h"
#include "unit.h"
#include "classre.h"
#include "buf.h"

#include <regex.h>

/* The patterns the matcher takes give what regexec on ^(P)$ gives; it refuses the others. */
static void test_classre__same_as_regexec(void)
{
	static const struct {
		const char *pat;
		bool fast; /* in the matcher's subset */
	} pats[] = {
	        {"[a-z]+", true},
	        {"[A-Z]{2}[0-9]+", true},
	        {"[a-z]*x", true},
	        {"ab?c", true},
	        {"a{2,3}b{0,}", true},
	        {"[0-9]{3}", true},
	        {"[a-c-]+", true},
	        {"[-x]?y", true},
	        {"x{1,}", true},
	        {"\\.[a-z]*", true},
	        {"a[bc]*c", true},
	        {"[a-z]{1,3}[a-z]{2}", true},
	        {"[0-9]+\\.[0-9]{2}", true},
	        {"[[:alpha:]]+", false},
	        {"(ab)+", false},
	        {"a|b", false},
	        {".*", false},
	        {"[^a]+", false},
	        {"a{,2}", false},
	};
	static const char *const vals[] = {
	        "a",    "abc", "ABC",  "AB12",     "A1",    "x",      "abx",  "ac",  "abc",
	        "abbc", "aab", "aaab", "aaaab",    "123",   "1234",   "a-c-", "-y",  "y",
	        "xxy",  "xx",  ".ab",  ".",        "acbcc", "abcdef", "abcd", "ab",  "12.34",
	        "1.2",  "b",   "ba",   "\xc3\xa9", "aa",    "aaa",    "Z9",   "zz9", "a.b",
	};

	for (size_t i = 0; i < MG_ARRAY_SIZE(pats); i++) {
		struct mg_buf re = MG_BUF_INIT(MG_BUF_SMALL);
		struct mg_classre *fast = mg_classre_compile(pats[i].pat);
		regex_t rx;

		CU_ASSERT_EQUAL(fast != NULL, pats[i].fast);
		mg_buf_addf(&re, "^(%s)$", pats[i].pat);
		CU_ASSERT_EQUAL_FATAL(regcomp(&rx, re.buf, REG_EXTENDED | REG_NOSUB), 0);
		for (size_t k = 0; fast && k < MG_ARRAY_SIZE(vals); k++) {
			bool want = regexec(&rx, vals[k], 0, NULL, 0) == 0;

			CU_ASSERT_EQUAL(mg_classre_match(fast, vals[k], strlen(vals[k])), want);
			if (mg_classre_match(fast, vals[k], strlen(vals[k])) != want)
				fprintf(stderr, "regex '%s' on '%s': not as regexec\n", pats[i].pat,
				        vals[k]);
		}
		regfree(&rx);
		mg_classre_free(fast);
		mg_buf_release(&re);
	}
	CU_ASSERT_PTR_NULL(mg_classre_compile(""));
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_classre__same_as_regexec),
        UNIT_END,
};

const struct unit_suite unit_suite_classre = {"classre", NULL, NULL, tests};
