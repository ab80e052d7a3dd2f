/*
 * Error numbers for domain 0's code: Xen's (the Linux values), returned
 * negated like the hypervisor's. strerror() (dom0/ctl/errstr.c) names
 * them for messages a user reads.
 */
#ifndef DOM0_ERRNO_H
#define DOM0_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EIO 5
#define E2BIG 7
#define ENOEXEC 8
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENAMETOOLONG 36
#define ENOSYS 38
#define EPROTO 71
#define EOPNOTSUPP 95
#define ECONNRESET 104
#define ETIMEDOUT 110

const char *strerror(int err); /* err positive or negative */

#endif
