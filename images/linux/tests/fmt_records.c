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

/* E: execve, path as given; then the new image's exit status. */
static void body_rec_e(void)
{
	char *argv[] = { "prog", "exit", "3", NULL };
	char *envp[] = { NULL };

	syscall(SYS_execve, "./prog", argv, envp);
	_exit(90);
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

/* X: the exit status. */
static void body_rec_x(void)
{
	_exit(7);
}

void case_rec_x(void)
{
	fmt_traced(body_rec_x, 1);
}

/* A record longer than 1023 bytes is cut to 1022 bytes plus '\n'. */
static char longtarget[1021];

static void body_rec_long(void)
{
	syscall(SYS_symlink, longtarget, "s");
}

void case_rec_long(void)
{
	char buf[8192], *line, *next, want[2048];
	ssize_t n;
	int fd;

	memset(longtarget, 'x', 1020);	/* fits MAXPATHLEN, the line does not */
	fmt_traced(body_rec_long, 0);
	printf("--- log (long lines checked and elided)\n");
	fd = open("log", O_RDONLY);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		fmt_die("read log");
	buf[n] = '\0';
	for (line = buf; *line; line = next) {
		size_t len;

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		len = next - line;
		if (len < 200) {
			fwrite(line, 1, len, stdout);
			continue;
		}
		/* Expected: "L <pid> '" xxx... "' 's'\n", cut to 1022 + '\n'. */
		{
			int pid = atoi(line + 2);

			snprintf(want, sizeof(want), "L %d '%s' 's'", pid, longtarget);
			want[1022] = '\n';
			want[1023] = '\0';
			printf("[L record of %zu bytes: %s]\n", len,
			       len == 1023 && !memcmp(line, want, 1023) ?
			       "cut correctly" : "WRONG");
		}
	}
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
