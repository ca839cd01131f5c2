/*
 * Cases: one per record type, and the Linux variants of each call.
 * Calls are made with syscall(2) so that the exact Linux system call
 * under test is used, whatever the C library prefers.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fmt.h"
#include "fmt_cases.h"

#define WD FMT_BASE

static void sys_close(long fd)
{
	if (fd >= 0)
		close(fd);
}

/* R: O_RDONLY, also with O_CREAT|O_TRUNC; open and openat(AT_FDCWD). */
static void body_rec_r(void)
{
	sys_close(syscall(SYS_open, "in.txt", O_RDONLY));
	sys_close(syscall(SYS_open, "new.txt", O_RDONLY | O_CREAT | O_TRUNC, 0644));
	sys_close(syscall(SYS_openat, AT_FDCWD, "in.txt", O_RDONLY));
}

void case_rec_r(void)
{
	fmt_touch("in.txt");
	fmt_traced(body_rec_r, 1);
}

/* W: O_WRONLY, creat(2), openat with O_APPEND. */
static void body_rec_w(void)
{
	sys_close(syscall(SYS_open, "out.txt", O_WRONLY | O_CREAT, 0644));
	sys_close(syscall(SYS_creat, "creat.txt", 0644));
	sys_close(syscall(SYS_openat, AT_FDCWD, "out.txt", O_WRONLY | O_APPEND));
}

void case_rec_w(void)
{
	fmt_traced(body_rec_w, 1);
}

/* O_RDWR: R then W, relative and absolute. */
static void body_rec_rw(void)
{
	sys_close(syscall(SYS_open, "rw.txt", O_RDWR | O_CREAT, 0644));
	sys_close(syscall(SYS_openat, AT_FDCWD, WD "/rec_rw/in.txt", O_RDWR));
}

void case_rec_rw(void)
{
	fmt_touch("in.txt");
	fmt_traced(body_rec_rw, 1);
}

/* A: openat with a directory descriptor and a relative path. */
static void body_rec_a(void)
{
	long dfd, pfd;

	dfd = syscall(SYS_open, "d", O_RDONLY | O_DIRECTORY);
	sys_close(syscall(SYS_openat, dfd, "f", O_RDONLY));
	sys_close(syscall(SYS_openat, dfd, "g", O_RDWR | O_CREAT, 0644));
	sys_close(syscall(SYS_openat, dfd, WD "/rec_a/d/f", O_RDONLY));
	pfd = syscall(SYS_open, "d", O_PATH | O_DIRECTORY);
	sys_close(syscall(SYS_openat, pfd, "f", O_WRONLY));
	sys_close(syscall(SYS_openat, AT_FDCWD, "d/f", O_RDONLY));
}

void case_rec_a(void)
{
	mkdir("d", 0755);
	fmt_touch("d/f");
	fmt_traced(body_rec_a, 1);
}

/* openat2 maps to R/W (and A) like openat. */
static long sys_openat2(int dfd, const char *path, unsigned long long flags,
			unsigned long long mode)
{
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = flags;
	how.mode = mode;
	return syscall(SYS_openat2, dfd, path, &how, sizeof(how));
}

static void body_rec_openat2(void)
{
	long dfd;

	sys_close(sys_openat2(AT_FDCWD, "in.txt", O_RDWR, 0));
	sys_close(sys_openat2(AT_FDCWD, "in.txt", O_RDONLY, 0));
	dfd = syscall(SYS_open, "d", O_RDONLY | O_DIRECTORY);
	sys_close(sys_openat2(dfd, "f", O_WRONLY | O_CREAT, 0644));
}

void case_rec_openat2(void)
{
	fmt_touch("in.txt");
	mkdir("d", 0755);
	fmt_traced(body_rec_openat2, 1);
}

/* C: chdir only (fchdir is not logged, as on FreeBSD). */
static void body_rec_c(void)
{
	long dfd;

	syscall(SYS_chdir, "sub");
	sys_close(syscall(SYS_open, "f", O_RDONLY));
	dfd = syscall(SYS_open, "..", O_RDONLY | O_DIRECTORY);
	syscall(SYS_fchdir, dfd);
	syscall(SYS_chdir, WD "/rec_c");
}

void case_rec_c(void)
{
	mkdir("sub", 0755);
	fmt_touch("sub/f");
	fmt_traced(body_rec_c, 1);
}

/* D: unlink, unlinkat without AT_REMOVEDIR; directories are not logged. */
static void body_rec_d(void)
{
	syscall(SYS_unlink, "x");
	syscall(SYS_unlinkat, AT_FDCWD, "y", 0);
	syscall(SYS_unlinkat, AT_FDCWD, "dd", AT_REMOVEDIR);
	syscall(SYS_rmdir, "ee");
}

void case_rec_d(void)
{
	fmt_touch("x");
	fmt_touch("y");
	mkdir("dd", 0755);
	mkdir("ee", 0755);
	fmt_traced(body_rec_d, 1);
}

/*
 * E names the image that runs, as FreeBSD's imgp->execpath: an absolute
 * path as given (the symlink ./prog is not resolved), a relative one
 * resolved to the image's full path (<PROG> in the output).
 */
static void run_exec(const char *path, const char *status)
{
	char *argv[] = { "prog", "exit", (char *)status, NULL };
	char *envp[] = { NULL };
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		syscall(SYS_execve, path, argv, envp);
		_exit(90);
	}
	fmt_wait(pid);
}

static void body_rec_e(void)
{
	run_exec(WD "/rec_e/prog", "4");
	run_exec("./prog", "3");
}

void case_rec_e(void)
{
	fmt_traced(body_rec_e, 1);
}

/* E from execveat: AT_FDCWD, and a directory descriptor with a relative path. */
static void body_rec_execveat(void)
{
	char *argv5[] = { "prog", "exit", "5", NULL };
	char *argv6[] = { "prog", "exit", "6", NULL };
	char *envp[] = { NULL };
	long dfd;
	pid_t pid;

	dfd = syscall(SYS_open, ".", O_RDONLY | O_DIRECTORY);
	pid = fork();
	if (pid == 0) {
		syscall(SYS_execveat, AT_FDCWD, "./prog", argv5, envp, 0);
		_exit(90);
	}
	fmt_wait(pid);
	pid = fork();
	if (pid == 0) {
		syscall(SYS_execveat, dfd, "prog", argv6, envp, 0);
		_exit(90);
	}
	fmt_wait(pid);
}

void case_rec_execveat(void)
{
	fmt_traced(body_rec_execveat, 1);
}

/* F: fork(2). */
static void body_rec_f(void)
{
	pid_t pid = syscall(SYS_fork);

	if (pid == 0)
		_exit(0);
	fmt_wait(pid);
}

void case_rec_f(void)
{
	fmt_traced(body_rec_f, 1);
}

/* L: link, symlink, linkat, symlinkat; both paths quoted. */
static void body_rec_l(void)
{
	syscall(SYS_link, "a", "b");
	syscall(SYS_symlink, "a", "s");
	syscall(SYS_linkat, AT_FDCWD, "a", AT_FDCWD, "c", 0);
	syscall(SYS_symlinkat, "a", AT_FDCWD, "t");
	syscall(SYS_symlink, "no such target", "u");
}

void case_rec_l(void)
{
	fmt_touch("a");
	fmt_traced(body_rec_l, 1);
}

/* M: rename, renameat, renameat2. */
static void body_rec_m(void)
{
	syscall(SYS_rename, "a", "b");
	syscall(SYS_renameat, AT_FDCWD, "b", AT_FDCWD, "c");
	syscall(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "d", 1 /* RENAME_NOREPLACE */);
}

void case_rec_m(void)
{
	fmt_touch("a");
	fmt_traced(body_rec_m, 1);
}

/* X: the whole int given to _exit(), as FreeBSD keeps it. */
static void body_rec_x(void)
{
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(256);
	fmt_wait(pid);
	pid = fork();
	if (pid == 0)
		_exit(-1);
	fmt_wait(pid);
	_exit(7);
}

void case_rec_x(void)
{
	fmt_traced(body_rec_x, 1);
}

/*
 * Records are never cut: an L record with a 1020-byte target (FreeBSD's
 * record buffer holds two MAXPATHLEN paths), and Linux's longer paths: an
 * open of a 4000-byte path and a link and a rename of two 2000-byte ones.
 */
static char target1020[1021], path4000[4001], from2000[2001], to2000[2001];

/* "./././.../tail", @len bytes or one less. */
static void dots(char *buf, size_t len, const char *tail)
{
	size_t i, n = (len - strlen(tail)) & ~(size_t)1;

	for (i = 0; i < n; i += 2)
		memcpy(buf + i, "./", 2);
	strcpy(buf + n, tail);
}

static void body_rec_long(void)
{
	syscall(SYS_symlink, target1020, "s");
	sys_close(syscall(SYS_open, path4000, O_RDONLY));
	syscall(SYS_link, from2000, to2000);
	syscall(SYS_rename, from2000, "c");
}

void case_rec_long(void)
{
	memset(target1020, 'x', 1020);
	dots(path4000, 4000, "in.txt");
	dots(from2000, 2000, "a");
	dots(to2000, 2000, "b");
	fmt_touch("in.txt");
	fmt_touch("a");
	fmt_traced(body_rec_long, 1);
}

/* Nothing else is logged: mkdir, rmdir, stat, chmod, truncate, mknod, ... */
static void body_not_logged(void)
{
	struct stat st;
	char buf[64];
	long fd;

	syscall(SYS_mkdir, "m", 0755);
	syscall(SYS_rmdir, "m");
	stat("in.txt", &st);
	access("in.txt", R_OK);
	chmod("in.txt", 0600);
	truncate("in.txt", 0);
	mkfifo("fifo", 0644);
	readlink("prog", buf, sizeof(buf));
	(void)!getcwd(buf, sizeof(buf));
	fd = syscall(SYS_open, "/nonexistent/x", O_RDONLY);
	sys_close(fd);
}

void case_not_logged(void)
{
	fmt_touch("in.txt");
	fmt_traced(body_not_logged, 1);
}
