/*
 * Expands abi_list.h into a table. Included by abi_ours.c and abi_xen.c
 * after their headers, with
 *   ABI_TABLE        the table's name (abi_ours or abi_xen)
 *   ABI_TABLE_COUNT  the name of its length
 *   ABI_SIDE_OURS    defined on our side only
 *
 * The list's macros:
 *   ABI_GROUP(title)    a heading for the report
 *   ABI_TYPE(T)         integer type: size, alignment, signedness
 *   ABI_SIZE(T)         struct, union or array type: size, alignment
 *   ABI_FIELD(T, f)     member (may be a path, a.b.c): offset, size
 *   ABI_SCALAR(T, f)    integer member: offset, size, signedness
 *   ABI_ARRAY(T, f)     integer array member: offset, size, element size
 *                       and element signedness
 *   ABI_CONST(N)        object-like macro: its value
 *   ABI_EXPR(id, expr)  any expression, evaluated at run time (for
 *                       function-like macros); id names its helper
 *   ABI_OURS_ONLY(N, why)  a macro of ours that Xen's headers do not
 *                       define; the test checks that Xen really lacks it
 */
#include <stddef.h>

#include "abi.h"

#define ABI_STR(x) #x
#define ABI_XSTR(x) ABI_STR(x)
#define ABI_MEMBER(T, f) (((T *)0)->f)
/* Is integer type t signed? (Avoids "unsigned < 0", which -Wextra flags.) */
#define ABI_SIGNED_T(t) ((t)-1 < (t)1)

/* For ABI_EXPRs that compare strings: a 64-bit FNV-1a digest of s. */
static inline unsigned long long abi_strhash(const char *s)
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

/* Pass 1: a helper function for each ABI_EXPR. */
#define ABI_GROUP(title)
#define ABI_TYPE(T)
#define ABI_SIZE(T)
#define ABI_FIELD(T, f)
#define ABI_SCALAR(T, f)
#define ABI_ARRAY(T, f)
#define ABI_CONST(N)
#define ABI_OURS_ONLY(N, why)
#define ABI_EXPR(id, expr)                                 \
	static unsigned long long abi_expr_##id(void)      \
	{                                                  \
		return (unsigned long long)(expr);         \
	}
#include "abi_list.h"
#undef ABI_GROUP
#undef ABI_TYPE
#undef ABI_SIZE
#undef ABI_FIELD
#undef ABI_SCALAR
#undef ABI_ARRAY
#undef ABI_CONST
#undef ABI_OURS_ONLY
#undef ABI_EXPR

/* Pass 2: the table. */
#define ABI_ROW(name, v) { ABI_K_VALUE, name, (unsigned long long)(v), 0, 0, 0 },
#define ABI_GROUP(title) { ABI_K_GROUP, title, 0, 0, 0, 0 },
#define ABI_SIZE(T)                              \
	ABI_ROW("sizeof(" #T ")", sizeof(T))     \
	ABI_ROW("_Alignof(" #T ")", _Alignof(T))
#define ABI_TYPE(T) ABI_SIZE(T) ABI_ROW("signed(" #T ")", ABI_SIGNED_T(T))
#define ABI_FIELD(T, f)                                        \
	ABI_ROW("offsetof(" #T ", " #f ")", offsetof(T, f))    \
	ABI_ROW("sizeof(" #T "." #f ")", sizeof(ABI_MEMBER(T, f)))
#define ABI_SCALAR(T, f) \
	ABI_FIELD(T, f)  \
	ABI_ROW("signed(" #T "." #f ")", ABI_SIGNED_T(__typeof__(ABI_MEMBER(T, f))))
#define ABI_ARRAY(T, f)                                               \
	ABI_FIELD(T, f)                                               \
	ABI_ROW("sizeof(" #T "." #f "[0])", sizeof(ABI_MEMBER(T, f)[0])) \
	ABI_ROW("signed(" #T "." #f "[0])",                           \
		ABI_SIGNED_T(__typeof__(ABI_MEMBER(T, f)[0])))
#define ABI_CONST(N) ABI_ROW(#N, N)
#define ABI_EXPR(id, expr) { ABI_K_EXPR, #expr, 0, abi_expr_##id, 0, 0 },
#ifdef ABI_SIDE_OURS
#define ABI_OURS_ONLY(N, why) \
	{ ABI_K_OURS_ONLY, #N, (unsigned long long)(N), 0, ABI_XSTR(N), why },
#else
#define ABI_OURS_ONLY(N, why) { ABI_K_OURS_ONLY, #N, 0, 0, ABI_XSTR(N), why },
#endif

const struct abi_entry ABI_TABLE[] = {
#include "abi_list.h"
};
const unsigned int ABI_TABLE_COUNT = sizeof(ABI_TABLE) / sizeof(ABI_TABLE[0]);
