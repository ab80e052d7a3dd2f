/*
 * Host unit tests for the command line parser (hv/core/cmdline.c): every
 * option kind with good and bad values, no- booleans, overflow, long
 * tokens, several problems in one line, and broken table entries.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include <cmdline.h>

/* Collected reports. */
#define MAX_MSGS 16
static char msgs[MAX_MSGS][CMDLINE_MSG_MAX + 8];
static int nr_msgs;

static void collect(void *ctx, const char *msg)
{
	int *calls = ctx;
	size_t len = strlen(msg);

	(*calls)++;
	if (len >= CMDLINE_MSG_MAX)
		printf("message too long (%zu): %s\n", len, msg);
	if (nr_msgs < MAX_MSGS)
		snprintf(msgs[nr_msgs++], sizeof(msgs[0]), "%s", msg);
}

/* Options under test. */
static bool noreboot, sync_console;
static unsigned int maxcpus;
static u64 big;
static u8 byte;
static u16 word;
static u64 mem, dom0_mem;
static u32 small_size;
static char console[16];
static unsigned int loglvl;
static u64 no_thing;
static u32 broken_var;
static unsigned int broken_enum;

static const char *const loglvl_names[] = { "none", "error", "warning",
					     "info", "debug", "all", NULL };

static const struct cmdline_opt opts[] = {
	CMDLINE_BOOL("noreboot", noreboot),
	CMDLINE_BOOL("sync_console", sync_console),
	CMDLINE_UINT("maxcpus", maxcpus, 1, 256),
	CMDLINE_UINT("big", big, 0, 0),
	CMDLINE_UINT("byte", byte, 0, 0),
	CMDLINE_UINT("word", word, 0, 0),
	CMDLINE_SIZE("mem", mem, 0, 0),
	CMDLINE_SIZE("dom0_mem", dom0_mem, MiB(1), GiB(4)),
	CMDLINE_SIZE("small_size", small_size, 0, 0),
	CMDLINE_STRING("console", console),
	CMDLINE_ENUM("loglvl", loglvl, loglvl_names),
	CMDLINE_UINT("no-thing", no_thing, 0, 0),
	/* broken entries */
	{ .name = "width3", .kind = OPT_UINT, .var = &broken_var, .var_len = 3 },
	{ .name = "novar", .kind = OPT_BOOL },
	{ .name = "nonames", .kind = OPT_ENUM, .var = &broken_enum },
	{ .name = "nostrlen", .kind = OPT_STRING, .var = console },
};

static void reset(void)
{
	noreboot = false;
	sync_console = true;
	maxcpus = 7;
	big = 7;
	byte = 7;
	word = 7;
	mem = 7;
	dom0_mem = 7;
	small_size = 7;
	strcpy(console, "unset");
	loglvl = 99;
	no_thing = 7;
	nr_msgs = 0;
	memset(msgs, 0, sizeof(msgs));
}

/* Parse line with the table above; returns the problem count. */
static int parse(const char *line)
{
	int calls = 0, n;

	reset();
	n = cmdline_parse(line, opts, ARRAY_SIZE(opts), collect, &calls);
	CHECK(n == calls, "'%s': returned %d but reported %d", line, n, calls);
	return n;
}

static bool has_msg(const char *s)
{
	int i;

	for (i = 0; i < nr_msgs; i++)
		if (strstr(msgs[i], s))
			return true;
	return false;
}

static void test_empty(void)
{
	int calls = 0;

	TEST_GROUP("empty and blank lines");
	CHECK(parse("") == 0, "empty");
	CHECK(parse("   \t\n  ") == 0, "blank");
	CHECK(cmdline_parse(NULL, opts, ARRAY_SIZE(opts), collect, &calls) == 0,
	      "NULL line");
	CHECK(calls == 0, "no reports for NULL line");
	CHECK(parse("\tmaxcpus=3\n noreboot\r\n") == 0 && maxcpus == 3 &&
		      noreboot,
	      "tabs/newlines separate tokens");
}

static void test_bool(void)
{
	static const char *const t[] = { "1", "yes", "on", "true" };
	static const char *const f[] = { "0", "no", "off", "false" };
	char line[64];
	size_t i;

	TEST_GROUP("booleans");
	CHECK(parse("noreboot") == 0 && noreboot, "bare name sets true");
	CHECK(parse("no-sync_console") == 0 && !sync_console,
	      "no-name sets false");
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		snprintf(line, sizeof(line), "noreboot=%s no-noreboot", t[i]);
		CHECK(parse(line) == 0 && !noreboot, "%s", line);
		snprintf(line, sizeof(line), "noreboot=%s", t[i]);
		CHECK(parse(line) == 0 && noreboot, "%s", line);
		snprintf(line, sizeof(line), "sync_console=%s", f[i]);
		CHECK(parse(line) == 0 && !sync_console, "%s", line);
	}
	CHECK(parse("noreboot=maybe") == 1 && !noreboot, "bad value");
	CHECK(!strcmp(msgs[0], "option 'noreboot': bad boolean 'maybe' "
			       "(use 1/0, yes/no, on/off, true/false)"),
	      "got '%s'", msgs[0]);
	CHECK(parse("noreboot=") == 1 && has_msg("bad boolean ''"),
	      "empty value: '%s'", msgs[0]);
	CHECK(parse("noreboot=YES") == 1, "values are case-sensitive");
	CHECK(parse("no-sync_console=1") == 1 && sync_console &&
		      !strcmp(msgs[0], "option 'no-sync_console' takes no value"),
	      "got '%s'", msgs[0]);
	CHECK(parse("noreboot no-noreboot noreboot") == 0 && noreboot,
	      "last one wins");
}

static void test_uint(void)
{
	TEST_GROUP("unsigned integers");
	CHECK(parse("maxcpus=4") == 0 && maxcpus == 4, "decimal");
	CHECK(parse("maxcpus=0x10") == 0 && maxcpus == 16, "hex");
	CHECK(parse("maxcpus=0X1f") == 0 && maxcpus == 31, "hex, upper X");
	CHECK(parse("maxcpus=256") == 0 && maxcpus == 256, "max");
	CHECK(parse("maxcpus=1") == 0 && maxcpus == 1, "min");
	CHECK(parse("maxcpus=2 maxcpus=8") == 0 && maxcpus == 8, "last wins");

	CHECK(parse("maxcpus=0") == 1 && maxcpus == 7, "below range");
	CHECK(!strcmp(msgs[0], "option 'maxcpus': 0 out of range 1..256"),
	      "got '%s'", msgs[0]);
	CHECK(parse("maxcpus=257") == 1 &&
		      !strcmp(msgs[0], "option 'maxcpus': 257 out of range 1..256"),
	      "got '%s'", msgs[0]);
	CHECK(parse("maxcpus") == 1 &&
		      !strcmp(msgs[0], "option 'maxcpus' needs a value"),
	      "got '%s'", msgs[0]);
	CHECK(parse("maxcpus=") == 1 && has_msg("needs a value"), "empty");
	CHECK(parse("maxcpus=12abc") == 1 &&
		      !strcmp(msgs[0], "option 'maxcpus': bad number '12abc'"),
	      "got '%s'", msgs[0]);
	CHECK(parse("maxcpus=-1") == 1 && maxcpus == 7, "negative");
	CHECK(parse("maxcpus=+1") == 1, "plus sign");
	CHECK(parse("maxcpus=0x") == 1 && has_msg("bad number '0x'"), "0x");
	CHECK(parse("maxcpus=0xg") == 1, "0xg");
	CHECK(parse("maxcpus=4K") == 1, "no suffix for plain numbers");
	CHECK(parse("maxcpus=1.5") == 1, "no fractions");

	CHECK(parse("big=18446744073709551615") == 0 && big == UINT64_MAX,
	      "2^64-1 decimal");
	CHECK(parse("big=0xffffffffffffffff") == 0 && big == UINT64_MAX,
	      "2^64-1 hex");
	CHECK(parse("big=0") == 0 && big == 0, "no range: 0 allowed");
	CHECK(parse("big=18446744073709551616") == 1 && big == 7 &&
		      has_msg("'18446744073709551616' is too large"),
	      "2^64 decimal: '%s'", msgs[0]);
	CHECK(parse("big=0x10000000000000000") == 1 && big == 7, "2^64 hex");
	CHECK(parse("big=99999999999999999999999999x") == 1 &&
		      has_msg("bad number"),
	      "garbage beats overflow: '%s'", msgs[0]);

	CHECK(parse("byte=255") == 0 && byte == 255, "u8 max");
	CHECK(parse("byte=256") == 1 && byte == 7 &&
		      !strcmp(msgs[0], "option 'byte': '256' is too large (max 255)"),
	      "u8 overflow: '%s'", msgs[0]);
	CHECK(parse("word=65535") == 0 && word == 65535, "u16 max");
	CHECK(parse("word=0x10000") == 1 && word == 7, "u16 overflow");
	CHECK(parse("maxcpus=4294967296") == 1 && maxcpus == 7,
	      "u32 overflow");
}

static void test_size(void)
{
	TEST_GROUP("sizes");
	CHECK(parse("mem=512M") == 0 && mem == MiB(512), "512M");
	CHECK(parse("mem=4g") == 0 && mem == GiB(4), "4g");
	CHECK(parse("mem=1k") == 0 && mem == 1024, "1k");
	CHECK(parse("mem=2T") == 0 && mem == (2ULL << 40), "2T");
	CHECK(parse("mem=123") == 0 && mem == 123, "bytes");
	CHECK(parse("mem=0x1000") == 0 && mem == 0x1000, "hex bytes");
	CHECK(parse("mem=0x10M") == 0 && mem == MiB(16), "hex with suffix");
	CHECK(parse("mem=0") == 0 && mem == 0, "zero");
	CHECK(parse("mem=18446744073709551615") == 0 && mem == UINT64_MAX,
	      "2^64-1");
	CHECK(parse("mem=16777215T") == 0 && mem == 16777215ULL << 40,
	      "largest T");

	CHECK(parse("mem=xyz") == 1 && mem == 7 &&
		      !strcmp(msgs[0],
			      "option 'mem': bad size 'xyz' (use e.g. 512M, 4G)"),
	      "got '%s'", msgs[0]);
	CHECK(parse("mem=12Q") == 1, "bad suffix");
	CHECK(parse("mem=1MM") == 1, "double suffix");
	CHECK(parse("mem=M") == 1, "suffix only");
	CHECK(parse("mem=1 M") == 1 && mem == 1 &&
		      has_msg("unknown option 'M'"),
	      "space splits the token");
	CHECK(parse("mem=16777216T") == 1 && mem == 7 &&
		      has_msg("'16777216T' is too large"),
	      "2^64 via suffix: '%s'", msgs[0]);
	CHECK(parse("mem=18446744073709551616") == 1, "2^64 bytes");
	CHECK(parse("mem=0x1000000000000000K") == 1, "hex overflow via K");

	CHECK(parse("dom0_mem=4G") == 0 && dom0_mem == GiB(4), "range max");
	CHECK(parse("dom0_mem=1M") == 0 && dom0_mem == MiB(1), "range min");
	CHECK(parse("dom0_mem=512K") == 1 && dom0_mem == 7 &&
		      !strcmp(msgs[0],
			      "option 'dom0_mem': 512K out of range 1M..4G"),
	      "got '%s'", msgs[0]);
	CHECK(parse("dom0_mem=4097M") == 1 &&
		      !strcmp(msgs[0],
			      "option 'dom0_mem': 4097M out of range 1M..4G"),
	      "got '%s'", msgs[0]);
	CHECK(parse("dom0_mem=1000000") == 1 &&
		      has_msg(": 1000000 out of range"),
	      "non-round values print in bytes: '%s'", msgs[0]);

	CHECK(parse("small_size=4G") == 1 && small_size == 7 &&
		      has_msg("too large (max 4294967295)"),
	      "u32 size overflow: '%s'", msgs[0]);
	CHECK(parse("small_size=3G") == 0 && small_size == 3U << 30,
	      "u32 size");
}

static void test_string(void)
{
	TEST_GROUP("strings");
	CHECK(parse("console=com1,vga") == 0 && !strcmp(console, "com1,vga"),
	      "plain");
	CHECK(parse("console=") == 0 && !strcmp(console, ""), "empty value");
	CHECK(parse("console=a=b") == 0 && !strcmp(console, "a=b"),
	      "first = splits");
	CHECK(parse("console=0123456789abcde") == 0 &&
		      !strcmp(console, "0123456789abcde"),
	      "exactly fits");
	CHECK(parse("console=0123456789abcdefXYZ") == 1 &&
		      !strcmp(console, "0123456789abcde"),
	      "truncated value stored");
	CHECK(!strcmp(msgs[0], "option 'console': value "
			       "'0123456789abcdefXYZ' truncated to 15 chars"),
	      "got '%s'", msgs[0]);
	CHECK(parse("console") == 1 && has_msg("needs a value") &&
		      !strcmp(console, "unset"),
	      "bare string option");
}

static void test_enum(void)
{
	TEST_GROUP("enums");
	CHECK(parse("loglvl=none") == 0 && loglvl == 0, "first");
	CHECK(parse("loglvl=debug") == 0 && loglvl == 4, "debug");
	CHECK(parse("loglvl=all") == 0 && loglvl == 5, "last");
	CHECK(parse("loglvl=loud") == 1 && loglvl == 99, "bad");
	CHECK(!strcmp(msgs[0], "option 'loglvl': 'loud' is not one of "
			       "none|error|warning|info|debug|all"),
	      "got '%s'", msgs[0]);
	CHECK(parse("loglvl=DEBUG") == 1, "case-sensitive");
	CHECK(parse("loglvl=") == 1 && has_msg("needs a value"), "empty");
	CHECK(parse("loglvl") == 1 && has_msg("needs a value"), "bare");
	CHECK(parse("loglvl=al") == 1 && parse("loglvl=alll") == 1,
	      "no prefix matches");
}

static void test_names(void)
{
	int calls = 0;

	TEST_GROUP("unknown and odd names");
	CHECK(parse("foo") == 1 && !strcmp(msgs[0], "unknown option 'foo'"),
	      "got '%s'", msgs[0]);
	CHECK(parse("foo=1") == 1 && !strcmp(msgs[0], "unknown option 'foo'"),
	      "got '%s'", msgs[0]);
	CHECK(parse("no-foo") == 1 &&
		      !strcmp(msgs[0], "unknown option 'no-foo'"),
	      "got '%s'", msgs[0]);
	CHECK(parse("no-") == 1 && has_msg("unknown option 'no-'"), "no-");
	CHECK(parse("no-maxcpus") == 1 && maxcpus == 7 &&
		      !strcmp(msgs[0], "option 'maxcpus' is not a boolean, so "
				       "'no-maxcpus' is invalid"),
	      "got '%s'", msgs[0]);
	CHECK(parse("no-thing=5") == 0 && no_thing == 5,
	      "a table name starting with no- matches exactly");
	CHECK(parse("=5") == 1 && !strcmp(msgs[0], "empty option name in '=5'"),
	      "got '%s'", msgs[0]);
	CHECK(parse("=") == 1, "lone =");
	CHECK(parse("Maxcpus=3") == 1 && maxcpus == 7, "names are exact");
	CHECK(parse("foo\001bar") == 1 && !strcmp(msgs[0],
						   "unknown option 'foo?bar'"),
	      "control characters hidden: '%s'", msgs[0]);

	CHECK(cmdline_parse("foo maxcpus=3", NULL, 0, collect, &calls) == 2,
	      "empty table");
	CHECK(cmdline_parse("foo bar maxcpus=0", opts, ARRAY_SIZE(opts), NULL,
			    NULL) == 3,
	      "counting without a report callback");
}

static void test_table(void)
{
	TEST_GROUP("broken table entries");
	CHECK(parse("width3=1") == 1 && broken_var == 0 &&
		      has_msg("option 'width3': bad option table entry"),
	      "got '%s'", msgs[0]);
	CHECK(parse("novar") == 1 && has_msg("bad option table entry"),
	      "NULL var");
	CHECK(parse("nonames=x") == 1 && has_msg("bad option table entry"),
	      "enum without names");
	CHECK(parse("nostrlen=x") == 1 && has_msg("bad option table entry") &&
		      !strcmp(console, "unset"),
	      "string without length");
}

static void test_long(void)
{
	char *line = malloc(4096);
	size_t len;

	TEST_GROUP("long tokens");
	memset(line, 'a', 600);
	line[600] = '\0';
	CHECK(parse(line) == 1 && has_msg("too long (600 chars, max 512)"),
	      "got '%s'", msgs[0]);
	CHECK(strlen(msgs[0]) < CMDLINE_MSG_MAX && strstr(msgs[0], "...'"),
	      "quoted text cut: '%s'", msgs[0]);

	strcpy(line, "console=");
	memset(line + 8, 'x', 1000);
	strcpy(line + 1008, " maxcpus=5");
	CHECK(parse(line) == 1 && !strcmp(console, "unset") && maxcpus == 5,
	      "long value skipped, next token still parsed");

	/* Exactly CMDLINE_MAX_TOKEN: accepted (then truncated into var). */
	strcpy(line, "console=");
	memset(line + 8, 'y', CMDLINE_MAX_TOKEN - 8);
	line[CMDLINE_MAX_TOKEN] = '\0';
	CHECK(parse(line) == 1 && has_msg("truncated to 15 chars") &&
		      !strcmp(console, "yyyyyyyyyyyyyyy"),
	      "max-length token: '%s'", msgs[0]);

	/* A long unknown name and a long bad value give bounded messages. */
	memset(line, 'n', 300);
	strcpy(line + 300, " mem=");
	len = strlen(line);
	memset(line + len, '9', 200);
	strcpy(line + len + 200, "Z");
	CHECK(parse(line) == 2 && strlen(msgs[0]) < CMDLINE_MSG_MAX &&
		      strlen(msgs[1]) < CMDLINE_MSG_MAX &&
		      has_msg("unknown option 'nnnn") && has_msg("bad size"),
	      "'%s' / '%s'", msgs[0], msgs[1]);

	/* Enum lists are cut at the buffer, not overrun. */
	memset(line, 'z', 400);
	line[400] = '\0';
	CHECK(parse(line) == 1, "long bare name");
	free(line);
}

static void test_multi(void)
{
	TEST_GROUP("several problems in one line");
	CHECK(parse("foo maxcpus=0 mem=xyz loglvl=loud noreboot maxcpus "
		    "console=ttyS0 no-bar") == 6,
	      "six problems");
	CHECK(nr_msgs == 6, "six reports (%d)", nr_msgs);
	CHECK(!strcmp(msgs[0], "unknown option 'foo'"), "1: %s", msgs[0]);
	CHECK(!strcmp(msgs[1], "option 'maxcpus': 0 out of range 1..256"),
	      "2: %s", msgs[1]);
	CHECK(!strcmp(msgs[2], "option 'mem': bad size 'xyz' (use e.g. 512M, 4G)"),
	      "3: %s", msgs[2]);
	CHECK(has_msg("'loud' is not one of"), "4");
	CHECK(!strcmp(msgs[4], "option 'maxcpus' needs a value"), "5: %s",
	      msgs[4]);
	CHECK(!strcmp(msgs[5], "unknown option 'no-bar'"), "6: %s", msgs[5]);
	CHECK(noreboot && !strcmp(console, "ttyS0") && maxcpus == 7 &&
		      mem == 7 && loglvl == 99,
	      "good options applied, bad ones left alone");
}

static void test_dashdash(void)
{
	TEST_GROUP("-- ends the hypervisor's options");
	CHECK(parse("noreboot -- maxcpus=0 foo") == 0 && noreboot &&
		      maxcpus == 7,
	      "rest ignored");
	CHECK(parse("--") == 0, "lone --");
	CHECK(parse("--foo maxcpus=2") == 1 && maxcpus == 2, "--foo is a name");
}

int main(void)
{
	test_empty();
	test_bool();
	test_uint();
	test_size();
	test_string();
	test_enum();
	test_names();
	test_table();
	test_long();
	test_multi();
	test_dashdash();
	return test_summary("test_cmdline");
}
