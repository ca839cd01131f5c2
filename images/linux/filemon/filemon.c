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
 * disabled).  A probe formats its record, appends it to the instance's
 * queue in event order and asks for the queue to be drained from process
 * context: by the traced task itself on its way back to user space (or in
 * its exit path), through task_work, falling back to a work item.  close()
 * drains what is left before writing the footer.
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

/* FreeBSD's MAXPATHLEN: longer path arguments are an error (ENAMETOOLONG). */
#define FILEMON_PATHLEN		1024
/* FreeBSD's msgbufr: one record line is at most 1023 bytes with its '\n'. */
#define FILEMON_LINELEN		1024

struct filemon {
	refcount_t ref;
	/* Serialises log output; protects log and finished. */
	struct mutex lock;
	struct file *log;		/* our own reference to the log file */
	bool finished;			/* footer written, log released */
	const struct cred *cred;	/* tracer's credentials, taken at open */
	int error;			/* first error, returned by close() */

	/* Records waiting to be written, oldest first. */
	spinlock_t qlock;
	struct list_head queue;
	bool closed;			/* no record is queued any more */

	struct work_struct drain_work;	/* fallback drain from a worker */
	struct rcu_head rcu;
};

struct filemon_rec {
	struct list_head node;
	size_t len;
	char text[];
};

static const struct file_operations filemon_fops;

/*
 * Probe side work still to run (task_work callbacks, work items).  Module
 * exit waits for it to drop to zero before the code goes away.
 */
static atomic_t filemon_pending = ATOMIC_INIT(0);
static struct workqueue_struct *filemon_wq;

/* Live instances and queued records: checked for leaks at module exit. */
static atomic_t filemon_ninstances = ATOMIC_INIT(0);
static atomic_t filemon_nrecords = ATOMIC_INIT(0);

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
	WARN_ON_ONCE(fm->log);
	put_cred(fm->cred);
	atomic_dec(&filemon_ninstances);
	kfree_rcu(fm, rcu);
}

/* Remember the first error; close() returns it. */
static void filemon_set_error(struct filemon *fm, int error)
{
	cmpxchg(&fm->error, 0, error);
}

/* Write all of buf at the log's current offset, as write(2) would. */
static void filemon_output_now(struct filemon *fm, const char *buf,
			       size_t len)
{
	struct file *file = fm->log;
	loff_t pos;
	ssize_t n;

	while (len > 0) {
		pos = file->f_pos;
		n = kernel_write(file, buf, len, &pos);
		if (n <= 0) {
			filemon_set_error(fm, n < 0 ? (int)-n : EIO);
			return;
		}
		if (!(file->f_mode & FMODE_STREAM))
			file->f_pos = pos;
		buf += n;
		len -= n;
	}
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

	filemon_output_now(w->fm, w->buf, w->len);
}

/*
 * Write to the log.  Called with fm->lock held, in process context.
 *
 * The writer may be a task with SIGKILL pending: a thread killed by its
 * process's exit_group() draining the X record in its exit path, or a
 * killed tracer closing its descriptors.  Filesystems give up on such a
 * task's writes (-EINTR), which would lose records, so its writes are done
 * by our worker while it waits (fm->lock stays held, keeping the order).
 */
static void filemon_output(struct filemon *fm, const char *buf, size_t len)
{
	struct filemon_write_work w;

	if (!fm->log || !len)
		return;
	if (!fatal_signal_pending(current)) {
		filemon_output_now(fm, buf, len);
		return;
	}
	INIT_WORK_ONSTACK(&w.work, filemon_write_work_fn);
	w.fm = fm;
	w.buf = buf;
	w.len = len;
	queue_work(filemon_wq, &w.work);
	flush_work(&w.work);
	destroy_work_on_stack(&w.work);
}

/* Write every queued record, oldest first.  Called with fm->lock held. */
static void filemon_drain_locked(struct filemon *fm)
{
	struct filemon_rec *rec, *next;
	LIST_HEAD(batch);

	for (;;) {
		spin_lock(&fm->qlock);
		list_splice_init(&fm->queue, &batch);
		spin_unlock(&fm->qlock);
		if (list_empty(&batch))
			break;
		list_for_each_entry_safe(rec, next, &batch, node) {
			list_del(&rec->node);
			filemon_output(fm, rec->text, rec->len);
			kfree(rec);
			atomic_dec(&filemon_nrecords);
		}
	}
}

static void filemon_drain(struct filemon *fm)
{
	mutex_lock(&fm->lock);
	filemon_drain_locked(fm);
	mutex_unlock(&fm->lock);
}

struct filemon_ticket {
	struct callback_head cb;
	struct filemon *fm;
};

/* task_work: runs in the traced task, on its way back to user space. */
static void filemon_ticket_run(struct callback_head *cb)
{
	struct filemon_ticket *t = container_of(cb, struct filemon_ticket, cb);

	filemon_drain(t->fm);
	filemon_put(t->fm);
	kfree(t);
	filemon_pending_done();
}

static void filemon_drain_work(struct work_struct *work)
{
	struct filemon *fm = container_of(work, struct filemon, drain_work);

	filemon_drain(fm);
	filemon_put(fm);
	filemon_pending_done();
}

/*
 * Ask for the queue to be written from process context.  Atomic context.
 * The current task drains on its way back to user space (or in its exit
 * path); if it cannot take task work, a worker does it.
 */
static void filemon_kick(struct filemon *fm)
{
	struct filemon_ticket *t;

	atomic_inc(&filemon_pending);
	if (!(current->flags & PF_KTHREAD)) {
		t = kmalloc(sizeof(*t), GFP_ATOMIC);
		if (t) {
			init_task_work(&t->cb, filemon_ticket_run);
			t->fm = filemon_get(fm);
			if (task_work_add(current, &t->cb, TWA_RESUME) == 0)
				return;
			filemon_put(fm);
			kfree(t);
		}
	}
	filemon_get(fm);
	if (!queue_work(filemon_wq, &fm->drain_work)) {
		/* Already queued: that run will see our record. */
		filemon_put(fm);
		filemon_pending_done();
	}
}

/*
 * Queue a record (one or more complete lines).  Atomic context.  Records
 * arriving after close() are dropped, as FreeBSD drops output once its
 * log is gone.
 */
static void filemon_emit(struct filemon *fm, const char *text, size_t len)
{
	struct filemon_rec *rec;
	bool queued = false;

	rec = kmalloc(sizeof(*rec) + len, GFP_ATOMIC);
	if (!rec) {
		filemon_set_error(fm, ENOMEM);
		return;
	}
	atomic_inc(&filemon_nrecords);
	rec->len = len;
	memcpy(rec->text, text, len);

	spin_lock(&fm->qlock);
	if (!fm->closed) {
		list_add_tail(&rec->node, &fm->queue);
		queued = true;
	}
	spin_unlock(&fm->qlock);

	if (queued) {
		filemon_kick(fm);
	} else {
		kfree(rec);
		atomic_dec(&filemon_nrecords);
	}
}

/*
 * Can a tracer with credentials @tc debug a process with credentials @c?
 * The ptrace rule (ptrace_may_access() is not exported to modules): same
 * real, effective and saved ids as the tracer's uid/gid, or the tracer has
 * CAP_SYS_PTRACE.  The guest has a single user namespace.
 */
static bool filemon_may_debug(const struct cred *tc, const struct cred *c)
{
	if (uid_eq(tc->uid, c->euid) && uid_eq(tc->uid, c->suid) &&
	    uid_eq(tc->uid, c->uid) && gid_eq(tc->gid, c->egid) &&
	    gid_eq(tc->gid, c->sgid) && gid_eq(tc->gid, c->gid))
		return true;
	return cap_raised(tc->cap_effective, CAP_SYS_PTRACE);
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
		fm->finished = true;
		filemon_drain_locked(fm);
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
	refcount_set(&fm->ref, 1);
	mutex_init(&fm->lock);
	spin_lock_init(&fm->qlock);
	INIT_LIST_HEAD(&fm->queue);
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
	if (atomic_read(&filemon_ninstances) || atomic_read(&filemon_nrecords) ||
	    atomic_read(&filemon_nprocs))
		pr_warn("leak: %d instances, %d records, %d traced processes\n",
			atomic_read(&filemon_ninstances),
			atomic_read(&filemon_nrecords),
			atomic_read(&filemon_nprocs));
}

module_init(filemon_init);
module_exit(filemon_exit);

MODULE_DESCRIPTION("FreeBSD filemon(4) file access monitor");
MODULE_LICENSE("GPL");
