/*
 * fms-manual-example: the example program of filemon(4), with the
 * manual's open_filemon() unchanged. "Do something here." runs cat on
 * /etc/passwd's first line; main() then prints the log the program
 * collected itself (filemon.out).
 *
 * Under the traced shell this shows two logs at once: the child calls
 * FILEMON_SET_PID on itself, which moves it (and what it runs) from the
 * shell's trace to the program's own filemon.out (a process may always
 * re-attach itself, as bmake relies on).
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
		/* Do something here. */
		execl("/bin/head", "head", "-n", "1", "/etc/passwd", (char *)NULL);
		err(1, "exec head");
	} else {
		wait(&child);
		close(fm_fd);
	}
}

#include <stdio.h>

int
main(void)
{
	char buf[4096];
	ssize_t n;
	int fd;

	mkdir("/tmp/manual-example", 0777);
	if (chdir("/tmp/manual-example") == -1)
		err(1, "chdir");
	open_filemon();
	printf("--- filemon.out, the program's own log ---\n");
	fflush(stdout);
	if ((fd = open("filemon.out", O_RDONLY)) == -1)
		err(1, "filemon.out");
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		write(1, buf, (size_t)n);
	close(fd);
	return 0;
}
