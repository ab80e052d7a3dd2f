/*
 * Device memory the privileged domain may map (a frame that is not RAM:
 * PCI BARs below 4 GiB or above, firmware areas): any such frame within
 * the CPU's physical address width, except the interrupt controllers and
 * whatever the hypervisor maps for itself. The local APIC's page stands
 * for the whole 0xFEE00000 interrupt-message range (no device lives
 * there); the IO-APICs' pages come from the MADT, and the hypervisor's
 * own MMIO is recorded by ioremap() as it is mapped.
 */
#include "acpi.h"
#include "lib.h"
#include "mm.h"
#include "spinlock.h"
#include "x86.h"

#define MAX_HV_MMIO 16
#define MSI_RANGE_START (0xfee00000UL >> PAGE_SHIFT)
#define MSI_RANGE_END (0xfef00000UL >> PAGE_SHIFT)

static struct {
	mfn_t start, end; /* [start, end) */
} hv_mmio[MAX_HV_MMIO];
static unsigned int nr_hv_mmio;
static DEFINE_SPINLOCK(iomem_lock);

/* ioremap(): the hypervisor now maps [pa, pa + size) for itself. */
void iomem_reserve(paddr_t pa, u64 size)
{
	u64 flags = spin_lock_irqsave(&iomem_lock);

	if (nr_hv_mmio < MAX_HV_MMIO) {
		hv_mmio[nr_hv_mmio].start = pa >> PAGE_SHIFT;
		hv_mmio[nr_hv_mmio].end =
		    (pa + size + PAGE_SIZE - 1) >> PAGE_SHIFT;
		nr_hv_mmio++;
	} else {
		panic("iomem: more than %u MMIO ranges of the hypervisor",
		      MAX_HV_MMIO);
	}
	spin_unlock_irqrestore(&iomem_lock, flags);
}

static bool beyond_phys_width(mfn_t mfn)
{
	static unsigned int bits;
	u32 a, b, c, d;

	if (!bits) {
		cpuid(0x80000000, &a, &b, &c, &d);
		bits = 36;
		if (a >= 0x80000008) {
			cpuid(0x80000008, &a, &b, &c, &d);
			bits = a & 0xff;
		}
	}
	return mfn >> (bits - PAGE_SHIFT);
}

static bool hypervisor_mmio(mfn_t mfn)
{
	bool hit = false;
	u64 flags = spin_lock_irqsave(&iomem_lock);

	for (unsigned int i = 0; i < nr_hv_mmio && !hit; i++)
		hit = mfn >= hv_mmio[i].start && mfn < hv_mmio[i].end;
	spin_unlock_irqrestore(&iomem_lock, flags);
	return hit;
}

/* Device frames domain 0 may map (the caller knows it is not RAM). */
bool mmio_allowed(mfn_t mfn)
{
	if (beyond_phys_width(mfn))
		return false;
	if (mfn >= MSI_RANGE_START && mfn < MSI_RANGE_END)
		return false;
	if (acpi.lapic_base && mfn == acpi.lapic_base >> PAGE_SHIFT)
		return false;
	for (unsigned int i = 0; i < acpi.nr_ioapics; i++)
		if (mfn == acpi.ioapic[i].addr >> PAGE_SHIFT)
			return false;
	return !hypervisor_mmio(mfn);
}
