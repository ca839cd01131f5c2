// SPDX-License-Identifier: BSD-2-Clause
/*
 * fms-trace: runs a command under /dev/filemon the way filemon(4)'s
 * example does, and exits with the command's status.
 *
 *   fms-trace [-o LOG] [--] CMD [ARGS...]
 *
 * The parent opens /dev/filemon and the log, hands the log over with
 * FILEMON_SET_FD, forks; the child attaches itself with FILEMON_SET_PID and
 * execs CMD; the parent waits and closes the device, which writes the
 * footer. Exit status: CMD's, 128 + signal if it was killed, 127 if CMD
 * was not found, 125 if tracing itself failed (stderr says
 * "fms-trace: tracing failed: " and why).
 */
#include <dev/filemon/filemon.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_TRACE_FAILED 125

static void usage(void)
{
	fprintf(stderr, "usage: fms-trace [-o LOG] [--] CMD [ARGS...]\n");
	exit(EXIT_TRACE_FAILED);
}

static void fail(const char *what)
{
	fprintf(stderr, "fms-trace: tracing failed: %s: %s\n", what, strerror(errno));
	exit(EXIT_TRACE_FAILED);
}

int main(int argc, char **argv)
{
	const char *log_path = "filemon.out";
	int fm_fd, log_fd, status, opt;
	pid_t child;

	while ((opt = getopt(argc, argv, "+o:")) != -1) {
		if (opt == 'o')
			log_path = optarg;
		else
			usage();
	}
	if (optind >= argc)
		usage();

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

	child = fork();
	if (child < 0)
		fail("fork");
	if (child == 0) {
		pid_t self = getpid();

		if (ioctl(fm_fd, FILEMON_SET_PID, &self) < 0) {
			fprintf(stderr, "fms-trace: tracing failed: FILEMON_SET_PID: %s\n", strerror(errno));
			_exit(EXIT_TRACE_FAILED);
		}
		execvp(argv[optind], argv + optind);
		if (errno == ENOENT) {
			fprintf(stderr, "fms-trace: %s: command not found\n", argv[optind]);
			_exit(127);
		}
		fprintf(stderr, "fms-trace: %s: %s\n", argv[optind], strerror(errno));
		_exit(126);
	}

	/* Signals meant for the command must not stop the tracer first. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR)
			fail("waitpid");
	}
	if (close(fm_fd) < 0)
		fail("closing /dev/filemon (the log may miss records)");
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
