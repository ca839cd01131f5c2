// SPDX-License-Identifier: BSD-2-Clause
/*
 * fms-agent: runs commands and moves files for the host harness.
 *
 * Requests arrive as frames on the virtio console (/dev/hvc0, see
 * protocol.h); bulk payloads travel as files in the shared 9p folder.
 * Requests are served one at a time. Each command runs in its own cgroup
 * so that a timeout, or the end of the command, kills its whole process
 * tree, including daemons that left the process group.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"

#define CONSOLE_PATH	"/dev/hvc0"
#define XFER_DIR	"/run/fms"		/* the 9p mount */
#define JOB_CGROUP	"/sys/fs/cgroup/fms-job"
#define OOM_COUNT_PATH	"/run/fms-agent.oom-kills"	/* for the next agent */
#define DEFAULT_PATH	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int console_fd;

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fms-agent: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* ---- growable byte buffers ---- */

void buf_put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n)
			cap *= 2;
		b->data = realloc(b->data, cap);
		if (!b->data)
			die("out of memory (%zu bytes)", cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

uint32_t get_u32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* ---- frames ---- */

/* Iterates over a body's fields; returns 0 at the end or on a bad field. */
int next_field(const struct frame *f, uint32_t *pos, struct field *out)
{
	if (*pos + 6 > f->len)
		return 0;
	out->tag = f->body[*pos] | f->body[*pos + 1] << 8;
	out->len = get_u32(f->body + *pos + 2);
	if (out->len > f->len - *pos - 6)
		return 0;
	out->data = f->body + *pos + 6;
	*pos += 6 + out->len;
	return 1;
}

/*
 * Reads the next frame. Bytes before a magic number are skipped, so a
 * stray byte on the line costs one frame at most, not the session.
 */
static void read_frame(struct frame *f)
{
	unsigned char hdr[FMS_HEADER_SIZE];
	size_t have = 0;

	for (;;) {
		if (read_all(console_fd, hdr + have, sizeof(hdr) - have))
			die("console closed");
		have = sizeof(hdr);
		if (get_u32(hdr) == FMS_MAGIC && get_u32(hdr + 12) <= FMS_MAX_INLINE_BODY)
			break;
		memmove(hdr, hdr + 1, --have);
	}
	f->type = get_u32(hdr + 4);
	f->id = get_u32(hdr + 8);
	f->len = get_u32(hdr + 12);
	f->body = malloc(f->len ? f->len : 1);
	if (!f->body)
		die("out of memory for a %u-byte frame", f->len);
	if (read_all(console_fd, f->body, f->len))
		die("console closed inside a frame");
}

void add_field(struct buf *body, unsigned tag, const void *p, uint32_t n)
{
	unsigned char h[6] = { tag, tag >> 8 };

	put_u32(h + 2, n);
	buf_put(body, h, 6);
	buf_put(body, p, n);
}

void add_u32(struct buf *body, unsigned tag, uint32_t v)
{
	unsigned char b[4];

	put_u32(b, v);
	add_field(body, tag, b, 4);
}

void add_str(struct buf *body, unsigned tag, const char *s)
{
	add_field(body, tag, s, strlen(s));
}

void send_frame(uint32_t type, uint32_t id, const struct buf *body)
{
	unsigned char hdr[FMS_HEADER_SIZE];

	put_u32(hdr, FMS_MAGIC);
	put_u32(hdr + 4, type);
	put_u32(hdr + 8, id);
	put_u32(hdr + 12, body->len);
	if (write_all(console_fd, hdr, sizeof(hdr)) ||
	    write_all(console_fd, body->data, body->len))
		die("console write failed: %s", strerror(errno));
}

void send_error(uint32_t id, const char *fmt, ...)
{
	struct buf body = { 0 };
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add_str(&body, FMS_ERROR, msg);
	send_frame(FMS_RESULT, id, &body);
	buf_free(&body);
}

/* ---- spill files in the shared 9p folder ---- */

/*
 * Spill files of a request and its reply live until the next request: by
 * then the host has read the reply's and the agent has used the request's.
 */
static char *spilled[16];
static int nspilled;

static void remove_spills(void)
{
	while (nspilled) {
		unlink(spilled[--nspilled]);
		free(spilled[nspilled]);
	}
}

static int open_spill(uint32_t id, unsigned tag, char *name, size_t size)
{
	int fd;

	snprintf(name, size, "g-%u-%u", id, tag);
	char path[128];

	snprintf(path, sizeof(path), XFER_DIR "/%s", name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0 && nspilled < (int)(sizeof(spilled) / sizeof(spilled[0])))
		spilled[nspilled++] = strdup(path);
	return fd;
}

/*
 * Opens the 9p file a spilled field names. It is removed with the reply's
 * spill files, when the next request arrives.
 */
int open_spilled(const struct field *fl)
{
	char path[256];
	int fd;

	if (fl->len > 128 || memchr(fl->data, '/', fl->len)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(path, sizeof(path), XFER_DIR "/%.*s", (int)fl->len, (const char *)fl->data);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && nspilled < (int)(sizeof(spilled) / sizeof(spilled[0])))
		spilled[nspilled++] = strdup(path);
	return fd;
}

/* Copies everything from in to out in large chunks (9p favours them). */
int copy_fd(int in, int out)
{
	static char chunk[128 << 10];
	ssize_t n;

	while ((n = read(in, chunk, sizeof(chunk))) > 0)
		if (write_all(out, chunk, n))
			return -1;
	return n < 0 ? -1 : 0;
}

/* Appends to an output stream, moving it to a spill file once it is large. */
void sink_write(struct sink *s, uint32_t id, const char *p, size_t n)
{
	s->total += n;
	if (s->failed || s->total > MAX_OUTPUT) {
		s->failed = 1;
		return;
	}
	if (s->spill_fd < 0 && s->mem.len + n > SPILL_AT) {
		s->spill_fd = open_spill(id, s->tag, s->spill_name, sizeof(s->spill_name));
		if (s->spill_fd < 0 || write_all(s->spill_fd, s->mem.data, s->mem.len)) {
			s->failed = 1;
			return;
		}
		buf_free(&s->mem);
	}
	if (s->spill_fd >= 0) {
		if (write_all(s->spill_fd, p, n))
			s->failed = 1;
	} else {
		buf_put(&s->mem, p, n);
	}
}

void sink_finish(struct sink *s, struct buf *body)
{
	if (s->spill_fd >= 0) {
		close(s->spill_fd);
		add_field(body, s->tag | FMS_SPILLED, s->spill_name, strlen(s->spill_name));
	} else {
		add_field(body, s->tag, s->mem.data, s->mem.len);
	}
	buf_free(&s->mem);
}

/* ---- running commands ---- */

struct exec_req {
	char **argv;
	int argc;
	char *cwd;
	char **env;
	int envc;
	struct buf in;		/* inline stdin, fed through a pipe */
	int in_fd;		/* or a spilled one: the 9p file itself */
	uint32_t timeout_ms;
};

char *dup_field(const struct field *fl)
{
	char *s = malloc(fl->len + 1);

	if (!s)
		die("out of memory");
	memcpy(s, fl->data, fl->len);
	s[fl->len] = 0;
	return s;
}

static void push_str(char ***v, int *n, char *s)
{
	*v = realloc(*v, sizeof(char *) * (*n + 2));
	if (!*v)
		die("out of memory");
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* Puts NAME=value into env, replacing an entry of the same name. */
static void set_env(char ***env, int *n, char *entry)
{
	size_t k = strcspn(entry, "=");

	for (int i = 0; i < *n; i++) {
		if (!strncmp((*env)[i], entry, k) && (*env)[i][k] == '=') {
			free((*env)[i]);
			(*env)[i] = entry;
			return;
		}
	}
	push_str(env, n, entry);
}

static void sync_clock(const struct field *fl)
{
	uint64_t host_ms;
	struct timespec now;

	if (fl->len != 8)
		return;
	host_ms = get_u32(fl->data) | (uint64_t)get_u32(fl->data + 4) << 32;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t guest_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;

	/* After a state restore the guest wakes at the time it was saved. */
	if (guest_ms - (int64_t)host_ms > 1000 || (int64_t)host_ms - guest_ms > 1000) {
		now.tv_sec = host_ms / 1000;
		now.tv_nsec = (host_ms % 1000) * 1000000;
		clock_settime(CLOCK_REALTIME, &now);
	}
}

/* The job cgroup's directory, or -1 when cgroup v2 is not available. */
static int job_cgroup_fd = -1;

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write_all(fd, s, strlen(s)) < 0)
			fprintf(stderr, "fms-agent: write %s: %s\n", path, strerror(errno));
		close(fd);
	}
}

/*
 * Kills every process of the job: the command and all it started, found
 * through the job cgroup (daemons that left the process group included).
 * cgroup.kill is not used: on Debian's 6.1 kernel a cgroup once killed
 * kills every child later born into it with CLONE_INTO_CGROUP.
 */
static void kill_job(pid_t pgid)
{
	char list[4096];

	kill(-pgid, SIGKILL);
	for (int round = 0; job_cgroup_fd >= 0 && round < 100; round++) {
		int fd = open(JOB_CGROUP "/cgroup.procs", O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, list, sizeof(list) - 1) : -1;
		int found = 0;

		if (fd >= 0)
			close(fd);
		if (n <= 0)
			return;
		list[n] = 0;
		for (char *p = list, *end; *p; p = end) {
			long pid = strtol(p, &end, 10);

			if (end == p)
				break;
			if (pid > 0 && kill(pid, SIGKILL) == 0)
				found = 1;
		}
		if (!found)
			return;
	}
}

/* True while the agent has children (the command's leftovers come to it). */
static int have_children(void)
{
	return waitid(P_ALL, 0, NULL, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/* Reaps every exited child; notes the command's own status when it is among them. */
static void reap(pid_t cmd, int *status, int *exited)
{
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == cmd) {
			*status = st;
			*exited = 1;
		}
	}
}

/* What the command's child needs; it runs on its own stack (see spawn_job). */
struct child_args {
	struct exec_req *r;
	int in_fd, out_fd, err_fd;
};

/*
 * The command's child, up to its exec. It shares the agent's memory
 * (spawn_job), so it writes none of it but environ (execvp looks the
 * command up in the request's PATH), which spawn_job puts back; dprintf
 * needs no stdio buffer. It never returns.
 */
static void exec_child(void *arg)
{
	struct child_args *c = arg;
	struct exec_req *r = c->r;
	sigset_t none;
	int e;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0);
	dup2(c->in_fd, 0);
	dup2(c->out_fd, 1);
	dup2(c->err_fd, 2);
	if (r->cwd && chdir(r->cwd)) {
		e = errno;
		dprintf(2, "filemon-sim: cannot change directory to %s: %s\n", r->cwd, strerror(e));
		_exit(126);
	}
	environ = r->env;
	execvp(r->argv[0], r->argv);
	e = errno;
	if (e == ENOENT)
		dprintf(2, "filemon-sim: %s: command not found\n", r->argv[0]);
	else
		dprintf(2, "filemon-sim: %s: %s\n", r->argv[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

/* The child's stack until it execs; one is enough, as the agent waits meanwhile. */
static unsigned char child_stack[64 << 10] __attribute__((aligned(16)));

/*
 * clone3 with the child born in the job cgroup (CLONE_INTO_CGROUP costs far
 * less than moving it in afterwards, which waits for an RCU grace period:
 * about 13 ms per command in v86), and, as vfork, sharing our memory until
 * it execs (CLONE_VM | CLONE_VFORK: no page tables copied, no copy-on-write
 * faults for us after; a spawn of busybox costs 316k guest instructions
 * instead of 455k). glibc has no clone3 wrapper, and a child that shares
 * our memory needs a stack of its own: it starts on child_stack, calls
 * fn(arg) and never returns. Returns the pid, or -errno.
 */
static long clone3_vfork(struct clone_args *args, void (*fn)(void *), void *arg)
{
	long ret;

	__asm__ __volatile__(
		"pushl %%ebx\n\t"
		"movl %%edx, %%ebx\n\t"
		"int $0x80\n\t"
		"testl %%eax, %%eax\n\t"
		"jnz 1f\n\t"
		/* the child, on child_stack: fn(arg) with the stack 16-byte aligned at the call */
		"subl $12, %%esp\n\t"
		"pushl %%edi\n\t"
		"call *%%esi\n\t"
		"ud2\n"
		"1:\n\t"
		"popl %%ebx"
		: "=a"(ret)
		: "0"(SYS_clone3), "d"(args), "c"(sizeof(*args)), "S"(fn), "D"(arg)
		: "memory", "cc");
	return ret;
}

/* Starts the command's child (see clone3_vfork); plain fork where clone3 is missing. */
static pid_t spawn_job(struct child_args *c)
{
	struct clone_args args = {
		.flags = CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.stack = (uintptr_t)child_stack,
		.stack_size = sizeof(child_stack),
		.cgroup = job_cgroup_fd,
	};
	char **own_environ = environ;
	long ret;
	pid_t pid;

	if (job_cgroup_fd >= 0) {
		ret = clone3_vfork(&args, exec_child, c);
		environ = own_environ;
		if (ret != -ENOSYS) {
			if (ret < 0) {
				errno = -ret;
				return -1;
			}
			return ret;
		}
	}
	pid = fork();
	if (pid == 0) {
		if (job_cgroup_fd >= 0)
			write_file(JOB_CGROUP "/cgroup.procs", "0");
		exec_child(c);
	}
	return pid;
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void run_exec(uint32_t id, struct exec_req *r, int sig_fd)
{
	int in[2], out[2], err[2];
	struct sink sinks[2] = {
		{ .tag = FMS_STDOUT, .spill_fd = -1 },
		{ .tag = FMS_STDERR, .spill_fd = -1 },
	};
	struct buf body = { 0 };
	size_t in_off = 0;
	int status = 0, exited = 0, timed_out = 0;
	int64_t deadline = r->timeout_ms ? now_ms() + r->timeout_ms : 0;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		send_error(id, "pipe: %s", strerror(errno));
		return;
	}
	struct child_args child = { r, r->in_fd >= 0 ? r->in_fd : in[0], out[1], err[1] };

	pid = spawn_job(&child);
	if (pid < 0) {
		send_error(id, "fork: %s", strerror(errno));
		return;
	}
	setpgid(pid, pid);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (r->in.len == 0) {
		close(in[1]);
		in[1] = -1;
	}

	int fds_open = 2;

	while (!exited || fds_open) {
		struct pollfd p[4] = {
			{ .fd = out[0], .events = POLLIN },
			{ .fd = err[0], .events = POLLIN },
			{ .fd = sig_fd, .events = POLLIN },
			{ .fd = in[1], .events = POLLOUT },
		};
		int wait_ms = -1;

		if (deadline && !timed_out) {
			int64_t left = deadline - now_ms();

			wait_ms = left > 0 ? (int)left : 0;
		}
		int n = poll(p, 4, wait_ms);

		if (n < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (n == 0 && deadline && !timed_out) {
			timed_out = 1;
			kill_job(pid);
			continue;
		}
		for (int i = 0; i < 2; i++) {
			char chunk[64 << 10];
			ssize_t got;

			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(p[i].fd, chunk, sizeof(chunk));
			if (got > 0) {
				sink_write(&sinks[i], id, chunk, got);
			} else if (got == 0 || errno != EINTR) {
				close(p[i].fd);
				if (i == 0)
					out[0] = -1;
				else
					err[0] = -1;
				fds_open--;
			}
		}
		if (p[3].fd >= 0 && (p[3].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(in[1], r->in.data + in_off, r->in.len - in_off);

			if (w > 0)
				in_off += w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || in_off == r->in.len) {
				close(in[1]);
				in[1] = -1;
			}
		}
		if (p[2].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sig_fd, &si, sizeof(si)) < 0 && errno != EAGAIN)
				die("signalfd: %s", strerror(errno));
			int was_running = !exited;

			reap(pid, &status, &exited);
			if (was_running && exited) {
				/* The command is over: what it left running goes too. */
				if (have_children())
					kill_job(pid);
				if (in[1] >= 0) {
					close(in[1]);
					in[1] = -1;
				}
			}
		}
	}

	if (sinks[0].failed || sinks[1].failed) {
		send_error(id, "output of the command could not be kept (over %u bytes or 9p write failed)", MAX_OUTPUT);
		for (int i = 0; i < 2; i++)
			if (sinks[i].spill_fd >= 0)
				close(sinks[i].spill_fd);
		remove_spills();
		return;
	}
	add_u32(&body, FMS_STATUS, WIFEXITED(status) ? WEXITSTATUS(status) : 0);
	add_u32(&body, FMS_SIGNAL, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	if (timed_out)
		add_field(&body, FMS_TIMED_OUT, "\1", 1);
	sink_finish(&sinks[0], &body);
	sink_finish(&sinks[1], &body);
	send_frame(FMS_RESULT, id, &body);
	buf_free(&body);
}

static char **base_env(int *n)
{
	char **env = NULL;

	*n = 0;
	push_str(&env, n, strdup("PATH=" DEFAULT_PATH));
	push_str(&env, n, strdup("HOME=/root"));
	push_str(&env, n, strdup("TERM=dumb"));
	push_str(&env, n, strdup("LANG=C.UTF-8"));
	return env;
}

static void handle_exec(struct frame *f, int sig_fd)
{
	struct exec_req r = { .in_fd = -1 };
	struct field fl;
	uint32_t pos = 0;

	r.env = base_env(&r.envc);
	while (next_field(f, &pos, &fl)) {
		switch (fl.tag & ~FMS_SPILLED) {
		case FMS_ARGV:
			push_str(&r.argv, &r.argc, dup_field(&fl));
			break;
		case FMS_SHELL:
			push_str(&r.argv, &r.argc, strdup("/bin/sh"));
			push_str(&r.argv, &r.argc, strdup("-c"));
			push_str(&r.argv, &r.argc, dup_field(&fl));
			break;
		case FMS_CWD:
			free(r.cwd);
			r.cwd = dup_field(&fl);
			break;
		case FMS_ENV:
			set_env(&r.env, &r.envc, dup_field(&fl));
			break;
		case FMS_STDIN:
			if (!(fl.tag & FMS_SPILLED)) {
				buf_put(&r.in, fl.data, fl.len);
			} else if (r.in_fd < 0 && (r.in_fd = open_spilled(&fl)) < 0) {
				send_error(f->id, "stdin could not be opened in the 9p folder: %s", strerror(errno));
				goto out;
			}
			break;
		case FMS_TIMEOUT_MS:
			if (fl.len == 4)
				r.timeout_ms = get_u32(fl.data);
			break;
		}
	}
	if (!r.argc)
		send_error(f->id, "exec request without a command");
	else
		run_exec(f->id, &r, sig_fd);
out:
	for (int i = 0; i < r.argc; i++)
		free(r.argv[i]);
	for (int i = 0; i < r.envc; i++)
		free(r.env[i]);
	free(r.argv);
	free(r.env);
	free(r.cwd);
	buf_free(&r.in);
	if (r.in_fd >= 0)
		close(r.in_fd);
}

/* The guest's count of OOM kills so far. */
static long oom_kills(void)
{
	char line[128];
	long n = -1;
	FILE *f = fopen("/proc/vmstat", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "oom_kill %ld", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

/*
 * Why the previous agent ended, when this one is a restart: /init passes
 * its exit status, and a change in the OOM kill count since it started
 * means the guest ran out of memory.
 */
static void restart_reason(const char *prev_status, char *out, size_t size)
{
	long now = oom_kills(), before = -1;
	int status = atoi(prev_status);
	FILE *f = fopen(OOM_COUNT_PATH, "re");

	if (f) {
		if (fscanf(f, "%ld", &before) != 1)
			before = -1;
		fclose(f);
	}
	if (!prev_status[0])
		out[0] = 0;
	else if (before >= 0 && now > before)
		snprintf(out, size, "the guest ran out of memory and the kernel killed the agent");
	else if (status > 128)
		snprintf(out, size, "the agent was killed by signal %d (%s), by a command (kill -9 -1 kills every process)",
			 status - 128, strsignal(status - 128));
	else
		snprintf(out, size, "the agent exited with status %d", status);
	f = fopen(OOM_COUNT_PATH, "we");
	if (f) {
		fprintf(f, "%ld\n", now);
		fclose(f);
	}
}

static void send_ready(const char *prev_status)
{
	struct buf body = { 0 };
	struct utsname u;
	char info[512], why[256];

	uname(&u);
	snprintf(info, sizeof(info), "%s %s %s", u.sysname, u.release, u.machine);
	add_str(&body, FMS_INFO, info);
	restart_reason(prev_status, why, sizeof(why));
	if (why[0])
		add_str(&body, FMS_RESTARTED, why);
	send_frame(FMS_READY, 0, &body);
	buf_free(&body);
}

static void open_console(void)
{
	struct termios t;

	console_fd = open(CONSOLE_PATH, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (console_fd < 0)
		die("open %s: %s", CONSOLE_PATH, strerror(errno));
	if (tcgetattr(console_fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(console_fd, TCSANOW, &t);
	}
}

/* argv[1]: the exit status of the previous agent, when /init restarts it. */
int main(int argc, char **argv)
{
	sigset_t mask;
	int sig_fd;

	/* Orphans of a command come to us, so their exit is seen and reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sig_fd < 0)
		die("signalfd: %s", strerror(errno));
	if (mkdir(JOB_CGROUP, 0755) == 0 || errno == EEXIST)
		job_cgroup_fd = open(JOB_CGROUP, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	open_console();
	send_ready(argc > 1 ? argv[1] : "");
	for (;;) {
		struct frame f;

		read_frame(&f);
		remove_spills();
		for (uint32_t pos = 0; ; ) {
			struct field fl;

			if (!next_field(&f, &pos, &fl))
				break;
			if (fl.tag == FMS_HOST_TIME_MS)
				sync_clock(&fl);
		}
		switch (f.type) {
		case FMS_EXEC:
			handle_exec(&f, sig_fd);
			break;
		case FMS_PUT:
			handle_put(&f);
			break;
		case FMS_GET:
			handle_get(&f);
			break;
		case FMS_PUT_TREE:
			handle_put_tree(&f);
			break;
		case FMS_GET_TREE:
			handle_get_tree(&f);
			break;
		case FMS_PING: {
			struct buf empty = { 0 };

			send_frame(FMS_RESULT, f.id, &empty);
			break;
		}
		default:
			send_error(f.id, "unknown request type %u", f.type);
		}
		free(f.body);
	}
}
