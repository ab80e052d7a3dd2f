/*
 * Hypervisor command line parsing (pure logic, no hardware access).
 *
 * The line is a list of whitespace-separated tokens, each `name=value` or a
 * bare `name`. Boolean options also accept `no-name` (false). Options are
 * described by a table of struct cmdline_opt; parsing writes straight into
 * the variables the table points at.
 *
 * Rules:
 *  - Parsing never stops at an error: every problem is reported once through
 *    the report callback and counted; cmdline_parse() returns the count.
 *  - An option with a bad value leaves its variable untouched, except
 *    OPT_STRING, which stores the truncated value and reports the truncation.
 *  - A repeated option is applied each time, so the last one wins.
 *  - A bare `--` token ends parsing: what follows belongs to dom0.
 *  - Names are matched exactly (case-sensitive). A table entry whose name
 *    itself starts with "no-" is matched before the `no-` boolean rule.
 *  - Tokens longer than CMDLINE_MAX_TOKEN characters are reported and
 *    skipped; quoted values are not supported.
 *
 * Value syntax:
 *  OPT_BOOL   bare `name` = true, `no-name` = false, or
 *             `name=1|0|yes|no|on|off|true|false` (var: bool *).
 *  OPT_UINT   decimal or 0x hex (var: u8/u16/u32/u64 *, var_len says which;
 *             0 means u64). The value must fit the variable and lie in
 *             [min, max]; min == max == 0 means no range limit.
 *  OPT_SIZE   like OPT_UINT with an optional K/M/G/T suffix (any case,
 *             binary multiples), result in bytes (var: as OPT_UINT, normally
 *             u64). Overflow past the variable's width is an error. Same
 *             [min, max] rule.
 *  OPT_STRING copied into the char array var of var_len bytes (NUL
 *             terminated; var_len must be at least 1). `name=` stores "".
 *  OPT_ENUM   one of the NULL-terminated enum_names; the index is stored
 *             (var: unsigned int *).
 *
 * A table entry that breaks these rules (NULL var, unsupported var_len, no
 * enum_names, ...) is reported as a problem when its option is used.
 */
#ifndef XENOLITH_CMDLINE_H
#define XENOLITH_CMDLINE_H

#include "types.h"

/* Longest token (name=value) accepted, in characters. */
#define CMDLINE_MAX_TOKEN 512

/* Longest message passed to the report callback, including the NUL. */
#define CMDLINE_MSG_MAX 200

enum cmdline_kind {
	OPT_BOOL,
	OPT_UINT,
	OPT_SIZE,
	OPT_STRING,
	OPT_ENUM,
};

struct cmdline_opt {
	const char *name;
	enum cmdline_kind kind;
	void *var;
	size_t var_len; /* OPT_STRING size, OPT_UINT width */
	const char *const *enum_names; /* OPT_ENUM, NULL-terminated */
	u64 min, max; /* OPT_UINT/OPT_SIZE; 0,0 = none */
};

/* Called once per problem with a NUL-terminated, single-line message. */
typedef void (*cmdline_report_fn)(void *ctx, const char *msg);

/* Table helpers; v is the variable itself (not its address). */
#define CMDLINE_BOOL(n, v)                                  \
	{                                                   \
		.name = (n), .kind = OPT_BOOL, .var = &(v), \
		.var_len = sizeof(v)                        \
	}
#define CMDLINE_UINT(n, v, lo, hi)                             \
	{                                                      \
		.name = (n), .kind = OPT_UINT, .var = &(v),    \
		.var_len = sizeof(v), .min = (lo), .max = (hi) \
	}
#define CMDLINE_SIZE(n, v, lo, hi)                             \
	{                                                      \
		.name = (n), .kind = OPT_SIZE, .var = &(v),    \
		.var_len = sizeof(v), .min = (lo), .max = (hi) \
	}
#define CMDLINE_STRING(n, v)                                 \
	{                                                    \
		.name = (n), .kind = OPT_STRING, .var = (v), \
		.var_len = sizeof(v)                         \
	}
#define CMDLINE_ENUM(n, v, names)                           \
	{                                                   \
		.name = (n), .kind = OPT_ENUM, .var = &(v), \
		.var_len = sizeof(v), .enum_names = (names) \
	}

/*
 * Parse line against opts[0..nr). report may be NULL (problems are then only
 * counted). Returns the number of problems found (0 = all good).
 */
int cmdline_parse(const char *line, const struct cmdline_opt *opts, size_t nr,
		  cmdline_report_fn report, void *ctx);

#endif
