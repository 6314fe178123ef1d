#include "random.h"

#include <limits.h>

#include <openssl/err.h>
#include <openssl/rand.h>

int mg_random_bytes(unsigned char *out, size_t n, struct mg_err *err)
{
	while (n > 0) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;

		if (RAND_bytes(out, chunk) != 1) {
			char reason[256];

			ERR_error_string_n(ERR_get_error(), reason, sizeof(reason));
			return mg_err_set(err, MG_EXIT_INFRA, "cannot get random bytes: %s",
			                  reason);
		}
		out += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}
