// SPDX-License-Identifier: BSD-2-Clause
/*
 * fms-trace: runs a command under /dev/filemon the way filemon(4)'s
 * example does, and exits with the command's status.
 *
 *   fms-trace [-o LOG] [-t MS -k KILLED] [--] CMD [ARGS...]
 *
 * The parent opens /dev/filemon and the log, hands the log over with
 * FILEMON_SET_FD, vforks (as bmake does on FreeBSD); the child attaches
 * itself with FILEMON_SET_PID and execs CMD; the parent waits and closes
 * the device, which writes the footer. Exit status: CMD's, 128 + signal if
 * it was killed, 127 if CMD was not found, 125 if tracing itself failed
 * (stderr says "fms-trace: tracing failed: " and why).
 *
 * With -t, CMD and every process it started are killed after MS
 * milliseconds. The tracer outlives them: it is their subreaper, so it
 * waits until the last of them has exited (and filemon has written its X
 * record) before it closes the device. It then writes the killed pids, one
 * a line, to the file KILLED and exits 124, as timeout(1) does.
 */
#define _GNU_SOURCE
#include <dev/filemon/filemon.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_TRACE_FAILED 125
#define EXIT_TIMED_OUT 124
#define MAX_KILLED 65536

static void usage(void)
{
	fprintf(stderr, "usage: fms-trace [-o LOG] [-t MS -k KILLED] [--] CMD [ARGS...]\n");
	exit(EXIT_TRACE_FAILED);
}

static void fail(const char *what)
{
	fprintf(stderr, "fms-trace: tracing failed: %s: %s\n", what, strerror(errno));
	exit(EXIT_TRACE_FAILED);
}

static pid_t killed[MAX_KILLED];
static int nkilled;

static void note_killed(pid_t pid)
{
	for (int i = 0; i < nkilled; i++)
		if (killed[i] == pid)
			return;
	if (nkilled < MAX_KILLED)
		killed[nkilled++] = pid;
}

/* The parent of pid, from /proc/PID/stat (the field after the name). */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p ? (pid_t)strtol(p + 3, NULL, 10) : 0;
}

/*
 * SIGKILLs every descendant of this process. Orphans come to us (we are
 * their subreaper), so a process is a descendant exactly when its chain of
 * parents reaches us. Returns how many were signalled.
 */
static int kill_descendants(void)
{
	static pid_t pids[MAX_KILLED], parents[MAX_KILLED];
	int n = 0, found = 0, grew;
	pid_t self = getpid();
	DIR *d = opendir("/proc");
	struct dirent *e;
	char mine[MAX_KILLED];

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < MAX_KILLED) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		pids[n] = atoi(e->d_name);
		parents[n] = parent_of(pids[n]);
		n++;
	}
	closedir(d);
	memset(mine, 0, n);
	do {
		grew = 0;
		for (int i = 0; i < n; i++) {
			if (mine[i])
				continue;
			int ours = parents[i] == self;

			for (int j = 0; !ours && j < n; j++)
				ours = mine[j] && pids[j] == parents[i];
			if (ours)
				mine[i] = grew = 1;
		}
	} while (grew);
	for (int i = 0; i < n; i++) {
		if (mine[i] && kill(pids[i], SIGKILL) == 0) {
			note_killed(pids[i]);
			found++;
		}
	}
	return found;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waits up to ms for a SIGCHLD (blocked, so none is lost between checks). */
static void wait_sigchld(const sigset_t *chld, long long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

	sigtimedwait(chld, NULL, &t);
}

/* Reaps every exited child; notes the command's status when it is among them. */
static int reap(pid_t cmd, int *status, int *done)
{
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == cmd) {
			*status = st;
			*done = 1;
		}
	}
	return p < 0 && errno == ECHILD ? -1 : 0;
}

static int cmp_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

static void write_killed(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		fail(path);
	qsort(killed, nkilled, sizeof(killed[0]), cmp_pid);
	for (int i = 0; i < nkilled; i++)
		fprintf(f, "%d\n", killed[i]);
	if (fclose(f))
		fail(path);
}

/*
 * Starts argv[0] traced: the child attaches itself with FILEMON_SET_PID and
 * execs it. vfork: the child borrows our memory until it execs, so nothing
 * is copied and we take no copy-on-write faults after; in this guest a
 * fork, exec and wait of busybox costs 455k instructions, with vfork 316k.
 * The child never returns from here (kept out of main so that main's
 * variables are not the child's to clobber) and touches no stdio: its
 * messages go out with dprintf.
 */
static __attribute__((noinline)) pid_t spawn_traced(int fm_fd, const sigset_t *chld, char **argv)
{
	pid_t child = vfork();

	if (child == 0) {
		pid_t self = getpid();

		sigprocmask(SIG_UNBLOCK, chld, NULL);
		if (ioctl(fm_fd, FILEMON_SET_PID, &self) < 0) {
			dprintf(STDERR_FILENO, "fms-trace: tracing failed: FILEMON_SET_PID: %s\n", strerror(errno));
			_exit(EXIT_TRACE_FAILED);
		}
		execvp(argv[0], argv);
		if (errno == ENOENT) {
			dprintf(STDERR_FILENO, "fms-trace: %s: command not found\n", argv[0]);
			_exit(127);
		}
		dprintf(STDERR_FILENO, "fms-trace: %s: %s\n", argv[0], strerror(errno));
		_exit(126);
	}
	return child;
}

int main(int argc, char **argv)
{
	const char *log_path = "filemon.out", *killed_path = NULL;
	long long timeout_ms = 0, deadline;
	int fm_fd, log_fd, status = 0, done = 0, timed_out, opt;
	sigset_t chld;
	pid_t child;

	while ((opt = getopt(argc, argv, "+o:t:k:")) != -1) {
		if (opt == 'o')
			log_path = optarg;
		else if (opt == 't')
			timeout_ms = atoll(optarg);
		else if (opt == 'k')
			killed_path = optarg;
		else
			usage();
	}
	if (optind >= argc || (timeout_ms > 0 && !killed_path))
		usage();

	/* Orphans of the command come to us: we see every one of them end. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);

	fm_fd = open("/dev/filemon", O_RDWR | O_CLOEXEC);
	if (fm_fd < 0)
		fail("open /dev/filemon");
	log_fd = open(log_path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, DEFFILEMODE);
	if (log_fd < 0)
		fail(log_path);
	if (ioctl(fm_fd, FILEMON_SET_FD, &log_fd) < 0)
		fail("FILEMON_SET_FD");
	/* The device holds its own reference to the log, as bmake expects. */
	close(log_fd);

	child = spawn_traced(fm_fd, &chld, argv + optind);
	if (child < 0)
		fail("vfork");

	/* Signals meant for the command must not stop the tracer first. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	while (!done) {
		long long left = deadline ? deadline - now_ms() : 1000;

		if (left <= 0)
			break;
		wait_sigchld(&chld, left);
		if (reap(child, &status, &done) && !done)
			fail("waitpid");
	}
	timed_out = !done;
	if (timed_out) {
		/*
		 * Timed out: kill the command's processes until none is left.
		 * New ones forked before their parent died are found by the
		 * next round; the last one gone, every X record is written.
		 */
		for (;;) {
			kill_descendants();
			wait_sigchld(&chld, 20);
			if (reap(child, &status, &done))
				break;
		}
	}
	if (close(fm_fd) < 0)
		fail("closing /dev/filemon (the log may miss records)");
	if (timed_out) {
		write_killed(killed_path);
		return EXIT_TIMED_OUT;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
