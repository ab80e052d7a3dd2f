/*
 * Serial input: characters typed on the console go to domain 0, or, after
 * Ctrl-A pressed three times in a row, to the hypervisor's keyhandler
 * (as on Xen; three more switch back). Keys: h help, q domains, r run
 * queues, m memory, d VIRQ_DEBUG to domain 0's vCPUs.
 */
#include <xen/xen.h>
#include "apic.h"
#include "acpi.h"
#include "console.h"
#include "domain.h"
#include "events.h"
#include "hypercall.h"
#include "lib.h"
#include "mm.h"
#include "percpu.h"
#include "perfc.h"
#include "time.h"
#include "spinlock.h"
#include "traps.h"

#define CTRL_A 0x01
#define VEC_SERIAL 0x40
#define COM1_IRQ 4
#define INPUT_RING 1024

static bool to_hypervisor;
static unsigned int ctrl_a_count;
static char input[INPUT_RING];
static unsigned int in_prod, in_cons;
static DEFINE_SPINLOCK(input_lock);

static void show_help(void)
{
	printk("'h' help, 'q' domains, 'r' run queues, 'm' memory, 'p' hypercall and event counts, 'd' send VIRQ_DEBUG to d0; Ctrl-A x3 back to domain 0\n");
}

static void show_domains(void)
{
	struct domain *d;
	struct vcpu *v;

	for_each_domain(d) {
		printk("d%u %s: %lu pages (max %lu)%s%s\n", d->id, d->name,
		       d->tot_pages, d->max_pages,
		       d->privileged ? " privileged" : "",
		       d->is_shutdown ? " shut down" : "");
		for_each_vcpu(d, v)
			printk("  v%u on CPU %u: %s, pause %#x, upcall %u/%u, "
			       "timer %s%ld us\n",
			       v->id, v->processor,
			       v->running ? "running" : "not running",
			       v->pause_flags, v->vcpu_info->evtchn_upcall_pending,
			       v->vcpu_info->evtchn_upcall_mask,
			       v->singleshot.pending ? "in " : "off, last ",
			       (long)(v->singleshot.expires - NOW()) / 1000);
	}
}

static void show_runqueues(void)
{
	for_each_online_cpu(pc) {
		struct list_head *pos;
		printk("CPU %u: current %s, %lu interrupts, %lu timer ticks\n",
		       pc->id, pc->curr ? pc->curr->domain->name : "idle",
		       pc->irqs, pc->ticks);
		list_for_each(pos, &pc->runq) {
			struct vcpu *v = list_entry(pos, struct vcpu, runq_link);
			printk("  queued: d%u v%u\n", v->domain->id, v->id);
		}
	}
}

void keyhandler_run(char c)
{
	struct domain *d0;
	struct vcpu *v;

	switch (c) {
	case 'q':
		show_domains();
		break;
	case 'r':
		show_runqueues();
		break;
	case 'm':
		printk("memory: %lu of %lu frames free\n", mm_free_frames(),
		       mm_total_frames());
		break;
	case 'p':
		hypercall_stats_show();
		perfc_show();
		break;
	case 'd':
		if ((d0 = domain_lookup(0)))
			for_each_vcpu(d0, v)
				send_guest_vcpu_virq(v, VIRQ_DEBUG);
		printk("VIRQ_DEBUG sent to domain 0\n");
		break;
	default:
		show_help();
	}
}

/* A character for domain 0: queue it and raise VIRQ_CONSOLE. */
static void to_dom0(char c)
{
	spin_lock(&input_lock);
	if (in_prod - in_cons < INPUT_RING)
		input[in_prod++ % INPUT_RING] = c;
	spin_unlock(&input_lock);
	send_global_virq(VIRQ_CONSOLE);
}

static void serial_char(char c)
{
	if (c == CTRL_A) {
		if (++ctrl_a_count == 3) {
			ctrl_a_count = 0;
			to_hypervisor = !to_hypervisor;
			printk("*** Serial input to %s (type Ctrl-A three times to switch)\n",
			       to_hypervisor ? "Xenolith" : "DOM0");
			if (to_hypervisor)
				show_help();
		}
		return;
	}
	for (; ctrl_a_count; ctrl_a_count--)
		if (!to_hypervisor)
			to_dom0(CTRL_A);
	if (to_hypervisor)
		keyhandler_run(c);
	else
		to_dom0(c);
}

static void serial_interrupt(struct cpu_user_regs *regs)
{
	int c;

	(void)regs;
	while ((c = serial_getc()) >= 0)
		serial_char((char)c);
	apic_eoi();
}

/* console_io read for domain 0: what has been typed for it. */
unsigned int console_take_input(char *buf, unsigned int max)
{
	unsigned int n = 0;
	u64 f = spin_lock_irqsave(&input_lock);

	while (n < max && in_cons != in_prod)
		buf[n++] = input[in_cons++ % INPUT_RING];
	spin_unlock_irqrestore(&input_lock, f);
	return n;
}

/* COM1's IRQ, through the ISA override if the MADT has one. */
void keyhandler_init(void)
{
	u32 gsi = COM1_IRQ;
	bool low = false, level = false;

	if (!serial_present())
		return;
	for (unsigned int i = 0; i < acpi.nr_overrides; i++)
		if (acpi.override[i].irq == COM1_IRQ) {
			gsi = acpi.override[i].gsi;
			low = (acpi.override[i].flags & 3) == 3;
			level = ((acpi.override[i].flags >> 2) & 3) == 3;
		}
	set_vector_handler(VEC_SERIAL, serial_interrupt);
	if (ioapic_route(gsi, VEC_SERIAL, percpu[0].apic_id, level, low) ||
	    ioapic_mask(gsi, false)) {
		pr_warn("serial: no interrupt for COM1: input disabled\n");
		return;
	}
	serial_enable_rx_interrupt();
}
