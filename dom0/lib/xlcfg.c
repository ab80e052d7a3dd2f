/*
 * The xl.cfg parser (see xlcfg.h). Each line is lexed into key, '=' and
 * a value; a list keeps reading lines until its ']'. Every problem is
 * reported with the line it is on, and nothing is half-applied: the
 * caller's config is written only when the whole file parses.
 */
#include "xlcfg.h"
#include "xldisk.h"
#include "xlstr.h"
#include "klib.h"

#define EINVAL 22
#define MAX_MEMORY_MB (1ULL << 30) /* 1 PiB: anything beyond is a typo */
#define MAX_VCPUS 128

struct lexer {
	const char *p, *end;
	unsigned int line;
	char *err;
	size_t errlen;
};

enum vkind { V_STRING, V_INT, V_LIST };

struct value {
	enum vkind kind;
	char str[XLCFG_CMDLINE_MAX];
	uint64_t num;
	unsigned int nitems;
	char items[XLCFG_MAX_DEVS][XLCFG_PATH_MAX];
	unsigned int item_line[XLCFG_MAX_DEVS]; /* where each item is */
};

static int fail(struct lexer *lx, const char *what, const char *detail)
{
	snprintf(lx->err, lx->errlen, "line %u: %s%s%s", lx->line, what,
		 detail ? ": " : "", detail ? detail : "");
	return -EINVAL;
}

/* Skip blanks and comments; newlines too when in_list. */
static void skip_space(struct lexer *lx, int in_list)
{
	while (lx->p < lx->end) {
		char c = *lx->p;
		if (c == '#') {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			lx->p++;
		} else if (c == '\n' && in_list) {
			lx->line++;
			lx->p++;
		} else {
			return;
		}
	}
}

static int is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static int lex_string(struct lexer *lx, char *out, size_t outlen)
{
	char q = *lx->p++;
	size_t n = 0;

	while (lx->p < lx->end && *lx->p != q) {
		if (*lx->p == '\n')
			return fail(lx, "unterminated string", NULL);
		if (*lx->p == '\\' && lx->p + 1 < lx->end && lx->p[1] != '\n')
			lx->p++;
		if (n + 1 >= outlen)
			return fail(lx, "string too long", NULL);
		out[n++] = *lx->p++;
	}
	if (lx->p >= lx->end)
		return fail(lx, "unterminated string", NULL);
	lx->p++;
	out[n] = '\0';
	return 0;
}

static int lex_int(struct lexer *lx, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;

	while (lx->p < lx->end && *lx->p >= '0' && *lx->p <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return fail(lx, "number too large", NULL);
		v = v * 10 + (uint64_t)(*lx->p++ - '0');
		digits++;
	}
	if (!digits)
		return fail(lx, "expected a value", "a quoted string, a "
						  "number or a [list]");
	*out = v;
	return 0;
}

static int lex_list(struct lexer *lx, struct value *v)
{
	lx->p++; /* '[' */
	v->nitems = 0;
	for (;;) {
		skip_space(lx, 1);
		if (lx->p >= lx->end)
			return fail(lx, "unterminated list", "missing ']'");
		if (*lx->p == ']') {
			lx->p++;
			return 0;
		}
		if (*lx->p != '\'' && *lx->p != '"')
			return fail(lx, "list items must be quoted strings",
				    NULL);
		if (v->nitems == XLCFG_MAX_DEVS)
			return fail(lx, "too many list items", NULL);
		v->item_line[v->nitems] = lx->line;
		int rc = lex_string(lx, v->items[v->nitems],
				    sizeof(v->items[0]));
		if (rc)
			return rc;
		v->nitems++;
		skip_space(lx, 1);
		if (lx->p < lx->end && *lx->p == ',')
			lx->p++;
		else if (lx->p < lx->end && *lx->p != ']')
			return fail(lx, "expected ',' or ']' in list", NULL);
	}
}

static int lex_value(struct lexer *lx, struct value *v)
{
	skip_space(lx, 0);
	if (lx->p < lx->end && (*lx->p == '\'' || *lx->p == '"')) {
		v->kind = V_STRING;
		return lex_string(lx, v->str, sizeof(v->str));
	}
	if (lx->p < lx->end && *lx->p == '[') {
		v->kind = V_LIST;
		return lex_list(lx, v);
	}
	v->kind = V_INT;
	return lex_int(lx, &v->num);
}

/* After a value only blanks, a comment or ';' may follow on the line. */
static int end_of_line(struct lexer *lx)
{
	skip_space(lx, 0);
	if (lx->p < lx->end && *lx->p == ';') {
		lx->p++;
		skip_space(lx, 0);
	}
	if (lx->p < lx->end && *lx->p != '\n')
		return fail(lx, "unexpected text after the value", NULL);
	return 0;
}

static int want(struct lexer *lx, const struct value *v, enum vkind k,
		const char *key)
{
	static const char *names[] = { "a quoted string", "a number",
				       "a [list]" };
	char d[80];

	if (v->kind == k)
		return 0;
	snprintf(d, sizeof(d), "%s must be %s", key, names[k]);
	return fail(lx, "wrong type", d);
}

static int parse_action(struct lexer *lx, const struct value *v,
			const char *key, enum xl_action *out)
{
	int rc = want(lx, v, V_STRING, key);

	if (rc)
		return rc;
	for (int a = XL_ACTION_DESTROY; a <= XL_ACTION_PRESERVE; a++)
		if (!strcmp(v->str, xl_action_name((enum xl_action)a))) {
			*out = (enum xl_action)a;
			return 0;
		}
	return fail(lx, "unknown action",
		    "use destroy, restart or preserve");
}

static int copy_str(struct lexer *lx, const struct value *v, const char *key,
		    char *out, size_t outlen)
{
	int rc = want(lx, v, V_STRING, key);

	if (rc)
		return rc;
	if (strlen(v->str) >= outlen)
		return fail(lx, "value too long", key);
	xl_str_copy(out, v->str, outlen);
	return 0;
}

/* Each item a network interface (xlvif.c), devid its index as in xl. */
static int parse_vifs(struct lexer *lx, const struct value *v,
		      struct xl_config *c)
{
	char why[160];
	int rc = want(lx, v, V_LIST, "vif");

	if (rc)
		return rc;
	for (unsigned int i = 0; i < v->nitems; i++) {
		if (xlvif_parse(v->items[i], &c->vif[i], why, sizeof(why))) {
			snprintf(lx->err, lx->errlen, "line %u: %s",
				 v->item_line[i], why);
			return -EINVAL;
		}
		xl_str_copy(c->vifs[i], v->items[i], XLCFG_PATH_MAX);
	}
	c->nvifs = v->nitems;
	return 0;
}

/* Each item a disk (xldisk.c); an error names the item's own line. */
static int parse_disks(struct lexer *lx, const struct value *v,
		       struct xl_config *c)
{
	char why[160];
	int rc = want(lx, v, V_LIST, "disk");

	if (rc)
		return rc;
	for (unsigned int i = 0; i < v->nitems; i++) {
		if (xldisk_parse(v->items[i], &c->disk[i], why, sizeof(why))) {
			snprintf(lx->err, lx->errlen, "line %u: %s",
				 v->item_line[i], why);
			return -EINVAL;
		}
		for (unsigned int j = 0; j < i; j++)
			if (c->disk[j].devid == c->disk[i].devid) {
				snprintf(lx->err, lx->errlen,
					 "line %u: disk: vdev %s is given "
					 "twice",
					 v->item_line[i], c->disk[i].vdev);
				return -EINVAL;
			}
		xl_str_copy(c->disks[i], v->items[i], XLCFG_PATH_MAX);
	}
	c->ndisks = v->nitems;
	return 0;
}

/* cpu_weight 1..65535 and cap 0..65534 (% of a CPU), as Xen's fields. */
static int parse_sched(struct lexer *lx, const struct value *v,
		       const char *key, struct xl_config *c)
{
	int rc = want(lx, v, V_INT, key);

	if (rc)
		return rc;
	if (key[1] == 'p') { /* cpu_weight */
		if (!v->num || v->num > 65535)
			return fail(lx, "cpu_weight out of range", "1 to 65535");
		c->cpu_weight = (unsigned int)v->num;
	} else {
		if (v->num > 65534)
			return fail(lx, "cap out of range",
				    "0 to 65534 (% of one CPU; 0: none)");
		c->cap = (unsigned int)v->num;
	}
	return 0;
}

struct extras {
	char root[XLCFG_PATH_MAX], extra[XLCFG_CMDLINE_MAX];
	int has_cmdline, has_maxmem, has_maxvcpus;
};

static int apply(struct lexer *lx, const char *key, const struct value *v,
		 struct xl_config *c, struct extras *x)
{
	int rc;

	if (!strcmp(key, "name")) {
		if ((rc = copy_str(lx, v, key, c->name, sizeof(c->name))))
			return rc;
		return c->name[0] ? 0 : fail(lx, "name is empty", NULL);
	}
	if (!strcmp(key, "memory") || !strcmp(key, "maxmem")) {
		if ((rc = want(lx, v, V_INT, key)))
			return rc;
		if (!v->num || v->num > MAX_MEMORY_MB)
			return fail(lx, "memory out of range", key);
		if (key[0] == 'm' && key[1] == 'a') {
			c->maxmem_mb = v->num;
			x->has_maxmem = 1;
		} else {
			c->memory_mb = v->num;
		}
		return 0;
	}
	if (!strcmp(key, "vcpus") || !strcmp(key, "maxvcpus")) {
		if ((rc = want(lx, v, V_INT, key)))
			return rc;
		if (!v->num || v->num > MAX_VCPUS)
			return fail(lx, "vcpus out of range", "1 to 128");
		if (key[0] == 'm') {
			c->maxvcpus = (unsigned int)v->num;
			x->has_maxvcpus = 1;
		} else {
			c->vcpus = (unsigned int)v->num;
		}
		return 0;
	}
	if (!strcmp(key, "cpu_weight") || !strcmp(key, "cap"))
		return parse_sched(lx, v, key, c);
	if (!strcmp(key, "kernel"))
		return copy_str(lx, v, key, c->kernel, sizeof(c->kernel));
	if (!strcmp(key, "ramdisk"))
		return copy_str(lx, v, key, c->ramdisk, sizeof(c->ramdisk));
	if (!strcmp(key, "cmdline")) {
		x->has_cmdline = 1;
		return copy_str(lx, v, key, c->cmdline, sizeof(c->cmdline));
	}
	if (!strcmp(key, "root"))
		return copy_str(lx, v, key, x->root, sizeof(x->root));
	if (!strcmp(key, "extra"))
		return copy_str(lx, v, key, x->extra, sizeof(x->extra));
	if (!strcmp(key, "on_poweroff"))
		return parse_action(lx, v, key, &c->on_poweroff);
	if (!strcmp(key, "on_reboot"))
		return parse_action(lx, v, key, &c->on_reboot);
	if (!strcmp(key, "on_crash"))
		return parse_action(lx, v, key, &c->on_crash);
	if (!strcmp(key, "disk"))
		return parse_disks(lx, v, c);
	if (!strcmp(key, "vif"))
		return parse_vifs(lx, v, c);
	/* xl's own keys that need nothing from a PV domain here. */
	if (!strcmp(key, "type") && v->kind == V_STRING &&
	    strcmp(v->str, "pv"))
		return fail(lx, "only type = \"pv\" is supported", v->str);
	if (!strcmp(key, "builder") && v->kind == V_STRING &&
	    strcmp(v->str, "generic"))
		return fail(lx, "only builder = \"generic\" (PV) is supported",
			    v->str);
	if (!strcmp(key, "type") || !strcmp(key, "uuid") ||
	    !strcmp(key, "builder"))
		return 0;
	/*
	 * Unlike xl, which ignores what it does not know, refuse: a setting
	 * that would silently do nothing here is a surprise later.
	 */
	return fail(lx, "unsupported setting (Xenolith does not implement it)",
		    key);
}

/* xl's rule: cmdline wins; otherwise "root=<root> <extra>". */
static int compose_cmdline(struct xl_config *c, const struct extras *x)
{
	size_t room = sizeof(c->cmdline);

	if (x->has_cmdline)
		return 0;
	c->cmdline[0] = '\0';
	if (x->root[0]) {
		xl_str_copy(c->cmdline, "root=", room);
		xl_str_copy(c->cmdline + 5, x->root, room - 5);
		if (x->extra[0])
			xl_str_copy(c->cmdline + strlen(c->cmdline), " ",
				room - strlen(c->cmdline));
	}
	if (strlen(c->cmdline) + strlen(x->extra) >= room)
		return -EINVAL;
	xl_str_copy(c->cmdline + strlen(c->cmdline), x->extra,
		room - strlen(c->cmdline));
	return 0;
}

static void set_defaults(struct xl_config *c)
{
	memset(c, 0, sizeof(*c));
	c->memory_mb = 128;
	c->vcpus = 1;
	c->on_poweroff = XL_ACTION_DESTROY;
	c->on_reboot = XL_ACTION_RESTART;
	c->on_crash = XL_ACTION_DESTROY;
}

static int parse_line(struct lexer *lx, struct xl_config *c,
		      struct extras *x, struct value *v)
{
	char key[32];
	size_t n = 0;
	int rc;

	while (lx->p < lx->end && is_key_char(*lx->p)) {
		if (n + 1 >= sizeof(key))
			return fail(lx, "setting name too long", NULL);
		key[n++] = *lx->p++;
	}
	key[n] = '\0';
	if (!n)
		return fail(lx, "expected a setting name", NULL);
	skip_space(lx, 0);
	if (lx->p >= lx->end || *lx->p != '=')
		return fail(lx, "expected '=' after", key);
	lx->p++;
	if ((rc = lex_value(lx, v)) || (rc = apply(lx, key, v, c, x)))
		return rc;
	return end_of_line(lx);
}

int xlcfg_parse(const char *text, size_t len, struct xl_config *cfg,
		char *err, size_t errlen)
{
	static struct xl_config c; /* big: kept off small kernel stacks */
	static struct extras x;
	static struct value v;
	struct lexer lx = { text, text + len, 1, err, errlen };
	int rc;

	set_defaults(&c);
	memset(&x, 0, sizeof(x));
	for (;;) {
		skip_space(&lx, 0);
		if (lx.p >= lx.end)
			break;
		if (*lx.p == '\n') {
			lx.p++;
			lx.line++;
			continue;
		}
		if (!*lx.p)
			return fail(&lx, "NUL byte in the file", NULL);
		if ((rc = parse_line(&lx, &c, &x, &v)))
			return rc;
	}
	if (!c.name[0] || !c.kernel[0] ||
	    (x.has_maxmem && c.maxmem_mb < c.memory_mb) ||
	    (x.has_maxvcpus && c.maxvcpus < c.vcpus)) {
		snprintf(err, errlen, "%s",
			 !c.name[0]   ? "no name = \"...\" setting" :
			 !c.kernel[0] ? "no kernel = \"...\" setting" :
			 c.maxvcpus < c.vcpus && x.has_maxvcpus ?
					"maxvcpus is below vcpus" :
					"maxmem is below memory");
		return -EINVAL;
	}
	if (!x.has_maxmem)
		c.maxmem_mb = c.memory_mb;
	if (!x.has_maxvcpus)
		c.maxvcpus = c.vcpus;
	if (compose_cmdline(&c, &x)) {
		snprintf(err, errlen, "root and extra make too long a cmdline");
		return -EINVAL;
	}
	*cfg = c;
	return 0;
}

const char *xl_action_name(enum xl_action a)
{
	static const char *names[] = { "destroy", "restart", "preserve" };

	return a <= XL_ACTION_PRESERVE ? names[a] : "?";
}
