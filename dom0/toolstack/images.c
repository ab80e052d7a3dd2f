/*
 * The files a config names (kernel, ramdisk, the config itself), looked
 * up as a user expects: first in domain 0's RAM file store (what `xl put`
 * and the host's `xl create` sent, flat names), then in the boot bundle
 * (paths as in the archive; a leading '/' is ignored, so "/boot/x" and
 * "boot/x" are the same file). The builder wants one contiguous buffer:
 * a bundle file is one already; a stored file, kept as separate pages,
 * is gathered into a copy for the time of the build.
 */
#include "bundle.h"
#include "errno.h"
#include "files.h"
#include "kernel.h"
#include "toolstack.h"

int tk_image_get(const char *path, struct tk_image *img)
{
	const struct bundle_file *bf;
	struct file *f;

	memset(img, 0, sizeof(*img));
	while (*path == '/')
		path++;
	f = strchr(path, '/') ? NULL : file_find(path);
	if (f) {
		size_t left = f->size;

		img->len = f->size;
		img->copy_pages = f->npages ?: 1;
		img->copy = pages_alloc(img->copy_pages);
		if (!img->copy)
			return -ENOMEM;
		for (size_t i = 0; i < f->npages; i++) {
			size_t n = left < PAGE_SIZE ? left : PAGE_SIZE;

			memcpy((char *)img->copy + i * PAGE_SIZE, f->pages[i],
			       n);
			left -= n;
		}
		img->data = img->copy;
		return 0;
	}
	bf = bundle_lookup(path);
	if (!bf)
		return -ENOENT;
	img->data = bf->data;
	img->len = bf->len;
	return 0;
}

void tk_image_put(struct tk_image *img)
{
	if (img->copy)
		pages_free(img->copy, img->copy_pages);
	memset(img, 0, sizeof(*img));
}
