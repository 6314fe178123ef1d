#include "setup.h"
#include "unit.h"
#include "strlist.h"

static void test_strlist__push_keeps_order(void)
{
	struct mg_strlist l = MG_STRLIST_INIT;
	static const char *const words[] = {"a", "b", "c"};

	for (int i = 0; i < 100; i++)
		mg_strlist_push(&l, words[i % 3]);
	CU_ASSERT_EQUAL_FATAL(l.n, 100);
	ASSERT_STR(l.items[0], "a");
	ASSERT_STR(l.items[98], "c");
	CU_ASSERT_PTR_EQUAL(l.items[99], words[0]); /* borrowed, not copied */
	mg_strlist_release(&l);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_PTR_NULL(l.items);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_strlist__push_keeps_order),
        UNIT_END,
};

const struct unit_suite unit_suite_strlist = {"strlist", NULL, NULL, tests};
