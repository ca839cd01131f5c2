/*
 * bench_workload: one fixed workload, run untraced and traced by filemon in
 * the same session, alternately for a few rounds; prints both times (ms)
 * and traced/untraced.
 *
 *   bench_workload [opens [execs [rounds]]]    defaults 2000 200 3
 *   bench_workload once opens execs
 *                  the workload once, in this process, for an outer
 *                  tracer (fms-trace, strace) to trace: bench/filemon.ts
 *
 * The workload, in a child process: <opens> times open/read/close of one
 * of 20 small files, then <execs> times fork + exec of this program (which
 * exits at once) + wait.  Traced rounds open /dev/filemon, log to a file in
 * the work directory, and the child traces itself as in filemon(4)'s
 * example; their time includes the final close() of the filemon device.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dev/filemon/filemon.h>

#define WORKDIR "/tmp/fmbench"
#define NFILES 20

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void workload(int nopen, int nexec)
{
	char name[32], buf[64];
	int i, fd;
	pid_t pid;

	for (i = 0; i < nopen; i++) {
		snprintf(name, sizeof(name), "f%02d.txt", i % NFILES);
		fd = open(name, O_RDONLY);
		if (fd == -1)
			_exit(2);
		if (read(fd, buf, sizeof(buf)) < 0)
			_exit(3);
		close(fd);
	}
	for (i = 0; i < nexec; i++) {
		pid = fork();
		if (pid == 0) {
			execl("./bench", "bench", "noop", (char *)NULL);
			_exit(4);
		}
		if (pid == -1 || waitpid(pid, NULL, 0) != pid)
			_exit(5);
	}
}

static double run(int traced, int nopen, int nexec)
{
	int fm = -1, log = -1, st;
	double t0, t1;
	pid_t pid;

	t0 = now_ms();
	if (traced) {
		fm = open("/dev/filemon", O_RDWR | O_CLOEXEC);
		log = open("log", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fm == -1 || log == -1 || ioctl(fm, FILEMON_SET_FD, &log) == -1) {
			perror("filemon");
			exit(1);
		}
	}
	pid = fork();
	if (pid == 0) {
		if (traced) {
			pid_t self = getpid();

			if (ioctl(fm, FILEMON_SET_PID, &self) == -1)
				_exit(6);
		}
		workload(nopen, nexec);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || st != 0) {
		fprintf(stderr, "bench_workload: workload failed (status %d)\n", st);
		exit(1);
	}
	if (traced) {
		if (close(fm) == -1) {
			perror("close(filemon)");
			exit(1);
		}
		close(log);
	}
	t1 = now_ms();
	return t1 - t0;
}

/* The work directory with its files and ./bench; made the cwd. */
static int setup(void)
{
	char name[32], exe[4096];
	ssize_t n;
	int i, fd;

	mkdir(WORKDIR, 0755);
	if (chdir(WORKDIR) == -1) {
		perror(WORKDIR);
		return -1;
	}
	for (i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "f%02d.txt", i);
		fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd == -1 || write(fd, "some small file contents\n", 25) != 25)
			return -1;
		close(fd);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -1;
	exe[n] = '\0';
	unlink("bench");
	return symlink(exe, "bench");
}

int main(int argc, char **argv)
{
	int nopen = 2000, nexec = 200, rounds = 3, i;
	double u = 0, t = 0, ui, ti;

	if (argc == 2 && !strcmp(argv[1], "noop"))
		return 0;
	if (argc == 4 && !strcmp(argv[1], "once")) {
		if (setup() == -1)
			return 1;
		workload(atoi(argv[2]), atoi(argv[3]));
		return 0;
	}
	if (argc > 1)
		nopen = atoi(argv[1]);
	if (argc > 2)
		nexec = atoi(argv[2]);
	if (argc > 3)
		rounds = atoi(argv[3]);
	if (setup() == -1)
		return 1;

	/* Warm up caches (and an emulator's JIT) before measuring. */
	run(0, nopen / 4, nexec / 4);
	run(1, nopen / 4, nexec / 4);

	for (i = 0; i < rounds; i++) {
		ui = run(0, nopen, nexec);
		ti = run(1, nopen, nexec);
		printf("round %d: untraced %.1f ms, traced %.1f ms\n", i + 1, ui, ti);
		u += ui;
		t += ti;
	}
	printf("workload: %d open/read/close, %d fork+exec; %d rounds\n",
	       nopen, nexec, rounds);
	printf("untraced_ms %.1f\n", u / rounds);
	printf("traced_ms %.1f\n", t / rounds);
	printf("ratio %.3f\n", t / u);
	return 0;
}
