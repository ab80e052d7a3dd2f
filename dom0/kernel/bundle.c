/* Domain 0's boot bundle: the regular files of its cpio ramdisk. */
#include "bundle.h"
#include "kernel.h"

static struct bundle_file *files;
static unsigned int nfiles, cap;

static int add_file(void *ctx, const char *name, const void *data,
		    size_t len)
{
	(void)ctx;
	if (nfiles == cap) {
		unsigned int ncap = cap ? cap * 2 : 16;
		struct bundle_file *n = realloc(files, ncap * sizeof(*n));
		if (!n)
			return -12;
		files = n;
		cap = ncap;
	}
	/* "./name" and "name" are the same file. */
	if (name[0] == '.' && name[1] == '/')
		name += 2;
	files[nfiles++] = (struct bundle_file){ name, data, len };
	return 0;
}

int bundle_init(void)
{
	int rc;

	if (!start_info->mod_len)
		return 0;
	rc = cpio_parse((const void *)start_info->mod_start,
			start_info->mod_len, add_file, NULL);
	if (rc) {
		printf("dom0: boot bundle is not a valid cpio archive (%d); "
		       "ignoring it\n", rc);
		nfiles = 0;
		return rc;
	}
	printf("dom0: boot bundle: %u file(s)\n", nfiles);
	return (int)nfiles;
}

unsigned int bundle_count(void)
{
	return nfiles;
}

const struct bundle_file *bundle_get(unsigned int i)
{
	return i < nfiles ? &files[i] : NULL;
}

const struct bundle_file *bundle_lookup(const char *name)
{
	for (unsigned int i = 0; i < nfiles; i++)
		if (!strcmp(files[i].name, name))
			return &files[i];
	return NULL;
}
