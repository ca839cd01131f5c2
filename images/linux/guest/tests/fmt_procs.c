/* Cases: processes - fork trees, vfork, clone, threads, signals, tracers. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dev/filemon/filemon.h>

#include "fmt.h"
#include "fmt_cases.h"

static void open_close(const char *path)
{
	long fd = syscall(SYS_open, path, O_RDONLY);

	if (fd >= 0)
		close(fd);
}

/* Children and grandchildren inherit the trace. */
static void body_fork_tree(void)
{
	pid_t c2, c3;

	open_close("l1.txt");
	c2 = fork();
	if (c2 == 0) {
		open_close("l2.txt");
		c3 = fork();
		if (c3 == 0) {
			open_close("l3.txt");
			_exit(3);
		}
		fmt_wait(c3);
		_exit(2);
	}
	fmt_wait(c2);
	_exit(1);
}

void case_fork_tree(void)
{
	fmt_touch("l1.txt");
	fmt_touch("l2.txt");
	fmt_touch("l3.txt");
	fmt_traced(body_fork_tree, 1);
}

/* vfork + exec: F, then the child's E and X. */
static void body_vfork_exec(void)
{
	char *argv[] = { "prog", "exit", "5", NULL };
	char *envp[] = { NULL };
	pid_t pid;

	pid = vfork();
	if (pid == 0) {
		execve("./prog", argv, envp);
		_exit(90);
	}
	fmt_wait(pid);
}

void case_vfork_exec(void)
{
	fmt_traced(body_vfork_exec, 1);
}

/* clone and clone3 without CLONE_THREAD are forks: F (vfork: vfork_exec). */
static void body_clone_variants(void)
{
	struct clone_args ca;
	long pid;

	pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(11);
	fmt_wait(pid);

	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		_exit(12);
	fmt_wait(pid);
}

void case_clone_variants(void)
{
	fmt_traced(body_clone_variants, 1);
}

/* Threads are not processes: no F, and their records carry the process id. */
static void *thread_open(void *arg)
{
	open_close(arg);
	return NULL;
}

static void body_threads(void)
{
	pthread_t t;

	open_close("main.txt");
	pthread_create(&t, NULL, thread_open, "t1.txt");
	pthread_join(t, NULL);
	pthread_create(&t, NULL, thread_open, "t2.txt");
	pthread_join(t, NULL);
}

void case_threads(void)
{
	fmt_touch("main.txt");
	fmt_touch("t1.txt");
	fmt_touch("t2.txt");
	fmt_traced(body_threads, 1);
}

/* A failed exec logs no E. */
static void body_exec_fail(void)
{
	char *argv[] = { "x", NULL };
	char *envp[] = { NULL };

	execve("./missing", argv, envp);
	execve("./notexec", argv, envp);
	execve("./garbage", argv, envp);
	open_close("after.txt");
}

void case_exec_fail(void)
{
	int fd;

	fmt_touch("notexec");
	fmt_touch("after.txt");
	fd = open("garbage", O_WRONLY | O_CREAT, 0755);
	if (fd == -1 || write(fd, "\1\2\3\4garbage", 11) != 11)
		fmt_die("garbage");
	close(fd);
	fmt_traced(body_exec_fail, 1);
}

/* Failed calls log nothing. */
static void body_open_fail(void)
{
	open_close("missing.txt");
	syscall(SYS_open, "ro.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
	syscall(SYS_chdir, "missing-dir");
	syscall(SYS_unlink, "missing.txt");
	syscall(SYS_rename, "missing.txt", "other.txt");
	syscall(SYS_link, "missing.txt", "other.txt");
	syscall(SYS_symlink, "x", "ro.txt");
	syscall(SYS_unlinkat, AT_FDCWD, "ro.txt", AT_REMOVEDIR);
	open_close("ro.txt");
}

void case_open_fail(void)
{
	fmt_touch("ro.txt");
	fmt_traced(body_open_fail, 1);
}

/* X carries the signal that killed the process. */
static void body_killed(void)
{
	pid_t a, b;

	a = fork();
	if (a == 0) {
		raise(SIGTERM);
		_exit(90);
	}
	fmt_wait(a);
	b = fork();
	if (b == 0) {
		for (;;)
			pause();
	}
	kill(b, SIGKILL);
	fmt_wait(b);
}

void case_killed(void)
{
	fmt_traced(body_killed, 1);
}

/* Two instances trace two children at once, each into its own log. */
void case_two_instances(void)
{
	struct fmt_gate go;
	int fm[2], log[2], i;
	pid_t pid[2];
	static const char *const logs[2] = { "log1", "log2" };
	static const char *const files[2] = { "one.txt", "two.txt" };

	fmt_touch("one.txt");
	fmt_touch("two.txt");
	fmt_gate_init(&go);
	for (i = 0; i < 2; i++) {
		fm[i] = fmt_filemon();
		log[i] = fmt_logfile(logs[i]);
		fmt_setfd(fm[i], log[i]);
	}
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			int k;

			fmt_attach_self(fm[i]);
			fmt_gate_wait(&go);
			for (k = 0; k < 20; k++)
				open_close(files[i]);
			_exit(i + 1);
		}
	}
	fmt_gate_open(&go);
	fmt_gate_open(&go);
	for (i = 0; i < 2; i++)
		fmt_wait(pid[i]);
	for (i = 0; i < 2; i++)
		printf("close %s: %s\n", logs[i],
		       fmt_errname(fmt_close(fm[i])));
	for (i = 0; i < 2; i++)
		fmt_print_file(logs[i], logs[i]);
}

/*
 * One instance, SET_PID again and again (bmake's compat mode): by each
 * child for itself, and by the tracer for a child.
 */
void case_setpid_repeat(void)
{
	struct fmt_gate go;
	int fm, log;
	pid_t pid;

	fmt_touch("a.txt");
	fmt_touch("b.txt");
	fmt_touch("c.txt");
	fm = fmt_filemon();
	log = fmt_logfile("log");
	fmt_setfd(fm, log);

	pid = fork();
	if (pid == 0) {
		fmt_attach_self(fm);
		open_close("a.txt");
		_exit(1);
	}
	fmt_wait(pid);
	pid = fork();
	if (pid == 0) {
		fmt_attach_self(fm);
		open_close("b.txt");
		_exit(2);
	}
	fmt_wait(pid);
	fmt_gate_init(&go);
	pid = fork();
	if (pid == 0) {
		fmt_gate_wait(&go);
		open_close("c.txt");
		_exit(3);
	}
	printf("set_pid child: %s\n",
	       fmt_errname(fmt_ioctl(fm, FILEMON_SET_PID, pid)));
	fmt_gate_open(&go);
	fmt_wait(pid);
	printf("close: %s\n", fmt_errname(fmt_close(fm)));
	fmt_print_file("log", "log");
}

/*
 * The tracer closes the device while its traced child keeps running:
 * the log ends with the footer, the child's later calls are not logged.
 */
void case_close_running(void)
{
	struct fmt_gate ready, go;
	char a1[16], a2[16];
	int fm, log, st;
	pid_t pid;

	fmt_touch("a.txt");
	fmt_touch("b.txt");
	fmt_touch("c.txt");
	fmt_gate_init(&ready);
	fmt_gate_init(&go);
	fm = fmt_filemon();
	log = fmt_logfile("log");
	fmt_setfd(fm, log);
	pid = fork();
	if (pid == 0) {
		char *envp[] = { NULL };

		fmt_attach_self(fm);
		open_close("a.txt");
		snprintf(a1, sizeof(a1), "%d", go.fd[0]);
		snprintf(a2, sizeof(a2), "%d", ready.fd[1]);
		/* O_CLOEXEC closes the child's copy of the filemon descriptor. */
		execve("./prog", (char *[]){ "prog", "waiter", a1, a2, NULL },
		       envp);
		_exit(90);
	}
	fmt_gate_wait(&ready);
	printf("close: %s\n", fmt_errname(fmt_close(fm)));
	fmt_gate_open(&go);
	st = fmt_wait(pid);
	printf("child status: %d\n", WEXITSTATUS(st));
	fmt_print_file("log", "log");
}

/*
 * The tracer dies without closing: its descriptors are closed by exit, the
 * footer is written and tracing stops; the traced child lives on.
 */
void case_tracer_dies(void)
{
	struct fmt_gate ready, go;
	int st;
	pid_t tracer;

	fmt_touch("before.txt");
	fmt_touch("after.txt");
	fmt_gate_init(&ready);
	fmt_gate_init(&go);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	tracer = fork();
	if (tracer == 0) {
		int fm = fmt_filemon(), log = fmt_logfile("log");
		pid_t child;

		fmt_setfd(fm, log);
		child = fork();
		if (child == 0) {
			fmt_attach_self(fm);
			close(fm);
			close(log);
			open_close("before.txt");
			fmt_gate_open(&ready);
			fmt_gate_wait(&go);
			open_close("after.txt");
			_exit(0);
		}
		for (;;)
			pause();
	}
	fmt_gate_wait(&ready);
	kill(tracer, SIGKILL);
	st = fmt_wait(tracer);
	printf("tracer killed by signal %d\n", WTERMSIG(st));
	fmt_gate_open(&go);
	/* The orphaned child was reparented to us (subreaper). */
	if (wait(&st) == -1)
		fmt_die("wait child");
	printf("child status: %d\n", WEXITSTATUS(st));
	fmt_print_file("log", "log");
}

/*
 * A set-id exec ends the trace when the tracer could not debug the new
 * image; a tracer that can (root) keeps tracing.
 */
static void setid_run(const char *logname, int unprivileged)
{
	int fm, log, st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		pid_t child;

		if (unprivileged && (setgroups(0, NULL) == -1 ||
				     setresgid(1000, 1000, 1000) == -1 ||
				     setresuid(1000, 1000, 1000) == -1))
			fmt_die("dropping privileges");
		fm = fmt_filemon();
		log = fmt_logfile(logname);
		fmt_setfd(fm, log);
		child = fork();
		if (child == 0) {
			char *envp[] = { NULL };

			fmt_attach_self(fm);
			open_close("before.txt");
			execve("./suidprog", (char *[]){ "suidprog", "open",
				"after.txt", NULL }, envp);
			_exit(90);
		}
		st = fmt_wait(child);
		printf("%s: child status %d, close: %s\n", logname,
		       WEXITSTATUS(st), fmt_errname(fmt_close(fm)));
		exit(0);
	}
	fmt_wait(pid);
	fmt_print_file(logname, logname);
}

void case_setid_exec(void)
{
	char exe[4096];
	ssize_t n;
	int in, out;

	fmt_touch("before.txt");
	fmt_touch("after.txt");
	chmod("after.txt", 0600);	/* only the set-uid image can read it */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		fmt_die("readlink");
	exe[n] = '\0';
	in = open(exe, O_RDONLY);
	out = open("suidprog", O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (in == -1 || out == -1)
		fmt_die("copy");
	while ((n = read(in, exe, sizeof(exe))) > 0)
		if (write(out, exe, n) != n)
			fmt_die("copy write");
	close(in);
	close(out);
	if (chown("suidprog", 0, 0) == -1 || chmod("suidprog", 04755) == -1)
		fmt_die("chmod suidprog");
	setid_run("log-unprivileged", 1);
	setid_run("log-root", 0);
}

/*
 * A multithreaded process ends with exit() from the main thread or from
 * another thread while the rest are busy: one X, with the process's
 * status, whichever thread gets out last.
 */
static void *spin_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *exit_thread(void *arg)
{
	usleep(50000);
	exit((int)(long)arg);
	return NULL;
}

static void body_threads_exit(void)
{
	pthread_t t;
	pid_t pid;
	int i;

	pid = fork();
	if (pid == 0) {
		for (i = 0; i < 4; i++)
			pthread_create(&t, NULL, spin_thread, NULL);
		usleep(50000);
		exit(9);
	}
	fmt_wait(pid);
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < 3; i++)
			pthread_create(&t, NULL, spin_thread, NULL);
		pthread_create(&t, NULL, exit_thread, (void *)8L);
		for (;;)
			pause();
	}
	fmt_wait(pid);
}

void case_threads_exit(void)
{
	fmt_traced(body_threads_exit, 1);
}

/* exec from a thread other than the main one: E and X keep the process id. */
static void *exec_thread(void *arg)
{
	char *argv[] = { "prog", "exit", "4", NULL };
	char *envp[] = { NULL };

	(void)arg;
	execve("./prog", argv, envp);
	_exit(90);
	return NULL;
}

static void body_thread_exec(void)
{
	pthread_t t;

	open_close("main.txt");
	pthread_create(&t, NULL, spin_thread, NULL);
	pthread_create(&t, NULL, exec_thread, NULL);
	for (;;)
		pause();
}

void case_thread_exec(void)
{
	fmt_touch("main.txt");
	fmt_traced(body_thread_exec, 1);
}
