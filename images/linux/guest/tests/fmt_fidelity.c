/*
 * Cases: FreeBSD 11+ behaviours that a Linux implementation can easily get
 * wrong (issue 13), and records of tasks that are being killed (issue 14):
 * a path whose page is gone when the call returns, #! exec paths, core
 * dumps in X, SET_PID's credential and mid-exec refusals, memory pressure,
 * exit_group() of a writing multithreaded process and kill -9 of a writer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dev/filemon/filemon.h>

#include "fmt.h"
#include "fmt_cases.h"

/*
 * A call that sleeps while its path's page is unmapped: a thread opens a
 * FIFO through a name kept in a shared file mapping and blocks; the main
 * thread drops the mapping's pages (MADV_DONTNEED) and only then lets the
 * tracer open the other end.  The open succeeded, so it is logged, and
 * close() returns 0 (FreeBSD's copyinstr faults the page back in).
 */
static char *fault_name;
static struct fmt_gate fault_gate;

static void *fault_reader(void *arg)
{
	long fd;

	(void)arg;
	fd = syscall(SYS_open, fault_name, O_RDONLY);
	return (void *)fd;
}

static void body_rec_fault(void)
{
	pthread_t t;
	void *res;
	int fd;

	fd = open("names", O_RDWR);
	fault_name = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			  0);
	if (fault_name == MAP_FAILED)
		_exit(92);
	close(fd);
	if (pthread_create(&t, NULL, fault_reader, NULL))
		_exit(93);
	usleep(300000);		/* the reader is blocked in open() */
	if (madvise(fault_name, 4096, MADV_DONTNEED))
		_exit(94);
	fmt_gate_open(&fault_gate);
	pthread_join(t, &res);
	if ((long)res < 0)
		_exit(95);
}

void case_rec_fault(void)
{
	char page[4096] = "fifo";
	int fd;
	pid_t pid;

	if (mkfifo("fifo", 0644) == -1)
		fmt_die("mkfifo");
	fd = open("names", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd == -1 || write(fd, page, sizeof(page)) != sizeof(page))
		fmt_die("names");
	close(fd);
	fmt_gate_init(&fault_gate);
	pid = fork();
	if (pid == 0) {
		int fm = fmt_filemon(), log = fmt_logfile("log");

		fmt_setfd(fm, log);
		if (fork() == 0) {
			fmt_attach_self(fm);
			body_rec_fault();
			_exit(0);
		}
		wait(NULL);
		printf("close: %s\n", fmt_errname(fmt_close(fm)));
		fmt_print_file("log", "log");
		_exit(0);
	}
	/* The untraced writer end, once the reader's page is gone. */
	fmt_gate_wait(&fault_gate);
	fd = open("fifo", O_WRONLY);
	close(fd);
	fmt_wait(pid);
}

/*
 * #! scripts: E names the interpreter that finally runs, as given when
 * absolute (/bin/sh), resolved when relative (prog -> <PROG>); the script
 * itself gets no E.
 */
static void exec_script(const char *path)
{
	char *argv[] = { (char *)path, NULL };
	char *envp[] = { NULL };
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		syscall(SYS_execve, path, argv, envp);
		_exit(90);
	}
	fmt_wait(pid);
}

static void body_rec_e_script(void)
{
	exec_script("./abs.sh");
	exec_script("./rel.sh");
}

static void write_script(const char *name, const char *text)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		fmt_die("script %s", name);
	close(fd);
}

void case_rec_e_script(void)
{
	write_script("abs.sh", "#!/bin/sh\nexit 4\n");
	write_script("rel.sh", "#!prog exit 5\n");
	fmt_traced(body_rec_e_script, 1);
}

/* X of a process that dumped core: the signal plus 0x80 (134 = SIGABRT). */
static void body_killed_core(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	pid_t pid;
	int st;

	pid = fork();
	if (pid == 0) {
		setrlimit(RLIMIT_CORE, &rl);
		prctl(PR_SET_DUMPABLE, 1);
		abort();
	}
	st = fmt_wait(pid);
	if (!WIFSIGNALED(st) || !WCOREDUMP(st))
		_exit(80);	/* the guest wrote no core: X would show 6 */
}

void case_killed_core(void)
{
	fmt_traced(body_killed_core, 1);
}

/*
 * SET_PID's permission check is FreeBSD's p_candebug(): the caller's
 * effective uid equals the target's real, effective and saved uids; the
 * target's groups (real, effective, saved, supplementary) are a subset of
 * the caller's effective group set; and the target is not set-id (on
 * Linux: changed credentials left it non-dumpable), unless the caller is
 * privileged.
 */
struct target {
	pid_t pid;
	struct fmt_gate ready, done;
};

static void start_target(struct target *t, gid_t gid, gid_t group,
			 int dumpable)
{
	fmt_gate_init(&t->ready);
	fmt_gate_init(&t->done);
	t->pid = fork();
	if (t->pid == 0) {
		if (setgroups(group ? 1 : 0, &group) == -1 ||
		    setresgid(gid, gid, gid) == -1 ||
		    setresuid(1000, 1000, 1000) == -1)
			_exit(81);
		if (dumpable)
			prctl(PR_SET_DUMPABLE, 1);
		fmt_gate_open(&t->ready);
		fmt_gate_wait(&t->done);
		_exit(0);
	}
	fmt_gate_wait(&t->ready);
}

static void stop_target(struct target *t)
{
	fmt_gate_open(&t->done);
	fmt_wait(t->pid);
}

void case_err_setpid_cred(void)
{
	static const gid_t tracer_groups[] = { 1000, 2000 };
	struct target subset, other, setid;
	int fm, st;
	pid_t pid;

	start_target(&subset, 2000, 0, 1);
	start_target(&other, 1000, 3000, 1);
	start_target(&setid, 1000, 0, 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (setgroups(2, tracer_groups) == -1 ||
		    setresgid(1000, 1000, 1000) == -1 ||
		    setresuid(1000, 1000, 1000) == -1)
			_exit(81);
		fm = fmt_filemon();
		printf("uid 1000 groups 1000,2000 -> target gid 2000: %s\n",
		       fmt_errname(fmt_ioctl(fm, FILEMON_SET_PID, subset.pid)));
		printf("uid 1000 groups 1000,2000 -> target group 3000: %s\n",
		       fmt_errname(fmt_ioctl(fm, FILEMON_SET_PID, other.pid)));
		printf("uid 1000 groups 1000,2000 -> set-id target: %s\n",
		       fmt_errname(fmt_ioctl(fm, FILEMON_SET_PID, setid.pid)));
		printf("unprivileged close: %s\n", fmt_errname(fmt_close(fm)));
		_exit(0);
	}
	st = fmt_wait(pid);
	if (st != 0)
		printf("tracer status %d\n", st);
	fm = fmt_filemon();
	printf("root -> set-id target: %s\n",
	       fmt_errname(fmt_ioctl(fm, FILEMON_SET_PID, setid.pid)));
	printf("close: %s\n", fmt_errname(fmt_close(fm)));
	stop_target(&subset);
	stop_target(&other);
	stop_target(&setid);
}

/*
 * EBUSY for a target in the middle of an exec: the target execs itself
 * over and over while we keep asking to trace it.  Every answer is 0 or
 * EBUSY (and ESRCH once it is gone); at least one is EBUSY.
 */
void case_setpid_exec_busy(void)
{
	int fm, log, e, busy = 0, other = 0, tries = 0;
	pid_t pid;

	fm = fmt_filemon();
	log = fmt_logfile("log");
	fmt_setfd(fm, log);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "prog", "execloop", "3000", (char *)NULL);
		_exit(90);
	}
	for (;;) {
		e = fmt_ioctl(fm, FILEMON_SET_PID, pid);
		tries++;
		if (e == EBUSY)
			busy++;
		else if (e == ESRCH)
			break;
		else if (e != 0 && other++ == 0)
			printf("unexpected: %s\n", fmt_errname(e));
		if (busy >= 3) {
			kill(pid, SIGKILL);
			break;
		}
	}
	fmt_wait(pid);
	printf("EBUSY seen: %s\n", busy ? "yes" : "no");
	printf("other errors: %d\n", other);
	printf("close: %s\n", fmt_errname(fmt_close(fm)));
	close(log);
}

/* Counts of each record letter in a log, and whether it ends properly. */
struct counts {
	int letters[26];
	int footer;
};

static void count_log(const char *path, struct counts *c)
{
	char line[8192];
	FILE *f = fopen(path, "r");

	memset(c, 0, sizeof(*c));
	if (!f)
		fmt_die("fopen %s", path);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] >= 'A' && line[0] <= 'Z' && line[1] == ' ')
			c->letters[line[0] - 'A']++;
		c->footer = !strcmp(line, "# Bye bye\n");
	}
	fclose(f);
}

/*
 * A traced workload while another process holds most of the guest's
 * memory: 2000 opens of names kept in a file mapping (whose pages the
 * kernel may reclaim) and 100 fork+exec.  Every record is there.
 */
static long mem_available_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void fill_memory(struct fmt_gate *ready)
{
	char *p;

	/* Leave about 12 MB: enough for the workload, not for caches. */
	while (mem_available_kb() > 12 * 1024) {
		p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			break;
		memset(p, 1, 1 << 20);
	}
	fmt_gate_open(ready);
	for (;;)
		pause();
}

static void body_mem_pressure(void)
{
	char *names;
	int fd, i;
	pid_t pid;

	fd = open("names", O_RDONLY);
	names = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (names == MAP_FAILED)
		_exit(92);
	close(fd);
	for (i = 0; i < 2000; i++) {
		madvise(names, 4096, MADV_DONTNEED);
		fd = syscall(SYS_open, names + (i % 4) * 16, O_RDONLY);
		if (fd < 0)
			_exit(93);
		close(fd);
	}
	for (i = 0; i < 100; i++) {
		pid = fork();
		if (pid == 0) {
			execl("./prog", "prog", "exit", "0", (char *)NULL);
			_exit(90);
		}
		fmt_wait(pid);
	}
}

void case_mem_pressure(void)
{
	char page[4096];
	struct fmt_gate ready;
	struct counts c;
	pid_t filler;
	int fd, i;

	memset(page, 0, sizeof(page));
	for (i = 0; i < 4; i++) {
		snprintf(page + i * 16, 16, "in%d.txt", i);
		fmt_touch(page + i * 16);
	}
	fd = open("names", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd == -1 || write(fd, page, sizeof(page)) != sizeof(page))
		fmt_die("names");
	close(fd);
	fmt_gate_init(&ready);
	filler = fork();
	if (filler == 0)
		fill_memory(&ready);
	fmt_gate_wait(&ready);
	fmt_traced(body_mem_pressure, 0);
	kill(filler, SIGKILL);
	fmt_wait(filler);
	count_log("log", &c);
	printf("records: R=%d F=%d E=%d X=%d footer=%d\n", c.letters['R' - 'A'],
	       c.letters['F' - 'A'], c.letters['E' - 'A'],
	       c.letters['X' - 'A'], c.footer);
}

/*
 * Records of tasks that are being killed while they write: each of 10
 * runs traces a process whose threads (or a single process) create files
 * in a loop until exit_group() (or SIGKILL from the tracer) ends it, a
 * little after the first file was written.
 * Every file on disk must have its W record and close() must return 0.
 */
static struct fmt_gate writing;	/* a byte per writer once it wrote */

static void write_files(int id)
{
	char name[32];
	long fd;
	int k;

	for (k = 0;; k++) {
		if (k == 1)
			fmt_gate_open(&writing);
		snprintf(name, sizeof(name), "f%d-%d", id, k);
		fd = syscall(SYS_open, name, O_WRONLY | O_CREAT, 0644);
		if (fd >= 0) {
			if (write(fd, name, strlen(name)) < 0)
				_exit(96);
			close(fd);
		}
	}
}

static void *writer_thread(void *arg)
{
	write_files((int)(long)arg);
	return NULL;
}

static void body_exit_group(void)
{
	pthread_t t;
	long i;

	for (i = 1; i <= 10; i++)
		pthread_create(&t, NULL, writer_thread, (void *)i);
	fmt_gate_wait(&writing);
	usleep(20000);
	syscall(SYS_exit_group, 0);
}

/* Files in the cwd named f*, each with a "W <pid> <name>" line in log. */
static int files_without_w(const char *log)
{
	char line[256], *p;
	struct dirent *d;
	int missing = 0, nfiles = 0, found;
	FILE *f;
	DIR *dir;

	dir = opendir(".");
	if (!dir)
		fmt_die("opendir");
	while ((d = readdir(dir))) {
		if (d->d_name[0] != 'f' || d->d_name[1] < '0' ||
		    d->d_name[1] > '9')
			continue;
		nfiles++;
		found = 0;
		f = fopen(log, "r");
		while (!found && fgets(line, sizeof(line), f)) {
			if (line[0] != 'W')
				continue;
			p = strchr(line + 2, ' ');
			found = p && !strncmp(p + 1, d->d_name,
					      strlen(d->d_name)) &&
				p[1 + strlen(d->d_name)] == '\n';
		}
		fclose(f);
		if (!found)
			missing++;
	}
	closedir(dir);
	if (!nfiles)
		missing = -1;	/* the workload wrote nothing: no test */
	return missing;
}

static void killed_writers(int use_kill)
{
	int run, missing = 0, close_errors = 0, fm, log, m;
	char dir[32];
	pid_t pid;

	for (run = 0; run < 10; run++) {
		snprintf(dir, sizeof(dir), "run%d", run);
		mkdir(dir, 0755);
		if (chdir(dir) == -1)
			fmt_die("chdir %s", dir);
		fm = fmt_filemon();
		log = fmt_logfile("../log");
		fmt_setfd(fm, log);
		fmt_gate_init(&writing);
		pid = fork();
		if (pid == 0) {
			fmt_attach_self(fm);
			if (use_kill)
				write_files(0);
			body_exit_group();
			_exit(0);
		}
		if (use_kill) {
			fmt_gate_wait(&writing);
			usleep(10000 + run * 3000);
			kill(pid, SIGKILL);
		}
		fmt_wait(pid);
		if (fmt_close(fm))
			close_errors++;
		close(log);
		m = files_without_w("../log");
		if (m)
			missing += m < 0 ? 1000 : m;
		close(writing.fd[0]);
		close(writing.fd[1]);
		if (chdir("..") == -1)
			fmt_die("chdir ..");
	}
	printf("runs: 10, files without W: %d, close errors: %d\n", missing,
	       close_errors);
}

void case_exit_group_writes(void)
{
	killed_writers(0);
}

void case_kill9_writes(void)
{
	killed_writers(1);
}
