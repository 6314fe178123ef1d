#include "setup.h"
#include "clock.h"

char *mg_time_format(time_t t, enum mg_time_style style, char out[MG_TIME_LEN])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(out, MG_TIME_LEN,
	              style == MG_TIME_ZULU ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(out, MG_TIME_LEN, "1970-01-01T00:00:00%s",
		         style == MG_TIME_ZULU ? "Z" : "");
	return out;
}

/* Read exactly `n` digits at *p into *out and advance. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static long long days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int mg_time_parse(const char *what, const char *s, time_t *out, struct mg_err *err)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;

	if (digits(&p, 4, &y) || expect(&p, '-') || digits(&p, 2, &mo) || expect(&p, '-') ||
	    digits(&p, 2, &d))
		goto bad;
	if (*p == 'T') {
		p++;
		if (digits(&p, 2, &h) || expect(&p, ':') || digits(&p, 2, &mi) || expect(&p, ':') ||
		    digits(&p, 2, &sec))
			goto bad;
		if (*p == 'Z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p == '+' ? 1 : -1;
			p++;
			if (digits(&p, 2, &oh) || expect(&p, ':') || digits(&p, 2, &om) ||
			    oh > 23 || om > 59)
				goto bad;
		} else {
			goto bad; /* a time without a zone is ambiguous: refuse it */
		}
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 ||
	    sec > 60)
		goto bad;
	*out = (time_t)(days_from_civil(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL + sec -
	                sign * (oh * 3600LL + om * 60LL));
	return 0;
bad:
	return mg_err_set(err, MG_EXIT_USAGE,
	                  "invalid date '%.64s' for %s: expected YYYY-MM-DD or "
	                  "YYYY-MM-DDTHH:MM:SSZ",
	                  s, what);
}

uint64_t mg_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double mg_clock_since(uint64_t start_ns)
{
	uint64_t now = mg_clock_ns();

	return now > start_ns ? (double)(now - start_ns) / 1e9 : 0.0;
}
