/*
 * Start-of-day layout of a PV domain (see pvlayout.h). The number of boot
 * page tables depends on the region's end, which depends on that number,
 * so the computation iterates until it settles, as Xen's builder does.
 */
#include "pvlayout.h"

#define ENOMEM 12
#define EINVAL 22

#define PG 4096ULL
#define L1_SPAN (PG << 9)
#define L2_SPAN (L1_SPAN << 9)
#define L3_SPAN (L2_SPAN << 9)
#define PAD_ALIGN (4ULL << 20)
#define PAD_SLACK (512ULL << 10)

#define P_PRESENT 0x001ULL
#define P_RW 0x002ULL
#define P_USER 0x004ULL
#define P_ACCESSED 0x020ULL
#define P_DIRTY 0x040ULL
#define L1_FLAGS (P_PRESENT | P_RW | P_ACCESSED)
#define UPPER_FLAGS (P_PRESENT | P_RW | P_ACCESSED | P_DIRTY | P_USER)

static uint64_t round_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static uint64_t span_count(uint64_t start, uint64_t end, uint64_t span)
{
	if (end <= start)
		return 0;
	return ((end - 1) / span) - (start / span) + 1;
}

void pvlayout_count_tables(uint64_t start, uint64_t end, bool own_l3,
			   struct pt_count *c)
{
	c->l3 = own_l3 ? span_count(start, end, L3_SPAN) : 0;
	c->l2 = span_count(start, end, L2_SPAN);
	c->l1 = span_count(start, end, L1_SPAN);
}

static void set_err(char *err, size_t n, const char *msg, uint64_t need,
		    uint64_t have)
{
	/* "<msg>: need N KiB, have M KiB" without a printf. */
	char num[2][24];
	uint64_t v[2] = { need * 4, have * 4 };
	size_t o = 0;

	for (int k = 0; k < 2; k++) {
		char t[24];
		int i = 0;
		do {
			t[i++] = (char)('0' + v[k] % 10);
			v[k] /= 10;
		} while (v[k]);
		for (int j = 0; j < i; j++)
			num[k][j] = t[i - 1 - j];
		num[k][i] = '\0';
	}
	const char *parts[] = { msg, ": need ", num[0], " KiB, have ", num[1],
				" KiB" };
	if (!err || !n)
		return;
	for (unsigned int p = 0; p < 6; p++)
		for (const char *s = parts[p]; *s && o + 1 < n; s++)
			err[o++] = *s;
	err[o] = '\0';
}

/* Frames needed to map [start, end) including the L4. */
static uint64_t region_tables(uint64_t start, uint64_t end)
{
	struct pt_count c;

	pvlayout_count_tables(start, end, true, &c);
	return 1 + c.l3 + c.l2 + c.l1;
}

static void place_region(const struct xenelf_info *elf, uint64_t initrd_len,
			 struct pv_layout *l)
{
	uint64_t next, end;

	l->kernel_pfn = (elf->virt_kstart - l->virt_base) / PG;
	l->kernel_pages = round_up(elf->virt_kend, PG) / PG -
			  elf->virt_kstart / PG;
	next = l->kernel_pfn + l->kernel_pages;
	l->initrd_pages = round_up(initrd_len, PG) / PG;
	l->initrd_mapped = !elf->mod_start_pfn;
	if (l->initrd_mapped && l->initrd_pages) {
		l->initrd_pfn = next;
		next += l->initrd_pages;
	}
	l->p2m_pages = round_up(l->nr_pages * 8, PG) / PG;
	l->p2m_separate = elf->has_init_p2m;
	if (!l->p2m_separate) {
		l->p2m_pfn = next;
		l->p2m_va = l->virt_base + next * PG;
		next += l->p2m_pages;
	}
	l->start_info_pfn = next++;
	l->xenstore_pfn = next++;
	l->console_pfn = next++;
	l->pt_pfn = next;
	/* Tables, then one stack page, then padding: iterate to a fixpoint. */
	l->nr_pt_frames = 1;
	for (int i = 0; i < 16; i++) {
		end = round_up(l->virt_base + (next + l->nr_pt_frames + 1) * PG +
				       PAD_SLACK,
			       PAD_ALIGN);
		uint64_t n = region_tables(l->virt_base, end);
		l->v_end = end;
		if (n == l->nr_pt_frames)
			break;
		l->nr_pt_frames = n;
	}
	l->stack_pfn = next + l->nr_pt_frames;
}

static void place_after_region(const struct xenelf_info *elf,
			       struct pv_layout *l)
{
	uint64_t next = (l->v_end - l->virt_base) / PG;

	if (!l->initrd_mapped && l->initrd_pages) {
		l->initrd_pfn = next;
		next += l->initrd_pages;
	}
	if (l->p2m_separate) {
		struct pt_count c;
		uint64_t va_end;

		l->p2m_va = elf->init_p2m;
		l->p2m_pfn = next;
		next += l->p2m_pages;
		va_end = l->p2m_va + round_up(l->p2m_pages * PG, L1_SPAN);
		/* Own L3 unless the p2m shares the kernel's L4 slot. */
		pvlayout_count_tables(l->p2m_va, va_end,
				      (l->p2m_va / L3_SPAN) % 512 !=
					      (l->virt_base / L3_SPAN) % 512,
				      &c);
		l->p2m_pt_pfn = next;
		l->nr_p2m_pt_frames = c.l3 + c.l2 + c.l1;
		next += l->nr_p2m_pt_frames;
	}
	l->pages_used = next;
}

int pvlayout_compute(const struct xenelf_info *elf, uint64_t nr_pages,
		     uint64_t initrd_len, struct pv_layout *l, char *err,
		     size_t errlen)
{
	__builtin_memset(l, 0, sizeof(*l));
	if (err && errlen)
		err[0] = '\0';
	if ((elf->virt_base & (PG - 1)) || elf->virt_kstart < elf->virt_base) {
		set_err(err, errlen, "unusable VIRT_BASE", 0, 0);
		return -EINVAL;
	}
	l->virt_base = elf->virt_base;
	l->nr_pages = nr_pages;
	place_region(elf, initrd_len, l);
	/* Linux maps the initial region through one L2: keep it in 1 GiB. */
	if (l->v_end - l->virt_base > L2_SPAN) {
		set_err(err, errlen, "initial mapping larger than 1 GiB",
			(l->v_end - l->virt_base) / PG, L2_SPAN / PG);
		return -EINVAL;
	}
	place_after_region(elf, l);
	if (l->pages_used > nr_pages) {
		set_err(err, errlen, "domain memory too small for its kernel",
			l->pages_used, nr_pages);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Table building. Tables are laid out highest level first: for a range,
 * its L3s (if it needs its own), then one L2 per GiB, then one L1 per
 * 2 MiB, in address order, so each table's frame follows from the
 * address it covers.
 */
struct builder {
	const struct pv_layout *l;
	const uint64_t *p2m;
	pvlayout_table_fn pt;
	void *ctx;
	uint64_t *l4;
	uint64_t l3_pfn[512]; /* per L4 slot, 0 = none yet */
};

static bool is_table_pfn(const struct pv_layout *l, uint64_t pfn)
{
	return (pfn >= l->pt_pfn && pfn < l->pt_pfn + l->nr_pt_frames) ||
	       (pfn >= l->p2m_pt_pfn &&
		pfn < l->p2m_pt_pfn + l->nr_p2m_pt_frames);
}

static uint64_t table_entry(struct builder *b, uint64_t pfn)
{
	return (b->p2m[pfn] << 12) | UPPER_FLAGS;
}

/* Map pages [first_pfn, first_pfn + n) at va; tables from table_pfn. */
static void map_range(struct builder *b, uint64_t va, uint64_t n,
		      uint64_t first_pfn, uint64_t table_pfn)
{
	uint64_t end = va + round_up(n * PG, L1_SPAN);
	struct pt_count c;
	uint64_t l2_base, l1_base;

	pvlayout_count_tables(va, end, true, &c);
	/* L3s only for L4 slots that have none yet. */
	for (uint64_t s = va / L3_SPAN; s <= (end - 1) / L3_SPAN; s++) {
		unsigned int slot = s % 512;
		if (!b->l3_pfn[slot]) {
			b->l3_pfn[slot] = table_pfn++;
			b->l4[slot] = table_entry(b, b->l3_pfn[slot]);
		}
	}
	l2_base = table_pfn;
	l1_base = l2_base + c.l2;
	for (uint64_t g = 0; g < c.l2; g++) {
		uint64_t gva = (va / L2_SPAN + g) * L2_SPAN;
		uint64_t *l3 = b->pt(b->ctx, b->l3_pfn[(gva / L3_SPAN) % 512]);
		l3[(gva / L2_SPAN) % 512] = table_entry(b, l2_base + g);
	}
	for (uint64_t m = 0; m < c.l1; m++) {
		uint64_t mva = (va / L1_SPAN + m) * L1_SPAN;
		uint64_t g = mva / L2_SPAN - va / L2_SPAN;
		uint64_t *l2 = b->pt(b->ctx, l2_base + g);
		l2[(mva / L1_SPAN) % 512] = table_entry(b, l1_base + m);
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t pva = va + i * PG, pfn = first_pfn + i;
		uint64_t m = pva / L1_SPAN - va / L1_SPAN;
		uint64_t *l1 = b->pt(b->ctx, l1_base + m);
		uint64_t flags = L1_FLAGS;
		if (is_table_pfn(b->l, pfn))
			flags &= ~P_RW;
		l1[(pva / PG) % 512] = (b->p2m[pfn] << 12) | flags;
	}
}

void pvlayout_build_tables(const struct pv_layout *l, const uint64_t *p2m,
			   pvlayout_table_fn pt, void *ctx,
			   const uint64_t *hv_l4)
{
	struct builder b;

	__builtin_memset(&b, 0, sizeof(b));
	b.l = l;
	b.p2m = p2m;
	b.pt = pt;
	b.ctx = ctx;
	b.l4 = pt(ctx, l->pt_pfn);
	for (unsigned int s = 256; s <= 271 && hv_l4; s++)
		b.l4[s] = hv_l4[s];
	map_range(&b, l->virt_base, (l->v_end - l->virt_base) / PG, 0,
		  l->pt_pfn + 1);
	if (l->p2m_separate)
		map_range(&b, l->p2m_va, l->p2m_pages, l->p2m_pfn,
			  l->p2m_pt_pfn);
}
