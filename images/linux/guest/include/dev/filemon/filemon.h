/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * <dev/filemon/filemon.h> - interface of /dev/filemon (filemon-sim).
 *
 * Same request numbers and output format version as FreeBSD's
 * sys/dev/filemon/filemon.h, so programs written for FreeBSD's filemon(4)
 * (bmake's meta mode, the manual's example) build unchanged.
 *
 * The include guard is deliberately not FILEMON_H_: bmake's own
 * filemon/filemon.h uses that one and includes this file.
 */
#ifndef _DEV_FILEMON_FILEMON_H
#define _DEV_FILEMON_FILEMON_H

#ifdef __KERNEL__
#include <linux/ioctl.h>
#include <linux/types.h>
#else
#include <sys/types.h>
#include <sys/ioctl.h>
#endif

/* Set the log file: argument is a pointer to an int file descriptor. */
#define FILEMON_SET_FD		_IOWR('S', 1, int)	/* 0xc0045301 */
/* Set the traced process: argument is a pointer to a pid_t. */
#define FILEMON_SET_PID		_IOWR('S', 2, pid_t)	/* 0xc0045302 */

/* Output format version, written in the log header. */
#define FILEMON_VERSION		5

#endif /* _DEV_FILEMON_FILEMON_H */
