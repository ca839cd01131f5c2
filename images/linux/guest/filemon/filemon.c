// SPDX-License-Identifier: GPL-2.0
/*
 * filemon - FreeBSD's filemon(4) device for Linux.
 *
 * /dev/filemon: every open() is an independent monitor instance.  Two
 * ioctls (FILEMON_SET_FD, FILEMON_SET_PID from <dev/filemon/filemon.h>)
 * give it a log file and a process to trace; the traced process and its
 * descendants then have their successful file-related system calls logged
 * in FreeBSD's format version 5.  See filemon-format.md for the contract.
 *
 * This file holds the device (open/ioctl/flush/release), the per-instance
 * state and the log writing.  filemon_hooks.c holds the tracepoint probes
 * that turn kernel events into queued records; like FreeBSD's filemon.c
 * includes filemon_wrapper.c, it is compiled as part of this file.
 *
 * Records are never written from a probe (probes run with preemption
 * disabled, so they can neither sleep nor fault in a user page).  A probe
 * only notes what happened and asks the traced task to finish the record
 * in its own context, with page faults allowed, on its way back to user
 * space (task_work):
 *  - a system call's record keeps the call's number and arguments in the
 *    task's slot; the task copies the paths (faulting them back in, as
 *    FreeBSD's copyinstr does) and writes the whole record;
 *  - F, E and X are formatted by the probe into the instance's ring, a
 *    buffer allocated once per instance, and written by the same task
 *    work (or, for a task that cannot take task work, a work item).
 * Nothing is allocated per record.  close() writes what is left before
 * the footer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/task_work.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include <dev/filemon/filemon.h>

/*
 * The longest record line: a letter, a pid and two quoted paths of up to
 * PATH_MAX bytes.  Lines are never cut, as FreeBSD's record buffer holds
 * two full paths.
 */
#define FILEMON_LINE_MAX	(2 * PATH_MAX + 64)
/* F, E and X records waiting to be written (an E holds one path). */
#define FILEMON_RING_SIZE	(32 * 1024)

struct filemon {
	refcount_t ref;
	/* Serialises log output; protects log, finished and the buffers. */
	struct mutex lock;
	struct file *log;		/* our own reference to the log file */
	bool finished;			/* footer written, log released */
	const struct cred *cred;	/* tracer's credentials, taken at open */
	int error;			/* first error, returned by close() */

	/* F, E and X records, oldest first: ring[head..tail) modulo size. */
	spinlock_t qlock;
	char *ring;
	unsigned int head, tail;	/* free-running byte counters */
	bool closed;			/* no record is taken any more */

	/* System call records are built here, under lock. */
	char *path1, *path2, *dir;	/* PATH_MAX each */
	char *out;			/* FILEMON_LINE_MAX */
	size_t outlen;

	struct work_struct drain_work;	/* drain from a worker */
	struct rcu_head rcu;
};

static const struct file_operations filemon_fops;

/*
 * Probe side work still to run (task_work callbacks, work items).  Module
 * exit waits for it to drop to zero before the code goes away.
 */
static atomic_t filemon_pending = ATOMIC_INIT(0);
static struct workqueue_struct *filemon_wq;

/* Live instances: checked for leaks at module exit. */
static atomic_t filemon_ninstances = ATOMIC_INIT(0);

static void filemon_pending_done(void)
{
	if (atomic_dec_and_test(&filemon_pending))
		wake_up_var(&filemon_pending);
}

static struct filemon *filemon_get(struct filemon *fm)
{
	refcount_inc(&fm->ref);
	return fm;
}

/* May run in atomic context: nothing here sleeps. */
static void filemon_put(struct filemon *fm)
{
	if (!refcount_dec_and_test(&fm->ref))
		return;
	WARN_ON_ONCE(fm->log || fm->ring);
	put_cred(fm->cred);
	atomic_dec(&filemon_ninstances);
	kfree_rcu(fm, rcu);
}

/* Remember the first error; close() returns it. */
static void filemon_set_error(struct filemon *fm, int error)
{
	cmpxchg(&fm->error, 0, error);
}

/*
 * Write all of buf at the log's current offset, as write(2) would.
 * Returns how much was written.  When @may_defer and the write fails
 * because the writer is being killed, it stops there and the caller
 * hands the rest to the worker; any other failure is the log's error.
 */
static size_t filemon_output_now(struct filemon *fm, const char *buf,
				 size_t len, bool may_defer)
{
	struct file *file = fm->log;
	size_t done = 0;
	loff_t pos;
	ssize_t n;

	while (done < len) {
		pos = file->f_pos;
		n = kernel_write(file, buf + done, len - done, &pos);
		if (n <= 0) {
			if (may_defer && fatal_signal_pending(current))
				return done;
			filemon_set_error(fm, n < 0 ? (int)-n : EIO);
			return len;
		}
		if (!(file->f_mode & FMODE_STREAM))
			file->f_pos = pos;
		done += n;
	}
	return done;
}

struct filemon_write_work {
	struct work_struct work;
	struct filemon *fm;
	const char *buf;
	size_t len;
};

static void filemon_write_work_fn(struct work_struct *work)
{
	struct filemon_write_work *w =
		container_of(work, struct filemon_write_work, work);

	filemon_output_now(w->fm, w->buf, w->len, false);
}

/*
 * Write to the log.  Called with fm->lock held, in process context.
 *
 * The writer may be a task that is being killed: a thread zapped by its
 * process's exit_group(), a process killed with SIGKILL or by the OOM
 * killer, a killed tracer closing its descriptors.  Filesystems give up
 * on such a task's writes (-EINTR), whether the signal came before the
 * write or during it, which would lose records.  So whatever such a task
 * could not write is written by our worker while it waits (fm->lock stays
 * held, keeping the order).
 */
static void filemon_output(struct filemon *fm, const char *buf, size_t len)
{
	struct filemon_write_work w;
	size_t done;

	if (!fm->log || !len)
		return;
	done = filemon_output_now(fm, buf, len, true);
	if (done == len)
		return;
	INIT_WORK_ONSTACK(&w.work, filemon_write_work_fn);
	w.fm = fm;
	w.buf = buf + done;
	w.len = len - done;
	queue_work(filemon_wq, &w.work);
	flush_work(&w.work);
	destroy_work_on_stack(&w.work);
}

/* Write every F, E and X record in the ring.  Called with fm->lock held. */
static void filemon_drain_locked(struct filemon *fm)
{
	unsigned int head, tail, off, n;

	if (fm->finished)
		return;
	for (;;) {
		spin_lock(&fm->qlock);
		head = fm->head;
		tail = fm->tail;
		spin_unlock(&fm->qlock);
		if (head == tail)
			break;
		/* Only the lock holder moves head: [head, tail) stays put. */
		off = head % FILEMON_RING_SIZE;
		n = min(tail - head, FILEMON_RING_SIZE - off);
		filemon_output(fm, fm->ring + off, n);
		spin_lock(&fm->qlock);
		fm->head += n;
		spin_unlock(&fm->qlock);
	}
}

static void filemon_drain_work(struct work_struct *work)
{
	struct filemon *fm = container_of(work, struct filemon, drain_work);

	mutex_lock(&fm->lock);
	filemon_drain_locked(fm);
	mutex_unlock(&fm->lock);
	filemon_put(fm);
	filemon_pending_done();
}

/* Have a worker drain the ring.  Any context. */
static void filemon_drain_later(struct filemon *fm)
{
	atomic_inc(&filemon_pending);
	filemon_get(fm);
	if (!queue_work(filemon_wq, &fm->drain_work)) {
		/* Already queued: that run will see our record. */
		filemon_put(fm);
		filemon_pending_done();
	}
}

/*
 * Put an F, E or X record in the ring.  Atomic context.  Records arriving
 * after close() are dropped, as FreeBSD drops output once its log is
 * gone.  The ring is drained by the task that made the record before it
 * runs any more user code, so it only fills if the log cannot be written
 * for a long time; the record is then lost and close() says ENOBUFS.
 */
static void filemon_ring_put(struct filemon *fm, const char *text,
			     unsigned int len)
{
	unsigned int off, n;
	bool full = false;

	spin_lock(&fm->qlock);
	if (fm->closed) {
		spin_unlock(&fm->qlock);
		return;
	}
	if (FILEMON_RING_SIZE - (fm->tail - fm->head) < len) {
		full = true;
	} else {
		off = fm->tail % FILEMON_RING_SIZE;
		n = min(len, FILEMON_RING_SIZE - off);
		memcpy(fm->ring + off, text, n);
		memcpy(fm->ring, text + n, len - n);
		fm->tail += len;
	}
	spin_unlock(&fm->qlock);
	if (full) {
		filemon_set_error(fm, ENOBUFS);
		pr_warn_ratelimited("record lost: the log is not being written\n");
	}
}

/*
 * Records are formatted by hand, not with vsnprintf: they are a letter,
 * decimal numbers and strings, and the kernel's vsnprintf, which decodes
 * its format at every call, cost as many instructions per record as
 * writing the record to the log (measured in docs/design/freebsd-11-behaviours.md).
 */
static char *filemon_put_int(char *p, int v)
{
	char digits[10];
	unsigned int u = v < 0 ? -(unsigned int)v : v;
	int n = 0;

	do {
		digits[n++] = '0' + u % 10;
		u /= 10;
	} while (u);
	if (v < 0)
		*p++ = '-';
	while (n)
		*p++ = digits[--n];
	return p;
}

/* Copy @s (without its NUL) to @p, stopping at @end. */
static char *filemon_put_str(char *p, const char *end, const char *s)
{
	while (*s && p < end)
		*p++ = *s++;
	return p;
}

/* The longest "<letter> <pid> " and "\n" around a record's strings. */
#define FILEMON_LINE_FRAME	16

/*
 * "<letter> <n1> <n2>...\n" (F and X records) into @buf, which holds
 * FILEMON_LINE_FRAME bytes per number.  Returns its length.
 */
static unsigned int filemon_fmt_ints(char *buf, char letter, int count, ...)
{
	char *p = buf;
	va_list ap;

	*p++ = letter;
	va_start(ap, count);
	while (count--) {
		*p++ = ' ';
		p = filemon_put_int(p, va_arg(ap, int));
	}
	va_end(ap);
	*p++ = '\n';
	return p - buf;
}

/*
 * Append the line "<letter> <pid> <strings...>\n" to the record being
 * built (fm->out); the strings (paths, separators, quotes) end with NULL.
 * What is there is written out first if the line does not fit.  A line
 * never exceeds FILEMON_LINE_MAX: at most two paths of PATH_MAX.  Called
 * with fm->lock held.
 */
static void filemon_line(struct filemon *fm, char letter, pid_t pid, ...)
{
	size_t need = FILEMON_LINE_FRAME;
	const char *str;
	va_list ap;
	char *p;

	va_start(ap, pid);
	while ((str = va_arg(ap, const char *)))
		need += strlen(str);
	va_end(ap);
	if (fm->outlen + need > FILEMON_LINE_MAX && fm->outlen) {
		filemon_output(fm, fm->out, fm->outlen);
		fm->outlen = 0;
	}
	p = fm->out + fm->outlen;
	*p++ = letter;
	*p++ = ' ';
	p = filemon_put_int(p, pid);
	*p++ = ' ';
	va_start(ap, pid);
	while ((str = va_arg(ap, const char *)))
		p = filemon_put_str(p, fm->out + FILEMON_LINE_MAX - 1, str);
	va_end(ap);
	*p++ = '\n';
	fm->outlen = p - fm->out;
}

static void filemon_line_flush(struct filemon *fm)
{
	filemon_output(fm, fm->out, fm->outlen);
	fm->outlen = 0;
}

/* Is @gid in the effective group set of @c (its egid and groups)? */
static bool filemon_groupmember(const struct cred *c, kgid_t gid)
{
	int i;

	if (gid_eq(c->egid, gid))
		return true;
	for (i = 0; i < c->group_info->ngroups; i++)
		if (gid_eq(c->group_info->gid[i], gid))
			return true;
	return false;
}

/*
 * Can a tracer with credentials @tc debug a process with credentials @c?
 * FreeBSD's p_candebug(): the tracer's effective uid is the target's
 * real, effective and saved uid; the target's groups (real, effective,
 * saved and supplementary) are a subset of the tracer's effective group
 * set; and the target is not set-id (@setid: it changed credentials, on
 * Linux it is no longer dumpable).  A tracer with CAP_SYS_PTRACE (the
 * privilege ptrace asks for) may debug anything.  ptrace_may_access() is
 * not exported to modules; the guest has a single user namespace.
 */
static bool filemon_may_debug(const struct cred *tc, const struct cred *c,
			      bool setid)
{
	int i;

	if (cap_raised(tc->cap_effective, CAP_SYS_PTRACE))
		return true;
	if (setid)
		return false;
	if (!uid_eq(tc->euid, c->uid) || !uid_eq(tc->euid, c->euid) ||
	    !uid_eq(tc->euid, c->suid))
		return false;
	if (!filemon_groupmember(tc, c->gid) ||
	    !filemon_groupmember(tc, c->egid) ||
	    !filemon_groupmember(tc, c->sgid))
		return false;
	for (i = 0; i < c->group_info->ngroups; i++)
		if (!filemon_groupmember(tc, c->group_info->gid[i]))
			return false;
	return true;
}

#include "filemon_hooks.c"

static void filemon_write_header(struct filemon *fm)
{
	struct timespec64 now;
	char buf[128];
	int len;

	ktime_get_real_ts64(&now);
	len = scnprintf(buf, sizeof(buf),
			"# filemon version %d\n# Target pid %d\n# Start %lld.%06ld\nV %d\n",
			FILEMON_VERSION, task_tgid_vnr(current),
			(long long)now.tv_sec, now.tv_nsec / NSEC_PER_USEC,
			FILEMON_VERSION);
	filemon_output(fm, buf, len);
}

/*
 * Stop the instance: untrace every process, write what is queued, the
 * footer, and release the log.  Returns the instance's error (negative).
 * Safe to call more than once; only the first call writes.
 */
static int filemon_finish(struct filemon *fm)
{
	struct timespec64 now;
	struct file *log = NULL;
	char buf[64];
	int len, error;

	filemon_untrack(fm);
	spin_lock(&fm->qlock);
	fm->closed = true;
	spin_unlock(&fm->qlock);

	mutex_lock(&fm->lock);
	if (!fm->finished) {
		filemon_drain_locked(fm);
		fm->finished = true;
		if (fm->log) {
			ktime_get_real_ts64(&now);
			len = scnprintf(buf, sizeof(buf),
					"# Stop %lld.%06ld\n# Bye bye\n",
					(long long)now.tv_sec,
					now.tv_nsec / NSEC_PER_USEC);
			filemon_output(fm, buf, len);
		}
		log = fm->log;
		fm->log = NULL;
		/* Nothing uses the buffers once finished is set. */
		kvfree(fm->ring);
		fm->ring = NULL;
	}
	error = READ_ONCE(fm->error);
	mutex_unlock(&fm->lock);

	if (log)
		fput(log);
	return -error;
}

static int filemon_set_fd(struct filemon *fm, int fd)
{
	struct file *file;
	int error = 0;

	mutex_lock(&fm->lock);
	if (fm->log || fm->finished) {
		error = -EEXIST;
		goto out;
	}
	file = fget(fd);
	if (!file) {
		error = -EBADF;
		goto out;
	}
	if (!(file->f_mode & FMODE_WRITE)) {
		fput(file);
		error = -EBADF;
		goto out;
	}
	if (file->f_op == &filemon_fops) {
		/* A filemon logging into itself would never be released. */
		fput(file);
		error = -EINVAL;
		goto out;
	}
	fm->log = file;
	filemon_write_header(fm);
out:
	mutex_unlock(&fm->lock);
	return error;
}

static long filemon_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct filemon *fm = file->private_data;
	int fd;
	pid_t pid;

	switch (cmd) {
	case FILEMON_SET_FD:
		if (get_user(fd, (int __user *)arg))
			return -EFAULT;
		return filemon_set_fd(fm, fd);
	case FILEMON_SET_PID:
		if (get_user(pid, (pid_t __user *)arg))
			return -EFAULT;
		return filemon_set_pid(fm, pid);
	default:
		return -EINVAL;
	}
}

static int filemon_open(struct inode *inode, struct file *file)
{
	struct filemon *fm;

	fm = kzalloc(sizeof(*fm), GFP_KERNEL);
	if (!fm)
		return -ENOMEM;
	/* The ring and the record buffers: all an instance ever needs. */
	fm->ring = kvmalloc(FILEMON_RING_SIZE + 3 * PATH_MAX + FILEMON_LINE_MAX,
			    GFP_KERNEL);
	if (!fm->ring) {
		kfree(fm);
		return -ENOMEM;
	}
	fm->path1 = fm->ring + FILEMON_RING_SIZE;
	fm->path2 = fm->path1 + PATH_MAX;
	fm->dir = fm->path2 + PATH_MAX;
	fm->out = fm->dir + PATH_MAX;
	refcount_set(&fm->ref, 1);
	mutex_init(&fm->lock);
	spin_lock_init(&fm->qlock);
	INIT_WORK(&fm->drain_work, filemon_drain_work);
	fm->cred = get_current_cred();
	atomic_inc(&filemon_ninstances);
	file->private_data = fm;
	return nonseekable_open(inode, file);
}

/*
 * close(2) of a filemon descriptor.
 *
 * FreeBSD writes the footer, and returns the instance's error, from the
 * device's d_close, which devfs calls when the last reference to the open
 * file goes away; descriptors inherited through fork() or dup() share that
 * file, so closing one of several copies does nothing.  This matters for
 * bmake: its children inherit the descriptor between fork() and exec()
 * (where O_CLOEXEC closes it), and only the parent's final close() may end
 * the log.
 *
 * Linux calls ->flush on every close(2) of every copy and ->release after
 * the last reference is gone, but release cannot return an error to
 * close(2).  So flush checks whether the descriptor being closed holds the
 * last reference to the file: if so, this close is FreeBSD's last close
 * and we finish the log here, returning its error through close(2).  If
 * another reference is held only transiently (another thread inside an
 * ioctl on it), release finishes the log instead, in the same way but
 * without a caller to see the error.  A tracer that dies closes its
 * descriptors through the same flush, so its log gets a footer too.
 */
static int filemon_flush(struct file *file, fl_owner_t id)
{
	if (file_count(file) > 1)
		return 0;
	return filemon_finish(file->private_data);
}

static int filemon_release(struct inode *inode, struct file *file)
{
	struct filemon *fm = file->private_data;

	filemon_finish(fm);
	filemon_put(fm);
	return 0;
}

static const struct file_operations filemon_fops = {
	.owner		= THIS_MODULE,
	.open		= filemon_open,
	.flush		= filemon_flush,
	.release	= filemon_release,
	.unlocked_ioctl	= filemon_ioctl,
	.llseek		= no_llseek,
};

static struct miscdevice filemon_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "filemon",
	.fops	= &filemon_fops,
	.mode	= 0666,
};

static int __init filemon_init(void)
{
	int error;

	filemon_wq = alloc_workqueue("filemon", 0, 0);
	if (!filemon_wq)
		return -ENOMEM;
	error = filemon_hooks_install();
	if (error)
		goto out_wq;
	error = misc_register(&filemon_misc);
	if (error)
		goto out_hooks;
	return 0;

out_hooks:
	filemon_hooks_remove();
	filemon_hooks_free();
out_wq:
	destroy_workqueue(filemon_wq);
	return error;
}

static void __exit filemon_exit(void)
{
	/*
	 * No instance is open (each holds a module reference), so no process
	 * is traced any more.  Remove the probes, then wait for task work,
	 * work items and RCU callbacks that still point into this module.
	 */
	misc_deregister(&filemon_misc);
	filemon_hooks_remove();
	wait_var_event(&filemon_pending, !atomic_read(&filemon_pending));
	destroy_workqueue(filemon_wq);
	rcu_barrier();
	filemon_hooks_free();
	if (atomic_read(&filemon_ninstances) || atomic_read(&filemon_nprocs))
		pr_warn("leak: %d instances, %d traced processes\n",
			atomic_read(&filemon_ninstances),
			atomic_read(&filemon_nprocs));
}

module_init(filemon_init);
module_exit(filemon_exit);

MODULE_DESCRIPTION("FreeBSD filemon(4) file access monitor");
MODULE_LICENSE("GPL");
