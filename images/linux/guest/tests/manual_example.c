/*
 * The example program of filemon(4), compiled unchanged against
 * <dev/filemon/filemon.h>; only the line "Do something here." is replaced
 * by a workload, and a main() is added below it to call open_filemon()
 * and print filemon.out.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <dev/filemon/filemon.h>
#include <fcntl.h>
#include <err.h>
#include <unistd.h>

static void
open_filemon(void)
{
	pid_t child;
	int fm_fd, fm_log;

	if ((fm_fd = open("/dev/filemon", O_RDWR | O_CLOEXEC)) == -1)
		err(1, "open(\"/dev/filemon\", O_RDWR)");
	if ((fm_log = open("filemon.out",
	    O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, DEFFILEMODE)) == -1)
		err(1, "open(filemon.out)");

	if (ioctl(fm_fd, FILEMON_SET_FD, &fm_log) == -1)
		err(1, "Cannot set filemon log file descriptor");

	if ((child = fork()) == 0) {
		child = getpid();
		if (ioctl(fm_fd, FILEMON_SET_PID, &child) == -1)
			err(1, "Cannot set filemon PID");
		{ int in = open("example.in", O_RDONLY), out = open("example.out", O_WRONLY | O_CREAT | O_TRUNC, 0644); char b[64]; ssize_t n; while ((n = read(in, b, sizeof(b))) > 0) write(out, b, n); close(in); close(out); link("example.out", "example.done"); unlink("example.out"); unlink("example.done"); _exit(0); }
	} else {
		wait(&child);
		close(fm_fd);
	}
}

/* Added: run the example in a fresh directory and print its log. */
#include <stdio.h>
#include <stdlib.h>

int
main(void)
{
	char buf[4096];
	ssize_t n;
	int fd;

	mkdir("/tmp/fmtest", 0777);
	mkdir("/tmp/fmtest/manual_example", 0777);
	if (chdir("/tmp/fmtest/manual_example") == -1)
		err(1, "chdir");
	if ((fd = open("example.in", O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
	    write(fd, "hello\n", 6) != 6)
		err(1, "example.in");
	close(fd);
	open_filemon();
	if ((fd = open("filemon.out", O_RDONLY)) == -1)
		err(1, "filemon.out");
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
	return 0;
}
