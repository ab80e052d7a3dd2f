/*
 * Hypervisor command line parser. Pure logic: see cmdline.h for the syntax
 * and the rules. Tokens are handled as (pointer, length) slices of the
 * caller's line, so nothing is copied except into option variables and the
 * message buffer.
 */
#include "cmdline.h"

/* User text quoted in a message is cut to this many characters. */
#define QUOTE_MAX 48

struct slice {
	const char *p;
	size_t n;
};

struct parser {
	const struct cmdline_opt *opts;
	size_t nr;
	cmdline_report_fn report;
	void *ctx;
	int problems;
};

/* A bounded, always NUL-terminated message under construction. */
struct msg {
	char buf[CMDLINE_MSG_MAX];
	size_t len;
};

static size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static bool slice_eq(struct slice a, const char *s)
{
	size_t i;

	for (i = 0; i < a.n; i++)
		if (s[i] != a.p[i])
			return false;
	return s[a.n] == '\0';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static char to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static void msg_putc(struct msg *m, char c)
{
	if (m->len + 1 < sizeof(m->buf))
		m->buf[m->len++] = c;
	m->buf[m->len] = '\0';
}

static void msg_putn(struct msg *m, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		msg_putc(m, s[i]);
}

static void msg_puts(struct msg *m, const char *s)
{
	msg_putn(m, s, str_len(s));
}

/* Quote user text, cut long text short and hide control characters. */
static void msg_quote(struct msg *m, struct slice s)
{
	size_t n = s.n > QUOTE_MAX ? QUOTE_MAX - 3 : s.n;
	size_t i;

	msg_putc(m, '\'');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s.p[i];

		msg_putc(m, (c < 0x20 || c >= 0x7f) ? '?' : (char)c);
	}
	if (n < s.n)
		msg_puts(m, "...");
	msg_putc(m, '\'');
}

static void msg_u64(struct msg *m, u64 v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		msg_putc(m, tmp[--n]);
}

/* A byte count with the largest suffix that divides it exactly. */
static void msg_size(struct msg *m, u64 v)
{
	static const char suffix[] = "KMGT";
	int i;

	for (i = 3; i >= 0; i--) {
		unsigned int shift = 10 * (i + 1);

		if (v && !(v & ((1ULL << shift) - 1))) {
			msg_u64(m, v >> shift);
			msg_putc(m, suffix[i]);
			return;
		}
	}
	msg_u64(m, v);
}

static void msg_start(struct msg *m, const char *s)
{
	m->len = 0;
	m->buf[0] = '\0';
	msg_puts(m, s);
}

/* Start a message with "option 'name'". */
static void msg_opt(struct msg *m, struct slice name)
{
	msg_start(m, "option ");
	msg_quote(m, name);
}

static void problem(struct parser *ps, struct msg *m)
{
	ps->problems++;
	if (ps->report)
		ps->report(ps->ctx, m->buf);
}

static const struct cmdline_opt *find_opt(struct parser *ps, struct slice name)
{
	size_t i;

	for (i = 0; i < ps->nr; i++)
		if (ps->opts[i].name && slice_eq(name, ps->opts[i].name))
			return &ps->opts[i];
	return NULL;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = to_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Parse a decimal or 0x-hex number at the start of s. Returns how many
 * characters form the number (0 if none) and sets *overflow if it does not
 * fit in 64 bits.
 */
static size_t parse_number(struct slice s, u64 *out, bool *overflow)
{
	unsigned int base = 10;
	size_t i = 0, first;
	u64 v = 0;

	*overflow = false;
	if (s.n > 2 && s.p[0] == '0' && to_lower(s.p[1]) == 'x' &&
	    hex_digit(s.p[2]) >= 0) {
		base = 16;
		i = 2;
	}
	first = i;
	for (; i < s.n; i++) {
		int d = hex_digit(s.p[i]);

		if (d < 0 || (unsigned int)d >= base)
			break;
		if (v > (UINT64_MAX - (u64)d) / base)
			*overflow = true;
		v = v * base + (u64)d;
	}
	*out = v;
	return i == first ? 0 : i;
}

static bool parse_bool(struct slice v, bool *out)
{
	static const char *const yes[] = { "1", "yes", "on", "true" };
	static const char *const no[] = { "0", "no", "off", "false" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (slice_eq(v, yes[i])) {
			*out = true;
			return true;
		}
		if (slice_eq(v, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

static u64 width_max(size_t width)
{
	return width == 8 ? UINT64_MAX : (1ULL << (8 * width)) - 1;
}

static void store_uint(void *var, size_t width, u64 v)
{
	switch (width) {
	case 1:
		*(u8 *)var = (u8)v;
		break;
	case 2:
		*(u16 *)var = (u16)v;
		break;
	case 4:
		*(u32 *)var = (u32)v;
		break;
	default:
		*(u64 *)var = v;
		break;
	}
}

static bool opt_valid(const struct cmdline_opt *o)
{
	if (!o->var)
		return false;
	switch (o->kind) {
	case OPT_BOOL:
		return o->var_len == 0 || o->var_len == sizeof(bool);
	case OPT_UINT:
	case OPT_SIZE:
		return o->var_len == 0 || o->var_len == 1 || o->var_len == 2 ||
		       o->var_len == 4 || o->var_len == 8;
	case OPT_STRING:
		return o->var_len >= 1;
	case OPT_ENUM:
		return o->enum_names &&
		       (o->var_len == 0 || o->var_len == sizeof(unsigned int));
	}
	return false;
}

static void set_number(struct parser *ps, const struct cmdline_opt *o,
		       struct slice name, struct slice val)
{
	bool is_size = o->kind == OPT_SIZE;
	size_t width = o->var_len ? o->var_len : 8;
	u64 v, lo = o->min, hi = o->max;
	bool overflow;
	struct msg m;
	size_t used;

	used = parse_number(val, &v, &overflow);
	if (used && is_size && used < val.n) {
		unsigned int shift = 0;

		switch (to_lower(val.p[used])) {
		case 'k':
			shift = 10;
			break;
		case 'm':
			shift = 20;
			break;
		case 'g':
			shift = 30;
			break;
		case 't':
			shift = 40;
			break;
		}
		if (shift) {
			used++;
			if (v > (UINT64_MAX >> shift))
				overflow = true;
			v <<= shift;
		}
	}

	if (!used || used != val.n) {
		msg_opt(&m, name);
		msg_puts(&m, is_size ? ": bad size " : ": bad number ");
		msg_quote(&m, val);
		if (is_size)
			msg_puts(&m, " (use e.g. 512M, 4G)");
		problem(ps, &m);
		return;
	}
	if (overflow || v > width_max(width)) {
		msg_opt(&m, name);
		msg_puts(&m, ": ");
		msg_quote(&m, val);
		msg_puts(&m, " is too large (max ");
		if (is_size)
			msg_size(&m, width_max(width));
		else
			msg_u64(&m, width_max(width));
		msg_putc(&m, ')');
		problem(ps, &m);
		return;
	}

	if (!lo && !hi)
		hi = UINT64_MAX;
	hi = MIN(hi, width_max(width));
	if (v < lo || v > hi) {
		void (*fmt)(struct msg *, u64) = is_size ? msg_size : msg_u64;

		msg_opt(&m, name);
		msg_puts(&m, ": ");
		fmt(&m, v);
		msg_puts(&m, " out of range ");
		fmt(&m, lo);
		msg_puts(&m, "..");
		fmt(&m, hi);
		problem(ps, &m);
		return;
	}
	store_uint(o->var, width, v);
}

static void set_string(struct parser *ps, const struct cmdline_opt *o,
		       struct slice name, struct slice val)
{
	size_t n = MIN(val.n, o->var_len - 1);
	char *dst = o->var;
	struct msg m;

	__builtin_memcpy(dst, val.p, n);
	dst[n] = '\0';
	if (n < val.n) {
		msg_opt(&m, name);
		msg_puts(&m, ": value ");
		msg_quote(&m, val);
		msg_puts(&m, " truncated to ");
		msg_u64(&m, n);
		msg_puts(&m, " chars");
		problem(ps, &m);
	}
}

static void set_enum(struct parser *ps, const struct cmdline_opt *o,
		     struct slice name, struct slice val)
{
	const char *const *names = o->enum_names;
	struct msg m;
	unsigned int i;

	for (i = 0; names[i]; i++) {
		if (slice_eq(val, names[i])) {
			*(unsigned int *)o->var = i;
			return;
		}
	}
	msg_opt(&m, name);
	msg_puts(&m, ": ");
	msg_quote(&m, val);
	msg_puts(&m, " is not one of ");
	for (i = 0; names[i]; i++) {
		if (i)
			msg_putc(&m, '|');
		msg_puts(&m, names[i]);
	}
	problem(ps, &m);
}

static void parse_token(struct parser *ps, struct slice tok)
{
	struct slice name = tok, val = { NULL, 0 }, base;
	const struct cmdline_opt *o;
	bool has_val = false, negated = false, b;
	struct msg m;
	size_t i;

	for (i = 0; i < tok.n; i++) {
		if (tok.p[i] == '=') {
			name.n = i;
			val.p = tok.p + i + 1;
			val.n = tok.n - i - 1;
			has_val = true;
			break;
		}
	}

	if (!name.n) {
		msg_start(&m, "empty option name in ");
		msg_quote(&m, tok);
		problem(ps, &m);
		return;
	}

	o = find_opt(ps, name);
	if (!o && name.n > 3 && name.p[0] == 'n' && name.p[1] == 'o' &&
	    name.p[2] == '-') {
		base.p = name.p + 3;
		base.n = name.n - 3;
		o = find_opt(ps, base);
		if (o && o->kind != OPT_BOOL) {
			msg_opt(&m, base);
			msg_puts(&m, " is not a boolean, so ");
			msg_quote(&m, name);
			msg_puts(&m, " is invalid");
			problem(ps, &m);
			return;
		}
		negated = o != NULL;
	}
	if (!o) {
		msg_start(&m, "unknown option ");
		msg_quote(&m, name);
		problem(ps, &m);
		return;
	}
	if (!opt_valid(o)) {
		msg_opt(&m, name);
		msg_puts(&m, ": bad option table entry");
		problem(ps, &m);
		return;
	}

	if (o->kind == OPT_BOOL) {
		if (negated && has_val) {
			msg_opt(&m, name);
			msg_puts(&m, " takes no value");
			problem(ps, &m);
		} else if (!has_val) {
			*(bool *)o->var = !negated;
		} else if (parse_bool(val, &b)) {
			*(bool *)o->var = b;
		} else {
			msg_opt(&m, name);
			msg_puts(&m, ": bad boolean ");
			msg_quote(&m, val);
			msg_puts(&m, " (use 1/0, yes/no, on/off, true/false)");
			problem(ps, &m);
		}
		return;
	}

	if (!has_val || (!val.n && o->kind != OPT_STRING)) {
		msg_opt(&m, name);
		msg_puts(&m, " needs a value");
		problem(ps, &m);
		return;
	}

	switch (o->kind) {
	case OPT_UINT:
	case OPT_SIZE:
		set_number(ps, o, name, val);
		break;
	case OPT_STRING:
		set_string(ps, o, name, val);
		break;
	case OPT_ENUM:
		set_enum(ps, o, name, val);
		break;
	case OPT_BOOL:
		break;
	}
}

int cmdline_parse(const char *line, const struct cmdline_opt *opts, size_t nr,
		  cmdline_report_fn report, void *ctx)
{
	struct parser ps = {
		.opts = opts,
		.nr = opts ? nr : 0,
		.report = report,
		.ctx = ctx,
	};
	const char *p = line;
	struct slice tok;
	struct msg m;

	if (!line)
		return 0;

	for (;;) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		tok.p = p;
		while (*p && !is_space(*p))
			p++;
		tok.n = (size_t)(p - tok.p);

		if (tok.n == 2 && tok.p[0] == '-' && tok.p[1] == '-')
			break;
		if (tok.n > CMDLINE_MAX_TOKEN) {
			msg_opt(&m, tok);
			msg_puts(&m, " too long (");
			msg_u64(&m, tok.n);
			msg_puts(&m, " chars, max ");
			msg_u64(&m, CMDLINE_MAX_TOKEN);
			msg_putc(&m, ')');
			problem(&ps, &m);
			continue;
		}
		parse_token(&ps, tok);
	}
	return ps.problems;
}
