/*
 * The smallest test guest: it boots, talks to the hypervisor, checks the
 * start-of-day state the builder promised, and powers off.
 */
#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/version.h>

void pv_main(void)
{
	struct xen_feature_info fi = { 0, 0 };
	long ver = HYPERVISOR_xen_version(XENVER_version, NULL);

	printf("hello from a PV guest: Xen %ld.%ld\n", ver >> 16, ver & 0xffff);
	pv_test_group("start of day");
	CHECK(!memcmp(start_info->magic, "xen-3.0-x86_64", 15), "magic %s",
	      start_info->magic);
	CHECK(start_info->nr_pages > 0, "nr_pages %lu", start_info->nr_pages);
	CHECK_EQ(ver, (4 << 16) | 17);
	CHECK_EQ(HYPERVISOR_xen_version(XENVER_get_features, &fi), 0);
	CHECK(fi.submap & (1 << XENFEAT_mmu_pt_update_preserve_ad),
	      "features %#x", fi.submap);
	CHECK(pv_p2m[pv_va_to_pfn((void *)start_info)] ==
		      pv_virt_to_mfn(start_info),
	      "p2m");
	if (pv_use_hypercall_page) {
		pv_test_group("hypercall page");
		/* push rcx; push r11; mov $0, %eax; syscall ... */
		CHECK(hypercall_page[0] == 0x51 && hypercall_page[3] == (char)0xb8,
		      "stub 0 not written: %02x", hypercall_page[0] & 0xff);
		CHECK(hypercall_page[23 * 32 + 3] == 0x50, "iret stub");
	}
	pv_test_summary();
}
