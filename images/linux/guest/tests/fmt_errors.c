/* Cases: the errors of FILEMON_SET_FD, FILEMON_SET_PID, ioctl and close. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <dev/filemon/filemon.h>

#include "fmt.h"
#include "fmt_cases.h"

/* EEXIST for a second SET_FD; EBADF for a descriptor not open for writing. */
void case_err_setfd(void)
{
	int fm, fm2, log, ro;

	fm = fmt_filemon();
	log = fmt_logfile("log");
	printf("set_fd: %s\n", fmt_errname(fmt_ioctl(fm, FILEMON_SET_FD, log)));
	printf("set_fd again: %s\n",
	       fmt_errname(fmt_ioctl(fm, FILEMON_SET_FD, log)));
	printf("close: %s\n", fmt_errname(fmt_close(fm)));

	fm2 = fmt_filemon();
	ro = open("log", O_RDONLY);
	printf("set_fd read-only: %s\n",
	       fmt_errname(fmt_ioctl(fm2, FILEMON_SET_FD, ro)));
	printf("set_fd not open: %s\n",
	       fmt_errname(fmt_ioctl(fm2, FILEMON_SET_FD, 999)));
	printf("set_fd -1: %s\n",
	       fmt_errname(fmt_ioctl(fm2, FILEMON_SET_FD, -1)));
	printf("close without log: %s\n", fmt_errname(fmt_close(fm2)));
	close(ro);
	fmt_print_file("log", "log");
}

static void drop_privileges(void)
{
	if (setgroups(0, NULL) == -1 || setresgid(1000, 1000, 1000) == -1 ||
	    setresuid(1000, 1000, 1000) == -1)
		fmt_die("dropping privileges");
}

/* ESRCH for a pid that does not exist; EPERM for one we may not debug. */
void case_err_setpid(void)
{
	int fm, log, st;
	pid_t gone, pid;

	fm = fmt_filemon();
	log = fmt_logfile("log");
	fmt_setfd(fm, log);

	gone = fork();
	if (gone == 0)
		_exit(0);
	fmt_wait(gone);
	printf("set_pid reaped child: %s\n",
	       fmt_errname(fmt_ioctl(fm, FILEMON_SET_PID, gone)));
	printf("set_pid 0x7ffffff0: %s\n",
	       fmt_errname(fmt_ioctl(fm, FILEMON_SET_PID, 0x7ffffff0)));

	pid = fork();
	if (pid == 0) {
		int fm2;

		drop_privileges();
		fm2 = fmt_filemon();
		printf("unprivileged set_pid 1: %s\n",
		       fmt_errname(fmt_ioctl(fm2, FILEMON_SET_PID, 1)));
		printf("unprivileged set_pid self: %s\n",
		       fmt_errname(fmt_ioctl(fm2, FILEMON_SET_PID, getpid())));
		printf("unprivileged close: %s\n", fmt_errname(fmt_close(fm2)));
		exit(0);
	}
	st = fmt_wait(pid);
	if (st != 0)
		printf("unprivileged child status %d\n", st);
	printf("close: %s\n", fmt_errname(fmt_close(fm)));
	fmt_print_file("log", "log");
}

/* Any other ioctl: EINVAL. */
void case_err_ioctl(void)
{
	struct termios t;
	int fm, n;

	fm = fmt_filemon();
	printf("_IOWR('S', 3, int): %s\n",
	       fmt_errname(fmt_ioctl(fm, _IOWR('S', 3, int), 0)));
	printf("_IOW('S', 1, int): %s\n",
	       fmt_errname(fmt_ioctl(fm, _IOW('S', 1, int), 0)));
	printf("_IO('S', 2): %s\n", fmt_errname(fmt_ioctl(fm, _IO('S', 2), 0)));
	printf("TCGETS: %s\n",
	       fmt_errname(ioctl(fm, TCGETS, &t) == -1 ? errno : 0));
	printf("FIONREAD: %s\n",
	       fmt_errname(ioctl(fm, FIONREAD, &n) == -1 ? errno : 0));
	printf("close: %s\n", fmt_errname(fmt_close(fm)));
}

/*
 * EBUSY: SET_PID of a process another instance traces, not the caller.
 * The process itself may re-attach, which moves it to the new instance.
 */
void case_err_busy(void)
{
	struct fmt_gate go;
	int fm1, fm2, log1, log2, fd;
	pid_t pid;

	fmt_touch("one.txt");
	fmt_touch("two.txt");
	fm1 = fmt_filemon();
	log1 = fmt_logfile("log1");
	fmt_setfd(fm1, log1);
	fm2 = fmt_filemon();
	log2 = fmt_logfile("log2");
	fmt_setfd(fm2, log2);
	fmt_gate_init(&go);

	pid = fork();
	if (pid == 0) {
		fmt_gate_wait(&go);
		fd = open("one.txt", O_RDONLY);
		close(fd);
		printf("child set_pid self on second: %s\n",
		       fmt_errname(fmt_ioctl(fm2, FILEMON_SET_PID, getpid())));
		fd = open("two.txt", O_RDONLY);
		close(fd);
		_exit(0);
	}
	printf("set_pid child on first: %s\n",
	       fmt_errname(fmt_ioctl(fm1, FILEMON_SET_PID, pid)));
	printf("set_pid child on second: %s\n",
	       fmt_errname(fmt_ioctl(fm2, FILEMON_SET_PID, pid)));
	fmt_gate_open(&go);
	fmt_wait(pid);
	printf("close first: %s\n", fmt_errname(fmt_close(fm1)));
	printf("close second: %s\n", fmt_errname(fmt_close(fm2)));
	fmt_print_file("log1", "log1");
	fmt_print_file("log2", "log2");
}

/*
 * Paths longer than FreeBSD's MAXPATHLEN are legal on Linux: a 1100-byte
 * path is logged whole.  A path over PATH_MAX fails in the call itself
 * (ENAMETOOLONG), so nothing is logged and close() is not affected.
 */
static char path1100[1101], path5000[5001];

static void body_toolong(void)
{
	long fd;

	fd = syscall(SYS_open, path1100, O_RDONLY);
	if (fd < 0)
		_exit(91);
	close(fd);
	fd = syscall(SYS_open, path5000, O_RDONLY);
	if (fd >= 0 || errno != ENAMETOOLONG)
		_exit(92);
	fd = syscall(SYS_open, "in.txt", O_RDONLY);
	close(fd);
}

void case_err_toolong(void)
{
	size_t i;

	fmt_touch("in.txt");
	for (i = 0; i < 1094; i += 2)
		memcpy(path1100 + i, "./", 2);
	strcpy(path1100 + i, "in.txt");
	for (i = 0; i < 4994; i += 2)
		memcpy(path5000 + i, "./", 2);
	strcpy(path5000 + i, "in.txt");
	fmt_traced(body_toolong, 1);
}

/*
 * A path argument that cannot be copied when the record is made: a thread
 * blocks in open() of a FIFO whose name is on a page that another thread
 * then makes inaccessible before opening the FIFO's other end.  The open
 * succeeds, its record is lost, close() says EFAULT.
 */
static char *fifo_name;

static void *reader(void *arg)
{
	long fd;

	(void)arg;
	fd = syscall(SYS_open, fifo_name, O_RDONLY);
	return (void *)fd;
}

static void body_efault(void)
{
	pthread_t t;
	void *res;
	long fd;

	fifo_name = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fifo_name == MAP_FAILED)
		_exit(92);
	strcpy(fifo_name, "fifo");
	if (pthread_create(&t, NULL, reader, NULL))
		_exit(93);
	usleep(300000);		/* the reader is blocked in open() */
	mprotect(fifo_name, 4096, PROT_NONE);
	fd = syscall(SYS_open, "fifo", O_WRONLY);
	pthread_join(t, &res);
	if (fd < 0 || (long)res < 0)
		_exit(94);
}

void case_err_efault(void)
{
	if (mkfifo("fifo", 0644) == -1)
		fmt_die("mkfifo");
	fmt_traced(body_efault, 1);
}

/* A log write that fails (full filesystem): close() returns ENOSPC. */
static void body_enospc(void)
{
	char name[128];
	long fd;
	int i;

	memset(name, 'n', 100);
	strcpy(name + 100, ".txt");
	for (i = 0; i < 100; i++) {
		fd = syscall(SYS_open, name, O_RDONLY);
		close(fd);
	}
}

void case_err_enospc(void)
{
	char name[128];
	struct stat st;
	int fm, log;
	pid_t pid;

	memset(name, 'n', 100);
	strcpy(name + 100, ".txt");
	fmt_touch(name);
	mkdir("full", 0755);
	if (mount("fmtest", "full", "tmpfs", 0, "size=4k") == -1)
		fmt_die("mount tmpfs");
	fm = fmt_filemon();
	log = fmt_logfile("full/log");
	fmt_setfd(fm, log);
	pid = fork();
	if (pid == 0) {
		fmt_attach_self(fm);
		body_enospc();
		_exit(0);
	}
	fmt_wait(pid);
	printf("close: %s\n", fmt_errname(fmt_close(fm)));
	fstat(log, &st);
	printf("log size: %lld\n", (long long)st.st_size);
	close(log);
	umount("full");
}
