/* Shared helpers of the filemon conformance programs (guest side). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dev/filemon/filemon.h>

#include "fmt.h"

static char workpath[PATH_MAX];

void fmt_die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fflush(stdout);
	va_start(ap, fmt);
	fprintf(stderr, "fmt: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (errno %s)\n", fmt_errname(e));
	exit(99);
}

const char *fmt_errname(int e)
{
	static char buf[32];

	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EBADF: return "EBADF";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case EPIPE: return "EPIPE";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOTTY: return "ENOTTY";
	case ENOEXEC: return "ENOEXEC";
	case EIO: return "EIO";
	}
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	remove(path);
	return 0;
}

void fmt_workdir(const char *name)
{
	char exe[PATH_MAX];
	ssize_t n;

	mkdir(FMT_BASE, 0777);
	chmod(FMT_BASE, 0777);
	snprintf(workpath, sizeof(workpath), "%s/%s", FMT_BASE, name);
	nftw(workpath, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(workpath, 0777) == -1 || chmod(workpath, 0777) == -1)
		fmt_die("mkdir %s", workpath);
	if (chdir(workpath) == -1)
		fmt_die("chdir %s", workpath);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		fmt_die("readlink /proc/self/exe");
	exe[n] = '\0';
	if (symlink(exe, "prog") == -1)
		fmt_die("symlink prog");
}

const char *fmt_workpath(void)
{
	return workpath;
}

void fmt_touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd == -1 || write(fd, "data\n", 5) != 5 || close(fd) == -1)
		fmt_die("touch %s", path);
}

int fmt_filemon(void)
{
	int fd = open("/dev/filemon", O_RDWR | O_CLOEXEC);

	if (fd == -1)
		fmt_die("open /dev/filemon");
	return fd;
}

int fmt_logfile(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);

	if (fd == -1)
		fmt_die("open log %s", path);
	return fd;
}

int fmt_ioctl(int fm, unsigned long req, int arg)
{
	return ioctl(fm, req, &arg) == -1 ? errno : 0;
}

void fmt_setfd(int fm, int log)
{
	if (ioctl(fm, FILEMON_SET_FD, &log) == -1)
		fmt_die("FILEMON_SET_FD");
}

void fmt_attach_self(int fm)
{
	pid_t self = getpid();

	if (ioctl(fm, FILEMON_SET_PID, &self) == -1) {
		perror("FILEMON_SET_PID");
		_exit(100);
	}
}

int fmt_close(int fd)
{
	return close(fd) == -1 ? errno : 0;
}

int fmt_wait(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) == -1)
		fmt_die("waitpid %d", (int)pid);
	return st;
}

/*
 * Print one log line for comparison: this program's absolute path becomes
 * <PROG> (E records of relative execs name the resolved image, which
 * depends on where the tests are installed), and a word longer than 100
 * bytes becomes {N bytes: <first 16>...<last 16>}, which still shows that
 * a long path is whole, quotes included.
 */
static void print_line(const char *line, size_t len)
{
	char exe[PATH_MAX];
	size_t exelen = 0, i = 0, w;
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0)
		exelen = n;
	while (i < len) {
		if (exelen && len - i >= exelen && !memcmp(line + i, exe, exelen) &&
		    (len - i == exelen || line[i + exelen] == ' ' ||
		     line[i + exelen] == '\n' || line[i + exelen] == '\'')) {
			fputs("<PROG>", stdout);
			i += exelen;
			continue;
		}
		for (w = i; w < len && line[w] != ' ' && line[w] != '\n'; w++)
			;
		if (w - i > 100) {
			printf("{%zu bytes: %.16s...%.16s}", w - i, line + i,
			       line + w - 16);
			i = w;
			continue;
		}
		if (w == i)
			w++;
		fwrite(line + i, 1, w - i, stdout);
		i = w;
	}
}

void fmt_print_file(const char *title, const char *path)
{
	char *buf = NULL, *line, *end, *nl;
	size_t size = 0, len = 0;
	ssize_t n;
	int fd;

	fflush(stdout);
	printf("--- %s\n", title);
	fd = open(path, O_RDONLY);
	if (fd == -1) {
		printf("(cannot open %s: %s)\n", path, fmt_errname(errno));
		return;
	}
	for (;;) {
		if (len == size) {
			size = size ? 2 * size : 65536;
			buf = realloc(buf, size);
			if (!buf)
				fmt_die("realloc");
		}
		n = read(fd, buf + len, size - len);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	end = buf + len;
	for (line = buf; line < end; line = nl) {
		nl = memchr(line, '\n', end - line);
		nl = nl ? nl + 1 : end;
		print_line(line, nl - line);
	}
	fflush(stdout);
	free(buf);
}

void fmt_traced(void (*body)(void), int print_log)
{
	int fm, log;
	pid_t pid;

	fm = fmt_filemon();
	log = fmt_logfile("log");
	fmt_setfd(fm, log);
	fflush(stdout);
	pid = fork();
	if (pid == -1)
		fmt_die("fork");
	if (pid == 0) {
		fmt_attach_self(fm);
		body();
		_exit(0);
	}
	fmt_wait(pid);
	printf("close: %s\n", fmt_errname(fmt_close(fm)));
	close(log);
	if (print_log)
		fmt_print_file("log", "log");
}

void fmt_gate_init(struct fmt_gate *g)
{
	if (pipe(g->fd) == -1)
		fmt_die("pipe");
}

void fmt_gate_open(struct fmt_gate *g)
{
	if (write(g->fd[1], "g", 1) != 1)
		fmt_die("gate write");
}

void fmt_gate_wait(struct fmt_gate *g)
{
	char c;

	if (read(g->fd[0], &c, 1) != 1)
		fmt_die("gate read");
}
