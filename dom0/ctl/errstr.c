/* Names for error numbers in messages a user reads. */
#include "errno.h"

const char *strerror(int err)
{
	static const struct {
		int err;
		const char *text;
	} names[] = {
		{ EPERM, "operation not permitted" },
		{ ENOENT, "no such file or domain" },
		{ EIO, "I/O error" },
		{ E2BIG, "argument list too long" },
		{ EAGAIN, "try again" },
		{ ENOMEM, "out of memory" },
		{ EACCES, "permission denied (interface version)" },
		{ EFAULT, "bad address" },
		{ EBUSY, "busy" },
		{ EEXIST, "already exists" },
		{ ENODEV, "no such device" },
		{ EINVAL, "invalid argument" },
		{ ENOSPC, "no space left in domain 0's memory" },
		{ ERANGE, "out of range" },
		{ ENAMETOOLONG, "name too long" },
		{ ENOSYS, "not implemented by this hypervisor" },
		{ EPROTO, "protocol error" },
		{ EOPNOTSUPP, "operation not supported" },
		{ ECONNRESET, "connection reset" },
		{ ETIMEDOUT, "timed out" },
	};

	if (err < 0)
		err = -err;
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].text;
	return "unknown error";
}
