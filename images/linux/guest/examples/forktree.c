/*
 * fms-forktree: a small process tree with known exit statuses, for the
 * F (fork) and X (exit) records.
 *
 *   parent ─┬─ child 1: exits 0
 *           ├─ child 2 ── grandchild: exits 7; then child 2 exits 3
 *           └─ child 3: killed by SIGTERM (X status 0, signal 15)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *who, pid_t pid, int st)
{
	if (WIFSIGNALED(st))
		printf("%s %d killed by signal %d\n", who, (int)pid, WTERMSIG(st));
	else
		printf("%s %d exited with status %d\n", who, (int)pid, WEXITSTATUS(st));
	fflush(stdout);
}

int main(void)
{
	pid_t c1, c2, c3, g;
	int st;

	printf("parent %d\n", (int)getpid());
	fflush(stdout);
	if ((c1 = fork()) == 0)
		_exit(0);
	waitpid(c1, &st, 0);
	report("child", c1, st);
	if ((c2 = fork()) == 0) {
		if ((g = fork()) == 0)
			_exit(7);
		waitpid(g, &st, 0);
		report("  grandchild", g, st);
		_exit(3);
	}
	waitpid(c2, &st, 0);
	report("child", c2, st);
	if ((c3 = fork()) == 0) {
		kill(getpid(), SIGTERM);
		pause();
		_exit(1);
	}
	waitpid(c3, &st, 0);
	report("child", c3, st);
	return 0;
}
