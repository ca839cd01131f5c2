/*
 * fms-shell: the interactive traced shell of filemon-sim.
 *
 * Started by /etc/init.d/fms-shell.sh in a respawn loop, so it is part of
 * every saved state, idle until the host asks for a session.
 *
 *   /dev/hvc1  terminal: raw bytes both ways (host keys in, shell output out)
 *   /dev/hvc2  trace: host -> guest control lines, guest -> host frames
 *
 * Control lines (host -> guest, on hvc2):
 *   "start ROWS COLS\n"  begin a session (ends a running one first)
 *   "size ROWS COLS\n"   window size (TIOCSWINSZ on the pty: SIGWINCH)
 *   "stop\n"             hang up the running session
 *
 * Frames (guest -> host, on hvc2): one type byte, a little-endian u32
 * payload length, the payload.
 *   'S' session started; payload: the shell's pid in decimal
 *   'L' filemon log bytes (the whole v5 log of the session, header to footer)
 *   'C' the shell read a command line: u32 LE index of the Enter key (the
 *       n-th Enter byte the host sent, from 0); every record before it in
 *       the log came before that Enter, every record after it came after
 *   'P' the shell printed its prompt again: the command line finished
 *   'W' a warning (text)
 *   'E' session ended; payload: "exit N" or "signal N"
 *
 * A session: open /dev/filemon, FILEMON_SET_FD to a pipe we read, fork an
 * interactive busybox sh on a new pty as session leader, which calls
 * FILEMON_SET_PID on itself before exec (so the E of the shell is the
 * log's first record and every process it starts is traced); relay
 * hvc1 <-> pty master and pipe -> hvc2. When the shell exits, closing
 * /dev/filemon writes the footer; we send the rest of the log and 'E'.
 *
 * An Enter byte is '\r', or '\n' not right after '\r' (the host counts
 * the same way). A 'C' frame is sent only for an Enter handed to the
 * shell's line editor (see flush_input): an Enter typed into a running
 * command does not start a new command line.
 *
 * The prompt carries an OSC marker (PROMPT_MARK, a counter, BEL) that we
 * remove from the output; where a new one was, we send 'P' after draining
 * the log pipe (see relay_output).
 */
#define _GNU_SOURCE
#include <dev/filemon/filemon.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define TERM_PATH	"/dev/hvc1"
#define TRACE_PATH	"/dev/hvc2"
#define PROMPT_MARK	"\033]7770;fms-prompt;"
#define BUF		65536
#define HOLD_MS		300

static int term_fd = -1, trace_fd = -1;
static char ctl[512];
static size_t ctl_len;

static void write_all(int fd, const void *p, size_t n)
{
	const char *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pf = { fd, POLLOUT, 0 };
				poll(&pf, 1, 100);
				continue;
			}
			return;
		}
		b += w;
		n -= (size_t)w;
	}
}

static void frame(char type, const void *payload, uint32_t len)
{
	unsigned char h[5] = { (unsigned char)type, len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, len >> 24 };

	write_all(trace_fd, h, 5);
	if (len)
		write_all(trace_fd, payload, len);
}

static void framef(char type, const char *fmt, ...)
{
	char b[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(b))
		n = sizeof(b) - 1;
	frame(type, b, (uint32_t)n);
}

static int open_port(const char *path)
{
	struct termios t;
	int fd, i;

	for (i = 0; i < 500; i++) {
		fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd >= 0)
			break;
		usleep(20000);
	}
	if (fd < 0) {
		fprintf(stderr, "fms-shell: open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	/*
	 * What arrived before raw mode was echoed and cooked: drop it (at a
	 * cold boot the host may have sent "start" early; it sends it again).
	 */
	tcflush(fd, TCIOFLUSH);
	return fd;
}

/* The next whole control line from trace_fd, or NULL if none is buffered yet. */
static char *next_ctl_line(void)
{
	static char line[sizeof(ctl)];
	char *nl = memchr(ctl, '\n', ctl_len);
	size_t n;

	if (!nl) {
		if (ctl_len == sizeof(ctl))
			ctl_len = 0;	/* garbage without newline: drop it */
		return NULL;
	}
	n = (size_t)(nl - ctl);
	memcpy(line, ctl, n);
	line[n] = 0;
	memmove(ctl, nl + 1, ctl_len - n - 1);
	ctl_len -= n + 1;
	return line;
}

/* Reads what the control channel has; returns 0 at EOF/error. */
static int read_ctl(void)
{
	ssize_t r = read(trace_fd, ctl + ctl_len, sizeof(ctl) - ctl_len);

	if (r < 0)
		return errno == EINTR || errno == EAGAIN;
	if (r == 0)
		return 0;
	ctl_len += (size_t)r;
	return 1;
}

struct session {
	pid_t pid;
	int fm, logr, master;
	int status;
	/* input waiting for the pty; its first seg_end bytes are classified */
	unsigned char in[BUF];
	size_t in_len, seg_end;
	uint32_t enters, enter_idx;
	int last_cr;
	/* the Enter ending the first segment: decided (sent or passed), held since */
	int decided, at_prompt;
	long long hold_start;
	/* our own descriptor of the pty's slave side, to see unread input */
	int slave;
	/* a window size waiting until the shell has read its pending input */
	int size_pending, rows, cols;
	/* prompt marker matching: bytes of a possible marker held back */
	size_t mark_pos, mark_digits;
	unsigned mark_num, last_prompt;
};

static void drain_log(struct session *s)
{
	static unsigned char b[BUF];
	ssize_t r;

	while (s->logr >= 0) {
		r = read(s->logr, b, sizeof(b));
		if (r > 0) {
			frame('L', b, (uint32_t)r);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			close(s->logr);
			s->logr = -1;
		}
		return;
	}
}

static void set_size(int master, int rows, int cols)
{
	struct winsize ws;

	if (rows <= 0 || cols <= 0 || rows > 1000 || cols > 1000)
		return;
	memset(&ws, 0, sizeof(ws));
	ws.ws_row = (unsigned short)rows;
	ws.ws_col = (unsigned short)cols;
	ioctl(master, TIOCSWINSZ, &ws);
}

static int is_enter(struct session *s, unsigned char c)
{
	int r = c == '\r' || (c == '\n' && !s->last_cr);

	s->last_cr = c == '\r';
	return r;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Hands queued input to the pty. An Enter goes to the shell's line editor
 * when the shell is the foreground process group and has printed a new
 * prompt since the last command line: then a 'C' frame is sent first. An
 * Enter for a running command passes at once; one typed ahead while the
 * shell itself is busy (between the commands of a line, or before its
 * first prompt) is held until the next prompt, so typed-ahead lines group
 * right; after the first prompt for HOLD_MS at most (the shell may be
 * reading it with the `read` builtin: then it starts no command line).
 * Lines typed ahead while a command runs in the foreground go to the pty
 * at once (that command may read them) and are grouped with it.
 */
static void flush_input(struct session *s)
{
	while (s->in_len > 0) {
		ssize_t w;

		if (!s->seg_end) {
			size_t i = 0;
			int enter = 0;

			while (i < s->in_len) {
				if (is_enter(s, s->in[i++])) {
					enter = 1;
					break;
				}
			}
			s->seg_end = i;
			s->decided = !enter;
			s->hold_start = 0;
			if (enter)
				s->enter_idx = s->enters++;
		}
		if (!s->decided) {
			if (!s->last_prompt) {
				return;	/* typed before the first prompt: hold until it */
			} else if (tcgetpgrp(s->master) != s->pid) {
				s->decided = 1;
			} else if (s->at_prompt) {
				uint32_t idx = s->enter_idx;
				unsigned char p[4] = { idx & 0xff, (idx >> 8) & 0xff, (idx >> 16) & 0xff, idx >> 24 };

				drain_log(s);
				frame('C', p, 4);
				s->at_prompt = 0;
				s->decided = 1;
			} else if (!s->hold_start) {
				s->hold_start = now_ms();
				return;
			} else if (now_ms() - s->hold_start < HOLD_MS) {
				return;
			} else {
				s->decided = 1;
			}
		}
		w = write(s->master, s->in, s->seg_end);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				s->in_len = s->seg_end = 0;	/* pty gone */
			return;
		}
		memmove(s->in, s->in + w, s->in_len - (size_t)w);
		s->in_len -= (size_t)w;
		s->seg_end -= (size_t)w;
		if (s->seg_end)
			return;	/* partial write: wait for POLLOUT */
	}
}

/* How long flush_input is still holding an Enter back, for poll(); -1: not. */
static int hold_timeout(struct session *s)
{
	long long left;

	if (!s->in_len || s->decided || !s->hold_start || !s->last_prompt)
		return -1;
	left = HOLD_MS - (now_ms() - s->hold_start);
	return left < 1 ? 1 : (int)left;
}

/*
 * SIGWINCH makes busybox's line editor redraw the line from its signal
 * handler; in the middle of a pasted line that redraw interleaves with the
 * echo. A window size is therefore applied once the shell has read all the
 * input we gave it (a cosmetic choice; at most 10 ms later when idle).
 */
static void apply_size(struct session *s)
{
	int unread = 0;

	if (!s->size_pending || s->in_len)
		return;
	if (s->slave >= 0 && ioctl(s->slave, FIONREAD, &unread) == 0 && unread > 0)
		return;
	set_size(s->master, s->rows, s->cols);
	s->size_pending = 0;
}

/*
 * Forwards shell output to the terminal, removing prompt markers
 * (PROMPT_MARK, decimal digits, BEL). A marker with a new number means a new
 * prompt: send 'P'. The number comes from $((FMS_PROMPT+=1)) in PS1, which
 * ash expands once per prompt, so the line editor redrawing the same
 * prompt (SIGWINCH, Ctrl-L) repeats the number and ends no command line.
 */
static void relay_output(struct session *s, const unsigned char *b, size_t n)
{
	static const char mark[] = PROMPT_MARK;
	const size_t mlen = sizeof(mark) - 1;
	static unsigned char out[BUF + sizeof(mark) + 16];
	size_t o = 0, i;

	for (i = 0; i < n; i++) {
		unsigned char c = b[i];

		if (s->mark_pos < mlen && c == (unsigned char)mark[s->mark_pos]) {
			s->mark_pos++;
			continue;
		}
		if (s->mark_pos == mlen) {
			if (c >= '0' && c <= '9' && s->mark_digits < 9) {
				s->mark_num = s->mark_num * 10 + (c - '0');
				s->mark_digits++;
				continue;
			}
			if (c == '\a' && s->mark_digits) {
				/* the whole marker: output before it, then 'P' if new */
				if (s->mark_num != s->last_prompt) {
					write_all(term_fd, out, o);
					o = 0;
					s->last_prompt = s->mark_num;
					s->at_prompt = 1;
					drain_log(s);
					frame('P', NULL, 0);
				}
				s->mark_pos = s->mark_digits = 0;
				s->mark_num = 0;
				continue;
			}
		}
		/* mismatch: the held bytes were output after all */
		if (s->mark_pos) {
			int k;
			char digits[16];

			memcpy(out + o, mark, s->mark_pos);
			o += s->mark_pos;
			if (s->mark_digits) {
				k = snprintf(digits, sizeof(digits), "%0*u", (int)s->mark_digits, s->mark_num);
				memcpy(out + o, digits, (size_t)k);
				o += (size_t)k;
			}
			s->mark_pos = s->mark_digits = 0;
			s->mark_num = 0;
			if (c == (unsigned char)mark[0]) {
				s->mark_pos = 1;
				continue;
			}
		}
		out[o++] = c;
		if (o >= BUF) {
			write_all(term_fd, out, o);
			o = 0;
		}
	}
	write_all(term_fd, out, o);
}

static void child(const char *slave, int fm)
{
	pid_t me = getpid();
	sigset_t none;
	int fd;

	setsid();
	fd = open(slave, O_RDWR);
	if (fd < 0)
		_exit(127);
	ioctl(fd, TIOCSCTTY, 0);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/*
	 * As a terminal's shell gets them: /init starts us in the background,
	 * where sh ignores SIGINT and SIGQUIT, and a shell keeps for its commands
	 * what was ignored when it started, so Ctrl-C and Ctrl-\ did nothing.
	 */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	clearenv();
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/root", 1);
	setenv("TERM", "xterm-256color", 1);
	setenv("SHELL", "/bin/sh", 1);
	setenv("USER", "root", 1);
	/* \[ \] tell the line editor the marker takes no room on screen */
	setenv("PS1", "\\[" PROMPT_MARK "$((FMS_PROMPT+=1))\a\\]\\w \\$ ", 1);
	if (chdir("/root") == -1)
		chdir("/");
	/* Last before exec: the shell's E record opens the log. */
	if (fm >= 0 && ioctl(fm, FILEMON_SET_PID, &me) == -1)
		fprintf(stderr, "fms-shell: FILEMON_SET_PID: %s (this shell is not traced)\r\n", strerror(errno));
	execl("/bin/sh", "sh", "-i", (char *)NULL);
	_exit(127);
}

/*
 * Runs one session. Returns 1 when a new "start" arrived meanwhile (its
 * size in *rows, *cols), 0 when the shell ended or was stopped, -1 when
 * the control channel is gone.
 */
static int run_session(int *rows, int *cols, int sig_fd)
{
	static struct session ss;
	struct session *s = &ss;
	static unsigned char b[BUF];
	int p[2], restart = 0, hup = 0, ctl_gone = 0;
	char *slave;

	memset(s, 0, sizeof(*s));
	s->logr = -1;
	s->fm = open("/dev/filemon", O_RDWR | O_CLOEXEC);
	if (s->fm < 0) {
		framef('W', "cannot open /dev/filemon: %s; the shell runs untraced", strerror(errno));
	} else if (pipe2(p, O_CLOEXEC) == -1) {
		framef('W', "pipe: %s", strerror(errno));
		close(s->fm);
		s->fm = -1;
	} else {
		fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
		if (ioctl(s->fm, FILEMON_SET_FD, &p[1]) == -1) {
			framef('W', "FILEMON_SET_FD: %s; the shell runs untraced", strerror(errno));
			close(s->fm);
			s->fm = -1;
			close(p[0]);
		} else {
			s->logr = p[0];
			fcntl(s->logr, F_SETFL, O_NONBLOCK);
		}
		close(p[1]);	/* filemon keeps its own reference, as bmake does */
	}
	s->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s->master < 0 || grantpt(s->master) || unlockpt(s->master) || !(slave = ptsname(s->master))) {
		framef('W', "pty: %s", strerror(errno));
		framef('E', "exit 127");
		if (s->fm >= 0)
			close(s->fm);
		drain_log(s);
		if (s->master >= 0)
			close(s->master);
		return 0;
	}
	set_size(s->master, *rows, *cols);
	s->slave = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
	s->pid = fork();
	if (s->pid == 0)
		child(slave, s->fm);
	framef('S', "%d", (int)s->pid);
	fcntl(s->master, F_SETFL, O_NONBLOCK);

	for (;;) {
		struct pollfd pf[5];
		int n = 0, i_term = -1, i_master = -1, i_log = -1, i_ctl = -1, i_sig;
		int status, timeout;

		pf[n] = (struct pollfd){ sig_fd, POLLIN, 0 };
		i_sig = n++;
		if (s->in_len < sizeof(s->in)) {
			pf[n] = (struct pollfd){ term_fd, POLLIN, 0 };
			i_term = n++;
		}
		pf[n] = (struct pollfd){ s->master, (short)(POLLIN | (s->in_len && s->decided ? POLLOUT : 0)), 0 };
		i_master = n++;
		if (s->logr >= 0) {
			pf[n] = (struct pollfd){ s->logr, POLLIN, 0 };
			i_log = n++;
		}
		if (!ctl_gone) {
			pf[n] = (struct pollfd){ trace_fd, POLLIN, 0 };
			i_ctl = n++;
		}
		timeout = hold_timeout(s);
		if (s->size_pending && (timeout < 0 || timeout > 10))
			timeout = 10;
		if (poll(pf, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (i_log >= 0 && pf[i_log].revents)
			drain_log(s);
		if (pf[i_master].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(s->master, b, sizeof(b));
			if (r > 0)
				relay_output(s, b, (size_t)r);
			else if (r < 0 && errno != EAGAIN && errno != EINTR)
				hup = 1;	/* EIO: no process has the pty open any more */
		}
		if (i_term >= 0 && pf[i_term].revents & POLLIN) {
			ssize_t r = read(term_fd, s->in + s->in_len, sizeof(s->in) - s->in_len);
			if (r > 0)
				s->in_len += (size_t)r;
		}
		if (s->in_len)
			flush_input(s);
		apply_size(s);
		if (i_ctl >= 0 && pf[i_ctl].revents) {
			char *line;

			if (!read_ctl())
				ctl_gone = 1;
			while ((line = next_ctl_line())) {
				int r1, c1;

				if (sscanf(line, "size %d %d", &r1, &c1) == 2) {
					s->rows = r1;
					s->cols = c1;
					s->size_pending = 1;
					apply_size(s);
				} else if (sscanf(line, "start %d %d", &r1, &c1) == 2) {
					*rows = r1;
					*cols = c1;
					restart = 1;
				} else if (!strcmp(line, "stop")) {
					hup = 1;
				}
			}
			if (restart || hup || ctl_gone)
				kill(-s->pid, SIGHUP);
		}
		if (pf[i_sig].revents) {
			struct signalfd_siginfo si;
			while (read(sig_fd, &si, sizeof(si)) > 0)
				;
		}
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->status = status;
			break;
		}
		if (hup) {
			/* the pty is gone or we were told to stop: make sure the shell goes */
			kill(-s->pid, SIGHUP);
			kill(-s->pid, SIGCONT);
			if (waitpid(s->pid, &status, 0) == s->pid)
				s->status = status;
			break;
		}
	}
	/* The shell's last output, then the log up to the footer. */
	for (;;) {
		ssize_t r = read(s->master, b, sizeof(b));
		if (r <= 0)
			break;
		relay_output(s, b, (size_t)r);
	}
	kill(-s->pid, SIGKILL);
	if (s->fm >= 0)
		close(s->fm);	/* writes the footer and releases the pipe */
	if (s->logr >= 0) {
		fcntl(s->logr, F_SETFL, 0);
		while (s->logr >= 0)
			drain_log(s);
	}
	close(s->master);
	if (s->slave >= 0)
		close(s->slave);
	if (WIFSIGNALED(s->status))
		framef('E', "signal %d", WTERMSIG(s->status));
	else
		framef('E', "exit %d", WEXITSTATUS(s->status));
	return ctl_gone ? -1 : restart;
}

int main(void)
{
	sigset_t mask;
	int sig_fd, rows = 24, cols = 80;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	mkdir("/root", 0700);
	mkdir("/home", 0755);
	term_fd = open_port(TERM_PATH);
	trace_fd = open_port(TRACE_PATH);
	for (;;) {
		char *line;
		int r;

		/* idle: wait for "start ROWS COLS" */
		while (!(line = next_ctl_line())) {
			if (!read_ctl())
				return 1;
		}
		if (sscanf(line, "start %d %d", &rows, &cols) != 2)
			continue;
		do {
			r = run_session(&rows, &cols, sig_fd);
		} while (r == 1);
		if (r < 0)
			return 1;
	}
}
