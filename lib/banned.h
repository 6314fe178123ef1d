/*
 * Functions that are easy to misuse are turned into compile errors.
 * Included by setup.h, so every translation unit of mlgate gets it.
 * Use the mg_buf API, snprintf, mg_parse_* and gmtime_r instead.
 */
#ifndef MG_BANNED_H
#define MG_BANNED_H

#define MG_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) MG_BANNED(strcpy)
#undef strcat
#define strcat(x, y) MG_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) MG_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) MG_BANNED(strncat)
#undef sprintf
#define sprintf(...) MG_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) MG_BANNED(vsprintf)
#undef gets
#define gets(x) MG_BANNED(gets)
#undef strtok
#define strtok(x, y) MG_BANNED(strtok)
#undef atoi
#define atoi(x) MG_BANNED(atoi)
#undef atol
#define atol(x) MG_BANNED(atol)
#undef atoll
#define atoll(x) MG_BANNED(atoll)
#undef atof
#define atof(x) MG_BANNED(atof)
#undef gmtime
#define gmtime(t) MG_BANNED(gmtime)
#undef localtime
#define localtime(t) MG_BANNED(localtime)
#undef ctime
#define ctime(t) MG_BANNED(ctime)
#undef asctime
#define asctime(t) MG_BANNED(asctime)
#undef system
#define system(x) MG_BANNED(system)
#undef tmpnam
#define tmpnam(x) MG_BANNED(tmpnam)
#undef mktemp
#define mktemp(x) MG_BANNED(mktemp)

#endif
