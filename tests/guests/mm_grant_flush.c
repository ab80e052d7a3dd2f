/*
 * Grant unmaps against stale TLB entries. The grantee D has two vCPUs:
 * vCPU 1 keeps writing a counter through its mapping of the granter G's
 * frame while vCPU 0 unmaps that mapping first in a batch of NMAP
 * unmaps. G watches its grant entry: once it shows the grant unused
 * (GTF_reading/GTF_writing clear), the frame is G's alone again, and
 * the counter must never move after that. The hypervisor has to flush
 * D's TLBs before it lets G see the grant free (vCPU 1's next write then
 * faults, and it stops). Several rounds; run with domu_vcpus=2.
 *
 * Arguments: role=1 (granter) or 2 (grantee), id=N, peer=M, rounds=R.
 * Rendezvous: G grants ref 1 (the mailbox) to D, as in mm_grant.c.
 */
#include <xen/vcpu.h>
#include "mmtest.h"

#define MAILBOX_REF 1
#define REF0 10 /* refs REF0.. all grant frame F, writable */
#define NMAP 1000 /* within the old fixed maptrack of 1024 */

struct mailbox {
	volatile uint32_t g_step, d_step;
	volatile uint64_t stale; /* counter moves G saw after the free */
};

static unsigned int me, peer, rounds;
static struct mailbox *mb;

static void wait_step(volatile uint32_t *step, uint32_t want)
{
	uint64_t deadline = pv_now() + 120000000000UL;

	while (__atomic_load_n(step, __ATOMIC_ACQUIRE) < want)
		if (pv_now() > deadline)
			pv_panic("peer never reached step %u", want);
}

static void set_step(volatile uint32_t *step, uint32_t v)
{
	__atomic_store_n(step, v, __ATOMIC_RELEASE);
}

/* --- The granter --------------------------------------------------------- */

static void granter(void)
{
	unsigned int base = mm_alloc_idx(4);
	uint64_t frames[2] = { 0 }, mbox = mm_alloc(), f = mm_alloc();
	struct gnttab_setup_table st = { DOMID_SELF, 2, 0, (uint64_t)frames };
	struct grant_entry_v1 *gt;
	volatile uint64_t *counter = (volatile uint64_t *)mm_va(base + 3);
	uint64_t stale_rounds = 0;

	/* Two table frames (1024 refs), mapped one after the other. */
	if (HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1) ||
	    st.status || mm_map(base, frames[0], PTE_PAGE_RW) ||
	    mm_map(base + 1, frames[1], PTE_PAGE_RW) ||
	    mm_map(base + 2, mbox, PTE_PAGE_RW) ||
	    mm_map(base + 3, f, PTE_PAGE_RW))
		pv_panic("granter set-up failed");
	gt = (struct grant_entry_v1 *)mm_va(base);
	mb = (struct mailbox *)mm_va(base + 2);
	memset((void *)mb, 0, 4096);
	*counter = 0;
	for (unsigned int i = 0; i < NMAP; i++) {
		gt[REF0 + i].domid = (domid_t)peer;
		gt[REF0 + i].frame = (uint32_t)f;
		__atomic_store_n(&gt[REF0 + i].flags, GTF_permit_access,
				 __ATOMIC_RELEASE);
	}
	gt[MAILBOX_REF].domid = (domid_t)peer;
	gt[MAILBOX_REF].frame = (uint32_t)mbox;
	__atomic_store_n(&gt[MAILBOX_REF].flags, GTF_permit_access,
			 __ATOMIC_RELEASE);

	pv_test_group("granter: no write after the grant shows free");
	for (unsigned int r = 0; r < rounds; r++) {
		volatile uint16_t *flags = &gt[REF0].flags;
		uint64_t c1, end;

		wait_step(&mb->d_step, 2 * r + 1); /* D is unmapping */
		while (__atomic_load_n(flags, __ATOMIC_ACQUIRE) &
		       (GTF_reading | GTF_writing))
			;
		c1 = *counter;
		end = pv_now() + 3000000; /* 3 ms: D is still in its batch */
		while (pv_now() < end)
			;
		if (*counter != c1) {
			stale_rounds++;
			mb->stale += *counter - c1;
		}
		set_step(&mb->g_step, 2 * r + 2);
	}
	printf("granter: %lu of %u rounds saw writes after the free\n",
	       stale_rounds, rounds);
	CHECK(stale_rounds == 0, "%lu writes after the grant showed free",
	      mb->stale);
	wait_step(&mb->d_step, 2 * rounds + 1);
}

/* --- The grantee ----------------------------------------------------------- */

static struct gnttab_map_grant_ref maps[NMAP];
static struct gnttab_unmap_grant_ref unmaps[NMAP];
static volatile uint64_t *target;
static volatile uint32_t go, stopped;
static volatile uint64_t writes;
static struct vcpu_guest_context ctx;
static uint8_t stack1[16384] __attribute__((aligned(16)));

/* vCPU 1: for each go, write through the mapping until it faults. */
static void __attribute__((noreturn)) writer(void)
{
	uint32_t seen = 0;

	for (;;) {
		while (__atomic_load_n(&go, __ATOMIC_ACQUIRE) == seen)
			;
		seen = go;
		while (!mm_write64(target, writes + 1))
			writes++;
		__atomic_store_n(&stopped, seen, __ATOMIC_RELEASE);
	}
}

static void start_writer(void)
{
	mm_vcpu_context(&ctx, writer, stack1, sizeof(stack1), mm.l4_mfn);
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx), 0);
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL), 0);
}

static void grantee(void)
{
	unsigned int base = mm_alloc_idx(NMAP + 1);
	uint64_t deadline = pv_now() + 120000000000UL;
	unsigned int faulted = 0;
	int16_t st = 99;

	for (;;) {
		struct gnttab_map_grant_ref m = {
			.host_addr = (uint64_t)mm_va(base + NMAP),
			.flags = GNTMAP_host_map,
			.ref = MAILBOX_REF,
			.dom = (domid_t)peer,
		};
		if (!HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1) &&
		    !(st = m.status))
			break;
		if (pv_now() > deadline)
			pv_panic("granter never granted the mailbox (%d)", st);
		mm_spin_ms(2);
	}
	mb = (struct mailbox *)mm_va(base + NMAP);
	target = (volatile uint64_t *)mm_va(base);
	start_writer();

	pv_test_group("grantee: unmap batches under a writing vCPU");
	for (unsigned int r = 0; r < rounds; r++) {
		unsigned int ok = 0;

		for (unsigned int i = 0; i < NMAP; i++)
			maps[i] = (struct gnttab_map_grant_ref){
				.host_addr = (uint64_t)mm_va(base + i),
				.flags = GNTMAP_host_map,
				.ref = REF0 + i,
				.dom = (domid_t)peer,
			};
		if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, maps,
					      NMAP))
			pv_panic("map batch failed");
		for (unsigned int i = 0; i < NMAP; i++) {
			ok += maps[i].status == GNTST_okay;
			unmaps[i] = (struct gnttab_unmap_grant_ref){
				.host_addr = (uint64_t)mm_va(base + i),
				.handle = maps[i].handle,
			};
		}
		CHECK_EQ(ok, NMAP);
		/* vCPU 1 writes through mapping 0, unmapped first. */
		writes = 0;
		__atomic_store_n(&go, r + 1, __ATOMIC_RELEASE);
		while (writes < 1000)
			;
		set_step(&mb->d_step, 2 * r + 1);
		if (HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, unmaps,
					      NMAP))
			pv_panic("unmap batch failed");
		ok = 0;
		for (unsigned int i = 0; i < NMAP; i++)
			ok += unmaps[i].status == GNTST_okay;
		CHECK_EQ(ok, NMAP);
		/* Its next write faulted: the mapping is gone. */
		deadline = pv_now() + 10000000000UL;
		while (__atomic_load_n(&stopped, __ATOMIC_ACQUIRE) != r + 1 &&
		       pv_now() < deadline)
			;
		faulted += stopped == r + 1;
		wait_step(&mb->g_step, 2 * r + 2);
	}
	CHECK_EQ(faulted, rounds);
	printf(
	    "grantee: %u rounds of %u unmaps, the writer stopped each time\n",
	    rounds, NMAP);
	set_step(&mb->d_step, 2 * rounds + 1);
}

void pv_main(void)
{
	unsigned int role = (unsigned int)mm_arg("role", 1);
	uint32_t port;

	me = (unsigned int)mm_arg("id", 1);
	peer = (unsigned int)mm_arg("peer", 2);
	rounds = (unsigned int)mm_arg("rounds", 10);
	port = mm_bind_victim(me);
	mm_init(4);
	if (role == 1)
		granter();
	else
		grantee();
	pv_test_summary();
	mm_notify(port);
}
