/* `put`, `ls` and `rm`: the RAM file store from the command line. */
#include "errno.h"
#include "kernel.h"
#include "ctl.h"
#include "files.h"

/* Fill f from the request's data, a page at a time. */
static int receive(struct ctl_io *io, struct file *f)
{
	uint64_t left = f->size;

	for (size_t i = 0; i < f->npages; i++) {
		size_t want = left < PAGE_SIZE ? left : PAGE_SIZE, got = 0;
		while (got < want) {
			long n =
			    io->read_data(io, f->pages[i] + got, want - got);
			if (n < 0)
				return (int)n;
			if (n == 0)
				return -EIO; /* less than announced */
			got += (size_t)n;
		}
		left -= want;
	}
	return 0;
}

int xl_put(struct ctl_io *io, int argc, char **argv)
{
	uint64_t t0 = pv_now(), ns, kib;
	struct file *f;
	int err = 0;

	if (argc != 2) {
		io_errorf(
		    io, "usage: put NAME (the data comes with the request)\n");
		return CTL_STATUS_USAGE;
	}
	if (!io->read_data) {
		io_errorf(io,
			  "put: only the host's xl client can send a file\n");
		return 1;
	}
	f = file_new(argv[1], io->data_len, &err);
	if (!f) {
		if (err == -ENOSPC)
			io_errorf(io,
				  "put: %s: %lu bytes do not fit: %lu bytes "
				  "free in domain 0 (raise dom0_mem=)\n",
				  argv[1], io->data_len, files_room());
		else
			io_errorf(io, "put: %s: %s\n", argv[1], strerror(err));
		return 1;
	}
	err = receive(io, f);
	if (err) {
		file_discard(f);
		io_errorf(io, "put: %s: transfer failed: %s\n", argv[1],
			  strerror(err));
		return 1;
	}
	file_commit(f);
	ns = pv_now() - t0;
	kib = ns ? f->size * 1000000000UL / 1024 / ns : 0;
	io_printf(io, "put %s: %lu bytes in %lu.%03lu s (%lu KiB/s)\n", f->name,
		  f->size, (unsigned long)(ns / SEC),
		  (unsigned long)(ns / MS % 1000), kib);
	return 0;
}

int xl_ls(struct ctl_io *io, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (struct file *f = file_first(); f; f = f->next)
		io_printf(io, "%-32s %12lu  crc32 %08x\n", f->name, f->size,
			  file_crc32(f));
	io_printf(io, "%lu bytes free for files\n", files_room());
	return 0;
}

int xl_rm(struct ctl_io *io, int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		io_errorf(io, "usage: rm NAME...\n");
		return CTL_STATUS_USAGE;
	}
	for (int i = 1; i < argc; i++)
		if (file_remove(argv[i])) {
			io_errorf(io, "rm: %s: no such file\n", argv[i]);
			status = 1;
		}
	return status;
}
