/*
 * fms-openat: openat(2) with a directory descriptor. The log shows the
 * directory's own open (R /etc), then for the relative openat an A record
 * with the path as given and the R record with the directory joined to it.
 */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char buf[256];
	ssize_t n;
	int dfd, fd;

	if ((dfd = open("/etc", O_RDONLY | O_DIRECTORY)) == -1)
		err(1, "open /etc");
	if ((fd = openat(dfd, "passwd", O_RDONLY)) == -1)
		err(1, "openat passwd");
	if ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		printf("openat(dirfd of /etc, \"passwd\") read %zd bytes, starting: %.*s\n", n,
		    (int)(strchr(buf, '\n') ? strchr(buf, '\n') - buf : n), buf);
	}
	close(fd);
	close(dfd);
	return 0;
}
