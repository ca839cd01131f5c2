// SPDX-License-Identifier: GPL-2.0
/*
 * filemon - event hooks: tracepoint probes that turn a traced process's
 * system calls, forks, execs and exits into log records.
 *
 * Compiled as part of filemon.c (see there), which provides struct filemon,
 * the ring, the log writing and the helpers used here.
 *
 * Mechanism: the kernel's own tracepoints, found by name with
 * for_each_kernel_tracepoint(); no syscall table is touched.
 *  - sys_exit: the syscall's return value is known, so only successful
 *    calls are logged, as FreeBSD logs after the real syscall returned 0.
 *    The probe keeps the call's number and arguments in the task's slot;
 *    the task itself reads the paths in its task_work, where page faults
 *    are allowed (a path whose page was reclaimed or unmapped while the
 *    call slept is faulted back in, as FreeBSD's copyinstr does).
 *  - sys_enter: only exit and exit_group, for the whole int given to
 *    _exit(), which the kernel keeps only the low byte of.
 *  - sched_process_fork: F records and inheritance of tracing (fork, vfork,
 *    clone and clone3 alike; CLONE_THREAD creates no process).
 *  - sched_process_exec: E records (FreeBSD's imgp->execpath) and the
 *    set-id check.
 *  - sched_process_exit: X record when the last thread of a process exits.
 *
 * Traced processes are kept in a hash table keyed by their signal_struct,
 * which all threads of a process share and which outlives the process's
 * last exit event, so a thread's events are its process's events.  Each
 * thread of a traced process has a slot (keyed by its task) holding its
 * task_work and the call it has to log; a slot is made for a new task by
 * the fork probe from a spare its parent allocated earlier in process
 * context, so records never wait for an atomic allocation.
 */

#include <linux/compat.h>
#include <linux/dcache.h>
#include <linux/fcntl.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

struct filemon_proc {
	struct hlist_node node;
	struct signal_struct *sig;	/* key: the traced process */
	struct filemon *fm;		/* holds a reference */
	int exit_value;			/* the int given to _exit() */
	bool exit_value_set;
	struct rcu_head rcu;
};

/* A system call to log, as seen at its exit. */
struct filemon_call {
	long nr;			/* -1: none */
	unsigned long args[6];
};

/* A thread of a traced process.  Only its own task changes it. */
struct filemon_task {
	struct hlist_node node;
	struct task_struct *task;	/* key */
	struct callback_head cb;
	bool queued;			/* cb is queued on the task */
	bool dead;			/* the task has exited: cb frees us */
	struct filemon *fm;		/* drain this instance (a reference) */
	struct filemon_call call;
	/* For the next child: its slot and, for a process, its entry. */
	struct filemon_task *spare;
	struct filemon_proc *spare_proc;
	struct rcu_head rcu;
};

#define FILEMON_HASH_BITS	8
static DEFINE_HASHTABLE(filemon_procs, FILEMON_HASH_BITS);
static DEFINE_HASHTABLE(filemon_tasks, FILEMON_HASH_BITS);
/* Protects changes to both tables; lookups in probes use RCU. */
static DEFINE_SPINLOCK(filemon_procs_lock);
/* Number of traced processes: lets untraced work skip the lookup. */
static atomic_t filemon_nprocs = ATOMIC_INIT(0);
/* Number of slots: lets untraced exits skip the lookup. */
static atomic_t filemon_ntasks = ATOMIC_INIT(0);

/* Per-CPU scratch space for the exec probe (preemption is disabled). */
struct filemon_scratch {
	char dir[PATH_MAX];
	char out[PATH_MAX + 48];
};

static struct filemon_scratch __percpu *filemon_scratch;

/* Caller holds rcu_read_lock() or filemon_procs_lock. */
static struct filemon_proc *filemon_proc_find(struct signal_struct *sig)
{
	struct filemon_proc *e;

	hash_for_each_possible_rcu(filemon_procs, e, node, (unsigned long)sig)
		if (e->sig == sig)
			return e;
	return NULL;
}

/* Called with filemon_procs_lock held; the caller puts e->fm later. */
static void filemon_proc_del(struct filemon_proc *e)
{
	hash_del_rcu(&e->node);
	atomic_dec(&filemon_nprocs);
	kfree_rcu(e, rcu);
}

/* Called with filemon_procs_lock held; @e is filled but for sig and fm. */
static void filemon_proc_add(struct filemon_proc *e, struct signal_struct *sig,
			     struct filemon *fm)
{
	e->sig = sig;
	e->fm = filemon_get(fm);
	e->exit_value_set = false;
	atomic_inc(&filemon_nprocs);
	hash_add_rcu(filemon_procs, &e->node, (unsigned long)sig);
}

/* Caller holds rcu_read_lock() or filemon_procs_lock, or is @task. */
static struct filemon_task *filemon_task_find(struct task_struct *task)
{
	struct filemon_task *t;

	hash_for_each_possible_rcu(filemon_tasks, t, node, (unsigned long)task)
		if (t->task == task)
			return t;
	return NULL;
}

static void filemon_task_free(struct filemon_task *t)
{
	kfree(t->spare);
	kfree(t->spare_proc);
	atomic_dec(&filemon_ntasks);
	kfree_rcu(t, rcu);
}

static void filemon_task_run(struct callback_head *cb);

/* Called with filemon_procs_lock held: @t now belongs to @task. */
static void filemon_task_add(struct filemon_task *t, struct task_struct *task)
{
	memset(t, 0, sizeof(*t));
	t->task = task;
	t->call.nr = -1;
	init_task_work(&t->cb, filemon_task_run);
	atomic_inc(&filemon_ntasks);
	hash_add_rcu(filemon_tasks, &t->node, (unsigned long)task);
}

/*
 * The current task's slot, made now if it has none (a thread that existed
 * before its process was traced).  That is the only atomic allocation,
 * once per such thread.  Atomic context.
 */
static struct filemon_task *filemon_task_current(void)
{
	struct filemon_task *t, *n;

	t = filemon_task_find(current);
	if (t)
		return t;
	n = kmalloc(sizeof(*n), GFP_ATOMIC | __GFP_NOWARN);
	if (!n)
		return NULL;
	spin_lock(&filemon_procs_lock);
	t = filemon_task_find(current);
	if (!t) {
		filemon_task_add(n, current);
		t = n;
		n = NULL;
	}
	spin_unlock(&filemon_procs_lock);
	kfree(n);
	return t;
}

/*
 * Have @t's task finish its work for @fm (drain the ring, log its call)
 * before it returns to user space, or in its exit path.  Takes over the
 * reference to @fm.  Runs in @t's task, or before a new @t's task runs.
 */
static void filemon_task_queue(struct filemon_task *t, struct filemon *fm)
{
	if (t->queued) {
		if (t->fm == fm || !fm) {
			if (fm)
				filemon_put(fm);
			return;
		}
		/* Moved to another instance: the old one drains itself. */
		if (t->fm) {
			filemon_drain_later(t->fm);
			filemon_put(t->fm);
		}
		t->fm = fm;
		return;
	}
	t->fm = fm;
	t->queued = true;
	atomic_inc(&filemon_pending);
	if (task_work_add(t->task, &t->cb, TWA_RESUME) == 0)
		return;
	/* The task is past its last task work: only the ring can be left. */
	t->queued = false;
	t->fm = NULL;
	t->call.nr = -1;
	filemon_pending_done();
	if (fm) {
		filemon_drain_later(fm);
		filemon_put(fm);
	}
}

/*
 * Queue an F, E or X record and have it written by the current task (or
 * a worker if it cannot take task work).  Atomic context.
 */
static void filemon_record(struct filemon *fm, const char *text,
			   unsigned int len)
{
	struct filemon_task *t = NULL;

	filemon_ring_put(fm, text, len);
	if (!(current->flags & PF_KTHREAD))
		t = filemon_task_current();
	if (t)
		filemon_task_queue(t, filemon_get(fm));
	else
		filemon_drain_later(fm);
}

/* The instance tracing @task's process, with a reference, or NULL. */
static struct filemon *filemon_get_traced(struct task_struct *task)
{
	struct filemon_proc *e;
	struct filemon *fm = NULL;

	if (!atomic_read(&filemon_nprocs))
		return NULL;
	rcu_read_lock();
	e = filemon_proc_find(task->signal);
	if (e) {
		fm = e->fm;
		if (!refcount_inc_not_zero(&fm->ref))
			fm = NULL;
	}
	rcu_read_unlock();
	return fm;
}

/* Stop tracing every process @fm traces.  Caller holds a reference. */
static void filemon_untrack(struct filemon *fm)
{
	struct filemon_proc *e;
	struct hlist_node *tmp;
	int bkt, n = 0;

	spin_lock(&filemon_procs_lock);
	hash_for_each_safe(filemon_procs, bkt, tmp, e, node) {
		if (e->fm != fm)
			continue;
		filemon_proc_del(e);
		n++;
	}
	spin_unlock(&filemon_procs_lock);
	while (n--)
		filemon_put(fm);
}

/* Stop tracing @sig's process if @fm traces it. */
static void filemon_untrack_one(struct filemon *fm, struct signal_struct *sig)
{
	struct filemon_proc *e;
	bool found = false;

	spin_lock(&filemon_procs_lock);
	e = filemon_proc_find(sig);
	if (e && e->fm == fm) {
		filemon_proc_del(e);
		found = true;
	}
	spin_unlock(&filemon_procs_lock);
	if (found)
		filemon_put(fm);
}

/* Is a thread of @task's process in the middle of an exec? */
static bool filemon_in_exec(struct task_struct *task)
{
	struct task_struct *t;
	bool busy = false;

	rcu_read_lock();
	for_each_thread(task, t)
		if (t->in_execve)
			busy = true;
	rcu_read_unlock();
	return busy;
}

/* Has @task's process changed credentials (FreeBSD's P_SUGID)? */
static bool filemon_is_setid(struct task_struct *task)
{
	struct mm_struct *mm = get_task_mm(task);
	bool setid = false;

	if (mm) {
		setid = get_dumpable(mm) != SUID_DUMP_USER;
		mmput(mm);
	}
	return setid;
}

/*
 * FILEMON_SET_PID, as FreeBSD: untrace what this instance traced so far,
 * then trace @nr.  ESRCH: no such process (or it is exiting); EPERM: the
 * caller may not debug it; EBUSY: it is in the middle of an exec, or
 * another instance traces it and it is not the caller.  A process
 * attaching itself always wins and leaves its old instance (bmake's child
 * does this on an inherited trace).
 */
static int filemon_set_pid(struct filemon *fm, pid_t nr)
{
	struct filemon_proc *e, *old;
	struct filemon_task *t;
	struct filemon *oldfm = NULL;
	struct task_struct *task;
	struct signal_struct *sig;
	bool ok, setid;
	int error = 0;

	filemon_untrack(fm);

	rcu_read_lock();
	task = pid_task(find_vpid(nr), PIDTYPE_PID);
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	if (!task)
		return -ESRCH;

	if (task->flags & PF_KTHREAD) {
		error = -EPERM;
		goto out_task;
	}
	/* As p_candebug(), a process may always debug itself. */
	ok = same_thread_group(task, current);
	if (!ok) {
		setid = filemon_is_setid(task);
		rcu_read_lock();
		ok = filemon_may_debug(current_cred(), __task_cred(task),
				       setid);
		rcu_read_unlock();
	}
	if (!ok) {
		error = -EPERM;
		goto out_task;
	}
	if (filemon_in_exec(task)) {
		error = -EBUSY;
		goto out_task;
	}

	e = kmalloc(sizeof(*e), GFP_KERNEL);
	t = kmalloc(sizeof(*t), GFP_KERNEL);
	if (!e || !t) {
		error = -ENOMEM;
		goto out_free;
	}
	sig = task->signal;

	spin_lock(&filemon_procs_lock);
	/*
	 * Count the process before looking at signal->live: the exit probe
	 * decrements live before it reads filemon_nprocs, so either it sees
	 * our count and takes the lock, or we see the process is dead.
	 */
	atomic_inc(&filemon_nprocs);
	smp_mb__after_atomic();
	if (!atomic_read(&sig->live) || (sig->flags & SIGNAL_GROUP_EXIT)) {
		error = -ESRCH;
		goto out_unlock;
	}
	old = filemon_proc_find(sig);
	if (old && old->fm != fm && !same_thread_group(task, current)) {
		error = -EBUSY;
		goto out_unlock;
	}
	/* The target's slot; its other threads get theirs when needed. */
	if (!filemon_task_find(task)) {
		filemon_task_add(t, task);
		t = NULL;
	}
	if (old && old->fm == fm) {
		/* Inherited again by a racing fork: nothing to change. */
		atomic_dec(&filemon_nprocs);
		goto out_unlock;
	}
	if (old) {
		oldfm = old->fm;
		filemon_proc_del(old);
	}
	atomic_dec(&filemon_nprocs);	/* counted again by filemon_proc_add */
	filemon_proc_add(e, sig, fm);
	e = NULL;
out_unlock:
	if (error)
		atomic_dec(&filemon_nprocs);
	spin_unlock(&filemon_procs_lock);
	if (oldfm)
		filemon_put(oldfm);
out_free:
	kfree(e);
	kfree(t);
out_task:
	put_task_struct(task);
	return error;
}

/*
 * Copy a user path, faulting its pages in, like FreeBSD's copyinstr():
 * EFAULT if it cannot be read at all, ENAMETOOLONG if it does not fit
 * (the call itself accepted it, so only if it changed since).
 */
static int filemon_copy_path(char *dst, unsigned long src)
{
	long n;

	n = strncpy_from_user(dst, (const char __user *)src, PATH_MAX);
	if (n < 0)
		return -EFAULT;
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

/* Path of directory descriptor @dfd, or "" when it cannot be known. */
static const char *filemon_dir_path(int dfd, char *buf, int buflen)
{
	struct file *file;
	char *p;

	if (dfd < 0)
		return "";
	file = fget_raw(dfd);
	if (!file)
		return "";
	p = d_path(&file->f_path, buf, buflen);
	fput(file);
	return IS_ERR(p) ? "" : p;
}

/*
 * open, creat, openat, openat2: O_RDWR gives R then W, otherwise the access
 * mode decides between R and W.  A relative path under a directory
 * descriptor first gives an A line, then the directory's path is joined.
 */
static int filemon_rec_open(struct filemon *fm, pid_t pid, int dfd,
			    unsigned long upath, unsigned long flags)
{
	const char *dir = "", *sep = "";
	int error;

	error = filemon_copy_path(fm->path1, upath);
	if (error)
		return error;
	if (fm->path1[0] != '/' && dfd != AT_FDCWD) {
		filemon_line(fm, 'A', pid, fm->path1, NULL);
		dir = filemon_dir_path(dfd, fm->dir, PATH_MAX);
		if (dir[0] != '\0')
			sep = "/";
	}
	if (flags & O_RDWR)
		filemon_line(fm, 'R', pid, dir, sep, fm->path1, NULL);
	filemon_line(fm, (flags & O_ACCMODE) ? 'W' : 'R', pid, dir, sep,
		     fm->path1, NULL);
	return 0;
}

static int filemon_rec_path(struct filemon *fm, char letter, pid_t pid,
			    unsigned long upath)
{
	int error;

	error = filemon_copy_path(fm->path1, upath);
	if (error)
		return error;
	filemon_line(fm, letter, pid, fm->path1, NULL);
	return 0;
}

static int filemon_rec_2path(struct filemon *fm, char letter, pid_t pid,
			     unsigned long from, unsigned long to)
{
	int error;

	error = filemon_copy_path(fm->path1, from);
	if (!error)
		error = filemon_copy_path(fm->path2, to);
	if (error)
		return error;
	filemon_line(fm, letter, pid, "'", fm->path1, "' '", fm->path2,
		     "'", NULL);
	return 0;
}

/*
 * Log a successful call.  Runs in the task that made it, in process
 * context, with fm->lock held: the paths are read from its memory now.
 */
static void filemon_log_call(struct filemon *fm, struct filemon_call *c)
{
	unsigned long *a = c->args;
	pid_t pid = task_tgid_nr(current);
	u64 how_flags;
	int error = 0;

	switch (c->nr) {
	case __NR_open:
		error = filemon_rec_open(fm, pid, AT_FDCWD, a[0], a[1]);
		break;
	case __NR_creat:
		error = filemon_rec_open(fm, pid, AT_FDCWD, a[0],
					 O_CREAT | O_WRONLY | O_TRUNC);
		break;
	case __NR_openat:
		error = filemon_rec_open(fm, pid, (int)a[0], a[1], a[2]);
		break;
	case __NR_openat2:
		/* struct open_how starts with the u64 flags. */
		if (copy_from_user(&how_flags, (const void __user *)a[2],
				   sizeof(how_flags)))
			error = -EFAULT;
		else
			error = filemon_rec_open(fm, pid, (int)a[0], a[1],
						 (unsigned long)how_flags);
		break;
	case __NR_chdir:
		error = filemon_rec_path(fm, 'C', pid, a[0]);
		break;
	case __NR_unlink:
		error = filemon_rec_path(fm, 'D', pid, a[0]);
		break;
	case __NR_unlinkat:
		if (!(a[2] & AT_REMOVEDIR))
			error = filemon_rec_path(fm, 'D', pid, a[1]);
		break;
	case __NR_rename:
		error = filemon_rec_2path(fm, 'M', pid, a[0], a[1]);
		break;
	case __NR_renameat:
	case __NR_renameat2:
		error = filemon_rec_2path(fm, 'M', pid, a[1], a[3]);
		break;
	case __NR_link:
	case __NR_symlink:
		error = filemon_rec_2path(fm, 'L', pid, a[0], a[1]);
		break;
	case __NR_linkat:
		error = filemon_rec_2path(fm, 'L', pid, a[1], a[3]);
		break;
	case __NR_symlinkat:
		error = filemon_rec_2path(fm, 'L', pid, a[0], a[2]);
		break;
	}
	if (error)
		filemon_set_error(fm, -error);
	filemon_line_flush(fm);
}

/*
 * task_work of a traced thread: write the ring's records and the thread's
 * call, then get the spares for its next child while it may sleep.
 */
static void filemon_task_run(struct callback_head *cb)
{
	struct filemon_task *t = container_of(cb, struct filemon_task, cb);
	struct filemon *fm = t->fm;

	t->queued = false;
	t->fm = NULL;
	if (fm) {
		mutex_lock(&fm->lock);
		filemon_drain_locked(fm);
		if (t->call.nr >= 0 && !fm->finished)
			filemon_log_call(fm, &t->call);
		mutex_unlock(&fm->lock);
		filemon_put(fm);
	}
	t->call.nr = -1;
	if (t->dead) {
		filemon_task_free(t);
	} else if (!(current->flags & PF_EXITING)) {
		if (!t->spare)
			t->spare = kmalloc(sizeof(*t->spare), GFP_KERNEL);
		if (!t->spare_proc)
			t->spare_proc = kmalloc(sizeof(*t->spare_proc),
						GFP_KERNEL);
	}
	filemon_pending_done();
}

static bool filemon_syscall_wanted(long nr)
{
	switch (nr) {
	case __NR_open:
	case __NR_creat:
	case __NR_openat:
	case __NR_openat2:
	case __NR_chdir:
	case __NR_unlink:
	case __NR_unlinkat:
	case __NR_rename:
	case __NR_renameat:
	case __NR_renameat2:
	case __NR_link:
	case __NR_linkat:
	case __NR_symlink:
	case __NR_symlinkat:
		return true;
	default:
		return false;
	}
}

static void filemon_probe_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	struct filemon_task *t;
	struct filemon *fm;
	long nr;

	if (ret < 0 || !atomic_read(&filemon_nprocs))
		return;
#ifdef CONFIG_X86_64
	if (in_compat_syscall())	/* the guest kernel is i386 only */
		return;
#endif
	nr = syscall_get_nr(current, regs);
	if (!filemon_syscall_wanted(nr))
		return;
	fm = filemon_get_traced(current);
	if (!fm)
		return;
	t = filemon_task_current();
	if (!t) {
		filemon_set_error(fm, ENOMEM);
		filemon_put(fm);
		return;
	}
	t->call.nr = nr;
	syscall_get_arguments(current, regs, t->call.args);
	filemon_task_queue(t, fm);
}

/* The int given to _exit(): the kernel keeps only its low byte. */
static void filemon_probe_sys_enter(void *data, struct pt_regs *regs,
				    long nr)
{
	struct filemon_proc *e;
	unsigned long a[6];

	if (!atomic_read(&filemon_nprocs))
		return;
	if (nr != __NR_exit_group &&
	    (nr != __NR_exit || atomic_read(&current->signal->live) != 1))
		return;
	syscall_get_arguments(current, regs, a);
	rcu_read_lock();
	e = filemon_proc_find(current->signal);
	if (e && !READ_ONCE(e->exit_value_set)) {
		e->exit_value = (int)a[0];
		smp_wmb();	/* read by the exit probe after exit_value_set */
		WRITE_ONCE(e->exit_value_set, true);
	}
	rcu_read_unlock();
}

/*
 * A new task in a traced process gets its slot, taken from the spare its
 * parent thread allocated in process context.  A new process (not a
 * thread) is logged with F and inherits the parent's trace.  The child
 * has not run yet, so the F comes before its records, and it takes its
 * own spares on its way to user space.
 */
static void filemon_probe_fork(void *data, struct task_struct *parent,
			       struct task_struct *child)
{
	struct filemon_proc *e = NULL, *pe;
	struct filemon_task *pt, *ct;
	struct filemon *fm = NULL;
	bool thread = !thread_group_leader(child);
	char buf[48];
	int len;

	if (!atomic_read(&filemon_nprocs))
		return;
	rcu_read_lock();
	pe = filemon_proc_find(parent->signal);
	rcu_read_unlock();
	if (!pe)
		return;

	/* parent is current: its slot cannot go away under us. */
	pt = filemon_task_current();
	ct = pt ? pt->spare : NULL;
	if (ct)
		pt->spare = NULL;
	else
		ct = kmalloc(sizeof(*ct), GFP_ATOMIC | __GFP_NOWARN);
	if (!thread) {
		e = pt ? pt->spare_proc : NULL;
		if (e)
			pt->spare_proc = NULL;
		else
			e = kmalloc(sizeof(*e), GFP_ATOMIC | __GFP_NOWARN);
	}

	spin_lock(&filemon_procs_lock);
	/* Look again under the lock: the parent may have been untraced. */
	pe = filemon_proc_find(parent->signal);
	if (pe) {
		fm = filemon_get(pe->fm);
		if (e) {
			filemon_proc_add(e, child->signal, fm);
			e = NULL;
		}
		if (ct) {
			filemon_task_add(ct, child);
			/* Its spares, before it runs any user code. */
			filemon_task_queue(ct, NULL);
			ct = NULL;
		}
	}
	spin_unlock(&filemon_procs_lock);
	kfree(ct);
	if (!fm)
		return;
	if (e) {
		/* No memory even for the process entry: it is not traced. */
		kfree(e);
		filemon_set_error(fm, ENOMEM);
	}
	if (!thread) {
		len = filemon_fmt_ints(buf, 'F', 2, task_tgid_nr(parent),
				       task_tgid_nr(child));
		filemon_record(fm, buf, len);
	}
	filemon_put(fm);
}

/*
 * The image that runs, as FreeBSD's imgp->execpath: the path as given when
 * it is absolute, else the image's full path.  For a #! script the image
 * is its interpreter (bprm->interp names it, bprm->file is open on it);
 * execveat() with a directory descriptor gave "/dev/fd/<n>/..." names,
 * which count as relative.
 */
static const char *filemon_exec_path(struct linux_binprm *bprm, char *buf,
				     int buflen)
{
	const char *name = bprm->interp;
	const char *p;

	if (name[0] == '/' && !(bprm->fdpath && name == bprm->fdpath))
		return name;
	p = d_path(&bprm->file->f_path, buf, buflen);
	return IS_ERR(p) ? name : p;
}

static void filemon_probe_exec(void *data, struct task_struct *p,
			       pid_t old_pid, struct linux_binprm *bprm)
{
	struct filemon_scratch *s;
	struct filemon *fm;
	char *o;

	fm = filemon_get_traced(p);
	if (!fm)
		return;

	s = get_cpu_ptr(filemon_scratch);
	o = s->out;
	*o++ = 'E';
	*o++ = ' ';
	o = filemon_put_int(o, task_tgid_nr(p));
	*o++ = ' ';
	o = filemon_put_str(o, s->out + sizeof(s->out) - 1,
			    filemon_exec_path(bprm, s->dir, sizeof(s->dir)));
	*o++ = '\n';
	filemon_record(fm, s->out, o - s->out);
	put_cpu_ptr(filemon_scratch);

	/*
	 * A set-id exec (the kernel marks it in per_clear) that the tracer
	 * could not debug ends the trace of this process.  The new
	 * credentials are already committed here.
	 */
	if (bprm->per_clear && !filemon_may_debug(fm->cred, current_cred(), true))
		filemon_untrack_one(fm, p->signal);

	filemon_put(fm);
}

/*
 * A thread exits: its slot goes (freed by its pending task work, which
 * still runs in the exit path, if any).  The last thread of a process
 * also logs X; do_exit() has decremented live (a full barrier) before.
 */
static void filemon_probe_exit(void *data, struct task_struct *p)
{
	struct signal_struct *sig = p->signal;
	struct filemon_proc *e = NULL;
	struct filemon_task *t;
	struct filemon *fm = NULL;
	int len, code, status;
	char buf[48];

	if (!atomic_read(&sig->live)) {
		smp_mb();
		if (atomic_read(&filemon_nprocs)) {
			spin_lock(&filemon_procs_lock);
			e = filemon_proc_find(sig);
			if (e) {
				fm = e->fm;	/* take over the reference */
				hash_del_rcu(&e->node);
				atomic_dec(&filemon_nprocs);
			}
			spin_unlock(&filemon_procs_lock);
		}
	}
	if (fm) {
		/*
		 * The wait status the parent will see: the group exit code
		 * after exit_group() or a fatal signal, else the leader's
		 * own.  Not this thread's exit_code: a thread that left with
		 * pthread_exit() just before the group exit can also see
		 * live == 0 here, and may get here first.  The signal keeps
		 * 0x80 when a core was dumped; the status is the whole int
		 * given to _exit() when we saw it.
		 */
		if (sig->flags & SIGNAL_GROUP_EXIT)
			code = sig->group_exit_code;
		else
			code = p->group_leader->exit_code;
		status = (code >> 8) & 0xff;
		if (!(code & 0x7f) && READ_ONCE(e->exit_value_set)) {
			smp_rmb();
			if ((e->exit_value & 0xff) == status)
				status = e->exit_value;
		}
		kfree_rcu(e, rcu);
		len = filemon_fmt_ints(buf, 'X', 3, task_tgid_nr(p), status,
				       code & 0xff);
		filemon_record(fm, buf, len);
		filemon_put(fm);
	}

	if (!atomic_read(&filemon_ntasks))
		return;
	t = filemon_task_find(p);
	if (!t)
		return;
	spin_lock(&filemon_procs_lock);
	hash_del_rcu(&t->node);
	spin_unlock(&filemon_procs_lock);
	if (t->queued)
		t->dead = true;
	else
		filemon_task_free(t);
}

struct filemon_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
};

static struct filemon_tp filemon_tps[] = {
	{ .name = "sched_process_fork",	.probe = filemon_probe_fork },
	{ .name = "sched_process_exec",	.probe = filemon_probe_exec },
	{ .name = "sched_process_exit",	.probe = filemon_probe_exit },
	{ .name = "sys_enter",		.probe = filemon_probe_sys_enter },
	{ .name = "sys_exit",		.probe = filemon_probe_sys_exit },
};

static void filemon_tp_lookup(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(filemon_tps); i++)
		if (!strcmp(tp->name, filemon_tps[i].name))
			filemon_tps[i].tp = tp;
}

static void filemon_hooks_remove(void)
{
	int i;

	for (i = ARRAY_SIZE(filemon_tps) - 1; i >= 0; i--) {
		if (!filemon_tps[i].registered)
			continue;
		tracepoint_probe_unregister(filemon_tps[i].tp,
					    filemon_tps[i].probe, NULL);
		filemon_tps[i].registered = false;
	}
	tracepoint_synchronize_unregister();
}

/*
 * Slots of threads still running when the module goes (their processes
 * are no longer traced and no task work is pending).
 */
static void filemon_hooks_free(void)
{
	struct filemon_task *t;
	struct hlist_node *tmp;
	int bkt;

	hash_for_each_safe(filemon_tasks, bkt, tmp, t, node) {
		hash_del(&t->node);
		kfree(t->spare);
		kfree(t->spare_proc);
		kfree(t);
		atomic_dec(&filemon_ntasks);
	}
	free_percpu(filemon_scratch);
	filemon_scratch = NULL;
}

static int filemon_hooks_install(void)
{
	int i, error;

	filemon_scratch = alloc_percpu(struct filemon_scratch);
	if (!filemon_scratch)
		return -ENOMEM;

	for_each_kernel_tracepoint(filemon_tp_lookup, NULL);
	for (i = 0; i < ARRAY_SIZE(filemon_tps); i++) {
		if (!filemon_tps[i].tp) {
			pr_err("tracepoint %s not found\n", filemon_tps[i].name);
			error = -ENOENT;
			goto fail;
		}
		error = tracepoint_probe_register(filemon_tps[i].tp,
						  filemon_tps[i].probe, NULL);
		if (error) {
			pr_err("cannot register on %s: %d\n",
			       filemon_tps[i].name, error);
			goto fail;
		}
		filemon_tps[i].registered = true;
	}
	return 0;

fail:
	filemon_hooks_remove();
	filemon_hooks_free();
	return error;
}
