/*
 * fmt: the filemon conformance cases, one per name.
 *
 *   fmt <case>     run one case; prints the ioctl/close results and the
 *                  filemon logs; compare with expected/<case>.txt after
 *                  normalize.awk (pids -> <PIDn>, times -> <TIME>)
 *   fmt list       the case names
 *
 * Each case works in /tmp/fmtest/<case>.  The programs a case executes are
 * this program again, through the symlink ./prog, in one of the modes of
 * fmt_child_mode().
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "fmt_cases.h"

static const struct {
	const char *name;
	void (*run)(void);
} cases[] = {
#define FMT_CASE(n) { #n, case_##n },
	FMT_CASES
#undef FMT_CASE
};

/* Modes used when a case executes ./prog. */
int fmt_child_mode(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "exit"))
		_exit(atoi(argv[2]));
	/* From a "#!prog exit N" line: one argument "exit N". */
	if (argc >= 2 && !strncmp(argv[1], "exit ", 5))
		_exit(atoi(argv[1] + 5));
	/* "execloop N": exec itself N more times (a target always in exec). */
	if (argc >= 3 && !strcmp(argv[1], "execloop")) {
		char next[16], *args[] = { argv[0], "execloop", next, NULL };
		int left = atoi(argv[2]);

		if (left <= 0)
			_exit(0);
		snprintf(next, sizeof(next), "%d", left - 1);
		execv("/proc/self/exe", args);
		_exit(90);
	}
	if (argc >= 3 && !strcmp(argv[1], "open")) {
		int fd = open(argv[2], O_RDONLY);

		_exit(fd == -1 ? 1 : 0);
	}
	if (argc >= 4 && !strcmp(argv[1], "waiter")) {
		/* close_running: log b.txt, say ready, wait, then c.txt. */
		int rfd = atoi(argv[2]), wfd = atoi(argv[3]), fd;
		char c;

		fd = open("b.txt", O_RDONLY);
		close(fd);
		if (write(wfd, "r", 1) != 1 || read(rfd, &c, 1) != 1)
			_exit(2);
		fd = open("c.txt", O_RDONLY);
		_exit(fd == -1 ? 1 : 0);
	}
	return -1;
}

int main(int argc, char **argv)
{
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && fmt_child_mode(argc, argv) == 0)
		return 0;
	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: fmt <case> | fmt list\n");
		return 2;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(argv[1], cases[i].name))
			continue;
		fmt_workdir(cases[i].name);
		cases[i].run();
		fflush(stdout);
		return 0;
	}
	fprintf(stderr, "fmt: no case %s\n", argv[1]);
	return 2;
}
