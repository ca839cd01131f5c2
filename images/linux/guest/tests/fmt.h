/* Shared helpers of the filemon conformance programs (guest side). */
#ifndef FMT_H
#define FMT_H

#include <sys/types.h>

/* Every case works in FMT_BASE/<case>, made fresh; paths in it are relative. */
#define FMT_BASE "/tmp/fmtest"

void fmt_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
const char *fmt_errname(int e);

/* Fresh work directory FMT_BASE/<name>, made the cwd, with ./prog -> this program. */
void fmt_workdir(const char *name);
const char *fmt_workpath(void);		/* absolute path of the work directory */
void fmt_touch(const char *path);	/* a small file */

int fmt_filemon(void);			/* open("/dev/filemon", O_RDWR|O_CLOEXEC) */
int fmt_logfile(const char *path);	/* a new log file, O_RDWR */
void fmt_setfd(int fm, int log);	/* FILEMON_SET_FD or die */
int fmt_ioctl(int fm, unsigned long req, int arg);	/* 0 or errno */
void fmt_attach_self(int fm);		/* FILEMON_SET_PID(getpid()) or _exit(100) */
int fmt_close(int fd);			/* 0 or errno */
int fmt_wait(pid_t pid);		/* waitpid() status */

/* Print "--- <title>" and the file's contents. */
void fmt_print_file(const char *title, const char *path);

/*
 * The usual shape, as in filemon(4)'s example: a log "log", a child that
 * traces itself and runs body(), the tracer waits, closes the filemon
 * descriptor (printing "close: <errno name or 0>") and prints the log.
 */
void fmt_traced(void (*body)(void), int print_log);

/* Simple synchronisation over a pipe. */
struct fmt_gate { int fd[2]; };
void fmt_gate_init(struct fmt_gate *g);
void fmt_gate_open(struct fmt_gate *g);	/* write one byte */
void fmt_gate_wait(struct fmt_gate *g);	/* read one byte */

/* Re-exec'd modes of this program ("./prog <mode> ..."), see fmt_main.c. */
int fmt_child_mode(int argc, char **argv);

#endif
