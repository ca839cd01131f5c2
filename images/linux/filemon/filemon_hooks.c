// SPDX-License-Identifier: GPL-2.0
/*
 * filemon - event hooks: tracepoint probes that turn a traced process's
 * system calls, forks, execs and exits into queued log records.
 *
 * Compiled as part of filemon.c (see there), which provides struct filemon,
 * filemon_emit() and the helpers used here.
 *
 * Mechanism: the kernel's own tracepoints, found by name with
 * for_each_kernel_tracepoint(); no syscall table is touched.
 *  - sys_exit: the syscall's return value is known, so only successful
 *    calls are logged, as FreeBSD logs after the real syscall returned 0.
 *    The path arguments are read here with page faults disabled: the
 *    syscall has just read the same strings, so their pages are present.
 *    sys_enter is not needed: the only call whose arguments are gone by
 *    sys_exit is exec, and exec's path comes from sched_process_exec.
 *  - sched_process_fork: F records and inheritance of tracing (fork, vfork,
 *    clone and clone3 alike; CLONE_THREAD creates no process).
 *  - sched_process_exec: E records (the kernel's copy of the path given to
 *    execve/execveat) and the set-id check.
 *  - sched_process_exit: X record when the last thread of a process exits.
 *
 * Traced processes are kept in a hash table keyed by their signal_struct,
 * which all threads of a process share and which outlives the process's
 * last exit event, so a thread's events are its process's events.
 */

#include <linux/compat.h>
#include <linux/dcache.h>
#include <linux/fcntl.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

struct filemon_proc {
	struct hlist_node node;
	struct signal_struct *sig;	/* key: the traced process */
	struct filemon *fm;		/* holds a reference */
	struct rcu_head rcu;
};

#define FILEMON_HASH_BITS	8
static DEFINE_HASHTABLE(filemon_procs, FILEMON_HASH_BITS);
/* Protects changes to filemon_procs; lookups in probes use RCU. */
static DEFINE_SPINLOCK(filemon_procs_lock);
/* Number of traced processes: lets untraced work skip the lookup. */
static atomic_t filemon_nprocs = ATOMIC_INIT(0);

/* Per-CPU scratch space for probes (they run with preemption disabled). */
struct filemon_scratch {
	char path1[FILEMON_PATHLEN];
	char path2[FILEMON_PATHLEN];
	char dir[PATH_MAX];
	char out[3 * FILEMON_LINELEN];	/* up to three lines (A, R, W) */
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

/*
 * FILEMON_SET_PID, as FreeBSD: untrace what this instance traced so far,
 * then trace @nr.  ESRCH: no such process (or it is exiting); EPERM: the
 * caller may not debug it; EBUSY: another instance traces it and it is not
 * the caller.  A process attaching itself always wins and leaves its old
 * instance (bmake's child does this on an inherited trace).
 */
static int filemon_set_pid(struct filemon *fm, pid_t nr)
{
	struct filemon_proc *e, *old;
	struct filemon *oldfm = NULL;
	struct task_struct *task;
	struct signal_struct *sig;
	bool ok;
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
	rcu_read_lock();
	ok = filemon_may_debug(current_cred(), __task_cred(task));
	rcu_read_unlock();
	if (!ok) {
		error = -EPERM;
		goto out_task;
	}

	e = kmalloc(sizeof(*e), GFP_KERNEL);
	if (!e) {
		error = -ENOMEM;
		goto out_task;
	}
	sig = task->signal;
	e->sig = sig;
	e->fm = fm;

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
	if (old && old->fm == fm) {
		/* Inherited again by a racing fork: nothing to change. */
		atomic_dec(&filemon_nprocs);
		goto out_unlock;
	}
	if (old) {
		oldfm = old->fm;
		filemon_proc_del(old);
	}
	hash_add_rcu(filemon_procs, &e->node, (unsigned long)sig);
	filemon_get(fm);
	e = NULL;
out_unlock:
	if (error)
		atomic_dec(&filemon_nprocs);
	spin_unlock(&filemon_procs_lock);
	kfree(e);
	if (oldfm)
		filemon_put(oldfm);
out_task:
	put_task_struct(task);
	return error;
}

/* Output under construction: whole lines in a scratch buffer. */
struct filemon_out {
	char *buf;
	size_t len;
};

/*
 * Append one line (@fmt ends in "\n").  As FreeBSD, a line is at most
 * FILEMON_LINELEN - 1 bytes; a longer one is cut and still ends in '\n'.
 */
static __printf(2, 3) void filemon_line(struct filemon_out *o,
					const char *fmt, ...)
{
	char *p = o->buf + o->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p, FILEMON_LINELEN, fmt, ap);
	va_end(ap);
	if (n >= FILEMON_LINELEN) {
		n = FILEMON_LINELEN - 1;
		p[n - 1] = '\n';
	}
	o->len += n;
}

/*
 * Copy a user path like FreeBSD's copyinstr() into a MAXPATHLEN buffer:
 * EFAULT if it cannot be read, ENAMETOOLONG if it does not fit.
 */
static int filemon_copy_path(char *dst, unsigned long src)
{
	long n;

	pagefault_disable();
	n = strncpy_from_user(dst, (const char __user *)src, FILEMON_PATHLEN);
	pagefault_enable();
	if (n < 0)
		return -EFAULT;
	if (n >= FILEMON_PATHLEN)
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
static int filemon_rec_open(struct filemon_out *o, struct filemon_scratch *s,
			    pid_t pid, int dfd, unsigned long upath,
			    unsigned long flags)
{
	const char *dir = "", *sep = "";
	int error;

	error = filemon_copy_path(s->path1, upath);
	if (error)
		return error;
	if (s->path1[0] != '/' && dfd != AT_FDCWD) {
		filemon_line(o, "A %d %s\n", pid, s->path1);
		dir = filemon_dir_path(dfd, s->dir, sizeof(s->dir));
		if (dir[0] != '\0')
			sep = "/";
	}
	if (flags & O_RDWR)
		filemon_line(o, "R %d %s%s%s\n", pid, dir, sep, s->path1);
	filemon_line(o, "%c %d %s%s%s\n", (flags & O_ACCMODE) ? 'W' : 'R',
		     pid, dir, sep, s->path1);
	return 0;
}

static int filemon_rec_path(struct filemon_out *o, struct filemon_scratch *s,
			    char letter, pid_t pid, unsigned long upath)
{
	int error;

	error = filemon_copy_path(s->path1, upath);
	if (error)
		return error;
	filemon_line(o, "%c %d %s\n", letter, pid, s->path1);
	return 0;
}

static int filemon_rec_2path(struct filemon_out *o, struct filemon_scratch *s,
			     char letter, pid_t pid, unsigned long from,
			     unsigned long to)
{
	int error;

	error = filemon_copy_path(s->path1, from);
	if (!error)
		error = filemon_copy_path(s->path2, to);
	if (error)
		return error;
	filemon_line(o, "%c %d '%s' '%s'\n", letter, pid, s->path1, s->path2);
	return 0;
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
	struct filemon_scratch *s;
	struct filemon_out o;
	struct filemon *fm;
	unsigned long a[6];
	u64 how_flags;
	long nr;
	pid_t pid;
	int error = 0;

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

	syscall_get_arguments(current, regs, a);
	pid = task_tgid_nr(current);
	s = get_cpu_ptr(filemon_scratch);
	o.buf = s->out;
	o.len = 0;

	switch (nr) {
	case __NR_open:
		error = filemon_rec_open(&o, s, pid, AT_FDCWD, a[0], a[1]);
		break;
	case __NR_creat:
		error = filemon_rec_open(&o, s, pid, AT_FDCWD, a[0],
					 O_CREAT | O_WRONLY | O_TRUNC);
		break;
	case __NR_openat:
		error = filemon_rec_open(&o, s, pid, (int)a[0], a[1], a[2]);
		break;
	case __NR_openat2:
		/* struct open_how starts with the u64 flags. */
		pagefault_disable();
		if (copy_from_user(&how_flags, (const void __user *)a[2],
				   sizeof(how_flags)))
			error = -EFAULT;
		pagefault_enable();
		if (!error)
			error = filemon_rec_open(&o, s, pid, (int)a[0], a[1],
						 (unsigned long)how_flags);
		break;
	case __NR_chdir:
		error = filemon_rec_path(&o, s, 'C', pid, a[0]);
		break;
	case __NR_unlink:
		error = filemon_rec_path(&o, s, 'D', pid, a[0]);
		break;
	case __NR_unlinkat:
		if (!(a[2] & AT_REMOVEDIR))
			error = filemon_rec_path(&o, s, 'D', pid, a[1]);
		break;
	case __NR_rename:
		error = filemon_rec_2path(&o, s, 'M', pid, a[0], a[1]);
		break;
	case __NR_renameat:
	case __NR_renameat2:
		error = filemon_rec_2path(&o, s, 'M', pid, a[1], a[3]);
		break;
	case __NR_link:
	case __NR_symlink:
		error = filemon_rec_2path(&o, s, 'L', pid, a[0], a[1]);
		break;
	case __NR_linkat:
		error = filemon_rec_2path(&o, s, 'L', pid, a[1], a[3]);
		break;
	case __NR_symlinkat:
		error = filemon_rec_2path(&o, s, 'L', pid, a[0], a[2]);
		break;
	}

	if (error)
		filemon_set_error(fm, -error);
	else if (o.len)
		filemon_emit(fm, o.buf, o.len);
	put_cpu_ptr(filemon_scratch);
	filemon_put(fm);
}

/*
 * A new process (not a thread): log F and let it inherit the parent's
 * trace.  The child has not run yet, so its records follow the F.
 */
static void filemon_probe_fork(void *data, struct task_struct *parent,
			       struct task_struct *child)
{
	struct filemon_proc *e, *pe;
	struct filemon *fm = NULL;
	char buf[48];
	int len;

	if (!thread_group_leader(child) || !atomic_read(&filemon_nprocs))
		return;
	rcu_read_lock();
	pe = filemon_proc_find(parent->signal);
	rcu_read_unlock();
	if (!pe)
		return;

	e = kmalloc(sizeof(*e), GFP_ATOMIC);
	spin_lock(&filemon_procs_lock);
	/* Look again under the lock: the parent may have been untraced. */
	pe = filemon_proc_find(parent->signal);
	if (pe) {
		fm = filemon_get(pe->fm);
		if (e) {
			e->sig = child->signal;
			e->fm = filemon_get(fm);
			atomic_inc(&filemon_nprocs);
			hash_add_rcu(filemon_procs, &e->node,
				     (unsigned long)e->sig);
			e = NULL;
		}
	}
	spin_unlock(&filemon_procs_lock);
	kfree(e);
	if (!fm)
		return;

	len = scnprintf(buf, sizeof(buf), "F %d %d\n", task_tgid_nr(parent),
			task_tgid_nr(child));
	filemon_emit(fm, buf, len);
	filemon_put(fm);
}

/*
 * The path given to exec.  bprm->filename is the kernel's copy of it,
 * except for execveat() with a directory descriptor, where the kernel made
 * "/dev/fd/<n>/<path>" (we log <path>) or, for an empty path with
 * AT_EMPTY_PATH (fexecve), "/dev/fd/<n>" (we log the file's path).
 */
static const char *filemon_exec_path(struct linux_binprm *bprm, char *buf,
				     int buflen)
{
	const char *name = bprm->filename;
	const char *p;

	if (!bprm->fdpath || name != bprm->fdpath ||
	    strncmp(name, "/dev/fd/", 8) != 0)
		return name;
	p = strchr(name + 8, '/');
	if (p)
		return p + 1;
	p = d_path(&bprm->file->f_path, buf, buflen);
	return IS_ERR(p) ? name : p;
}

static void filemon_probe_exec(void *data, struct task_struct *p,
			       pid_t old_pid, struct linux_binprm *bprm)
{
	struct filemon_scratch *s;
	struct filemon_out o;
	struct filemon *fm;

	fm = filemon_get_traced(p);
	if (!fm)
		return;

	s = get_cpu_ptr(filemon_scratch);
	o.buf = s->out;
	o.len = 0;
	filemon_line(&o, "E %d %s\n", task_tgid_nr(p),
		     filemon_exec_path(bprm, s->dir, sizeof(s->dir)));
	filemon_emit(fm, o.buf, o.len);
	put_cpu_ptr(filemon_scratch);

	/*
	 * A set-id exec (the kernel marks it in per_clear) that the tracer
	 * could not debug ends the trace of this process.  The new
	 * credentials are already committed here.
	 */
	if (bprm->per_clear && !filemon_may_debug(fm->cred, current_cred()))
		filemon_untrack_one(fm, p->signal);

	filemon_put(fm);
}

/* The last thread of a process is exiting: X, and the trace ends. */
static void filemon_probe_exit(void *data, struct task_struct *p)
{
	struct signal_struct *sig = p->signal;
	struct filemon_proc *e;
	struct filemon *fm = NULL;
	char buf[48];
	int len, code;

	/* do_exit() has decremented live (a full barrier) before this. */
	if (atomic_read(&sig->live))
		return;
	smp_mb();
	if (!atomic_read(&filemon_nprocs))
		return;

	spin_lock(&filemon_procs_lock);
	e = filemon_proc_find(sig);
	if (e) {
		fm = e->fm;	/* take over the entry's reference */
		filemon_proc_del(e);
	}
	spin_unlock(&filemon_procs_lock);
	if (!fm)
		return;

	/*
	 * The process's wait status (exit status << 8, or the signal), as
	 * its parent will see it: the group exit code after exit_group() or
	 * a fatal signal, else the leader's own exit code.  Not this thread's
	 * exit_code: a thread that left with pthread_exit() just before the
	 * group exit can also see live == 0 here, and may get here first.
	 */
	if (sig->flags & SIGNAL_GROUP_EXIT)
		code = sig->group_exit_code;
	else
		code = p->group_leader->exit_code;
	len = scnprintf(buf, sizeof(buf), "X %d %d %d\n", task_tgid_nr(p),
			(code >> 8) & 0xff, code & 0x7f);
	filemon_emit(fm, buf, len);
	filemon_put(fm);
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

static void filemon_hooks_free(void)
{
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
