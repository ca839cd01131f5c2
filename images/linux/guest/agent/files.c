// SPDX-License-Identifier: BSD-2-Clause
/*
 * Moving files for the host: one file (PUT, GET) or a whole tree
 * (PUT_TREE, GET_TREE; the layout is in protocol.h).
 *
 * A tree keeps what each entry is: symlinks cross as symlinks and are never
 * followed, files and directories keep their mode and times, hard links
 * within the tree stay linked, FIFOs, sockets and devices are named and
 * not copied. Writing never goes through a symlink below the destination
 * the host named: each level is opened with O_NOFOLLOW, so a link left in
 * the destination by an earlier command or transfer cannot redirect a write.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"

/* Creates the parent directories of path, like mkdir -p of its dirname. */
static void make_parents(char *path)
{
	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		mkdir(path, 0755);
		*s = '/';
	}
}

void handle_put(struct frame *f)
{
	struct buf body = { 0 };
	struct field fl, data = { 0 };
	uint32_t pos = 0, mode = 0644;
	char *path = NULL;
	int fd = -1, src = -1, failed;

	while (next_field(f, &pos, &fl)) {
		switch (fl.tag & ~FMS_SPILLED) {
		case FMS_PATH:
			free(path);
			path = dup_field(&fl);
			break;
		case FMS_MODE:
			if (fl.len == 4)
				mode = get_u32(fl.data);
			break;
		case FMS_DATA:
			data = fl;
			break;
		}
	}
	if (!path || path[0] != '/') {
		send_error(f->id, "put needs an absolute guest path");
		goto out;
	}
	make_parents(path);
	if (S_ISDIR(mode)) {
		if (mkdir(path, mode & 07777) && errno != EEXIST)
			send_error(f->id, "cannot create the guest directory %s: %s", path, strerror(errno));
		else
			send_frame(FMS_RESULT, f->id, &body);
		goto out;
	}
	if ((data.tag & FMS_SPILLED) && (src = open_spilled(&data)) < 0) {
		send_error(f->id, "file data could not be opened in the 9p folder: %s", strerror(errno));
		goto out;
	}
	/* Streamed, never held whole: the guest's memory is small. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 07777);
	failed = fd < 0 ||
		 (src >= 0 ? copy_fd(src, fd) : write_all(fd, data.data, data.len)) ||
		 fchmod(fd, mode & 07777);
	if ((fd >= 0 && close(fd)) || failed)
		send_error(f->id, "cannot write the guest file %s: %s", path, strerror(errno));
	else
		send_frame(FMS_RESULT, f->id, &body);
out:
	if (src >= 0)
		close(src);
	free(path);
	buf_free(&body);
}

void handle_get(struct frame *f)
{
	struct sink s = { .tag = FMS_DATA, .spill_fd = -1 };
	struct buf body = { 0 };
	struct field fl;
	struct stat st;
	uint32_t pos = 0;
	char *path = NULL, chunk[128 << 10];
	ssize_t n;
	int fd, remove_after = 0;

	while (next_field(f, &pos, &fl)) {
		if ((fl.tag & ~FMS_SPILLED) == FMS_PATH) {
			free(path);
			path = dup_field(&fl);
		} else if (fl.tag == FMS_REMOVE) {
			remove_after = 1;
		}
	}
	if (!path) {
		send_error(f->id, "get needs a guest path");
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		send_error(f->id, "cannot read the guest file %s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		send_error(f->id, "cannot read the guest file %s: Is a directory", path);
		goto out;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		sink_write(&s, f->id, chunk, n);
	if (n < 0 || s.failed) {
		send_error(f->id, "cannot read the guest file %s: %s", path, n < 0 ? strerror(errno) : "too large or 9p write failed");
		if (s.spill_fd >= 0)
			close(s.spill_fd);
		buf_free(&s.mem);
		goto out;
	}
	add_u32(&body, FMS_MODE, st.st_mode);
	sink_finish(&s, &body);
	if (remove_after)
		unlink(path);
	send_frame(FMS_RESULT, f->id, &body);
out:
	if (fd >= 0)
		close(fd);
	free(path);
	buf_free(&body);
}

/* ---- trees ---- */

struct entry {
	uint32_t kind, mode;
	struct timespec times[2];	/* atime, mtime, as utimensat takes them */
	uint32_t name_len, link_len;
	uint64_t data_len;
};

static uint64_t get_u64(const unsigned char *p)
{
	return get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static void put_u64(unsigned char *p, uint64_t v)
{
	put_u32(p, v);
	put_u32(p + 4, v >> 32);
}

/* Adds "name\0why" to a reply: an entry that was not moved. */
static void refuse(struct buf *body, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void refuse(struct buf *body, const char *name, const char *fmt, ...)
{
	char msg[1024];
	size_t n = strlen(name) + 1;
	va_list ap;

	if (n > sizeof(msg) / 2)
		n = sizeof(msg) / 2;
	memcpy(msg, name, n - 1);
	msg[n - 1] = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	add_field(body, FMS_REFUSED, msg, n + strlen(msg + n));
}

/* NULL if name is a tree entry's name; else what is wrong with it. */
static const char *bad_name(const char *name)
{
	const char *c = name;

	if (!*name)
		return "an empty name";
	if (*name == '/')
		return "an absolute name";
	for (;;) {
		size_t n = strcspn(c, "/");

		if (n == 0)
			return "an empty component";
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return "a \".\" or \"..\" component";
		if (!c[n])
			return NULL;
		c += n + 1;
	}
}

/*
 * Opens the directory that holds name, below root, one level at a time and
 * never through a symlink; missing levels are created. Sets *base to the
 * last component. Returns a directory fd, or -1 with why set.
 */
static int open_parent(int root, char *name, char **base, const char **why)
{
	int fd = dup(root);
	char *c = name, *slash;

	while (fd >= 0 && (slash = strchr(c, '/'))) {
		int next;

		*slash = 0;
		next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && mkdirat(fd, c, 0700) == 0)
			next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			*why = errno == ELOOP || errno == ENOTDIR ?
			       "its path goes through a symlink or a file in the destination" : strerror(errno);
		*slash = '/';
		close(fd);
		fd = next;
		c = slash + 1;
	}
	*base = c;
	return fd;
}

/*
 * Where a tree's bytes come from: a spilled 9p file, read in large chunks
 * (each read is a round trip to the host), or the frame itself.
 */
struct tree_in {
	int fd;
	const unsigned char *p;
	uint64_t left;
	unsigned char *chunk;
	size_t have;	/* bytes of chunk not yet consumed, at p */
};

#define IN_CHUNK	(256u << 10)

static int in_read(struct tree_in *in, void *dst, size_t n)
{
	unsigned char *d = dst;

	if (n > in->left)
		return -1;
	in->left -= n;
	if (in->fd < 0) {
		memcpy(d, in->p, n);
		in->p += n;
		return 0;
	}
	while (n) {
		size_t k;

		if (!in->have) {
			ssize_t r = read(in->fd, in->chunk, IN_CHUNK);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return -1;
			in->p = in->chunk;
			in->have = r;
		}
		k = n < in->have ? n : in->have;
		memcpy(d, in->p, k);
		in->p += k;
		in->have -= k;
		d += k;
		n -= k;
	}
	return 0;
}

/* Copies n bytes of the tree to out, or skips them when out is -1. */
static int in_copy(struct tree_in *in, int out, uint64_t n, int *write_failed)
{
	static char chunk[128 << 10];

	while (n) {
		size_t k = n < sizeof(chunk) ? n : sizeof(chunk);

		if (in_read(in, chunk, k))
			return -1;
		if (out >= 0 && !*write_failed && write_all(out, chunk, k))
			*write_failed = errno;
		n -= k;
	}
	return 0;
}

static int read_entry(struct tree_in *in, struct entry *e)
{
	unsigned char h[FMS_TREE_HEADER];

	if (in_read(in, h, sizeof(h)))
		return -1;
	e->kind = get_u32(h);
	e->mode = get_u32(h + 4);
	e->times[1].tv_sec = (int64_t)get_u64(h + 8);
	e->times[1].tv_nsec = get_u32(h + 16);
	e->times[0].tv_nsec = get_u32(h + 20);
	e->times[0].tv_sec = (int64_t)get_u64(h + 24);
	e->name_len = get_u32(h + 32);
	e->link_len = get_u32(h + 36);
	e->data_len = get_u64(h + 40);
	if (e->name_len > 4096 || e->link_len > 4096 || (e->kind != FMS_TREE_FILE && e->data_len))
		return -1;
	return 0;
}

/* A directory whose mode and times are set once everything in it is written. */
struct dir_done {
	char *name;
	uint32_t mode;
	struct timespec times[2];
};

/* Removes what is at base unless it is a directory; 0 if nothing is there now. */
static int clear_for(int dir, const char *base, const char **why)
{
	struct stat st;

	if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW))
		return 0;
	if (S_ISDIR(st.st_mode)) {
		*why = "a directory of that name is in the way";
		return -1;
	}
	if (unlinkat(dir, base, 0)) {
		*why = strerror(errno);
		return -1;
	}
	return 0;
}

/*
 * Writes one entry at (dir, base). Returns 0, or -1 with why set; file data
 * is consumed either way by the caller.
 */
static int write_entry(int dir, const char *base, const struct entry *e, const char *link,
		       struct tree_in *in, int *stream_bad, const char **why)
{
	int fd, werr = 0;
	struct stat st;

	switch (e->kind) {
	case FMS_TREE_FILE:
		fd = clear_for(dir, base, why) ? -1 :
		     openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && !*why)
			*why = strerror(errno);
		if (in_copy(in, fd, e->data_len, &werr))
			*stream_bad = 1;
		if (fd < 0)
			return -1;
		if (!werr && (fchmod(fd, e->mode & 07777) || futimens(fd, e->times)))
			werr = errno;
		if (close(fd) && !werr)
			werr = errno;
		if (werr)
			*why = strerror(werr);
		return werr ? -1 : 0;
	case FMS_TREE_DIR:
		if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
			return 0;
		if (clear_for(dir, base, why))
			return -1;
		if (mkdirat(dir, base, 0700)) {
			*why = strerror(errno);
			return -1;
		}
		return 0;
	case FMS_TREE_SYMLINK:
		if (clear_for(dir, base, why))
			return -1;
		if (symlinkat(link, dir, base) ||
		    utimensat(dir, base, e->times, AT_SYMLINK_NOFOLLOW)) {
			*why = strerror(errno);
			return -1;
		}
		return 0;
	default:
		*why = "FIFOs, sockets and device nodes are not copied";
		return -1;
	}
}

/* Hard-links name to target, both below root, never through a symlink. */
static int write_hardlink(int root, int dir, const char *base, char *target, const char **why)
{
	char *tbase;
	int tdir, r;

	if ((*why = bad_name(target)))
		return -1;
	tdir = open_parent(root, target, &tbase, why);
	if (tdir < 0)
		return -1;
	r = clear_for(dir, base, why) ? -1 : linkat(tdir, tbase, dir, base, 0);
	if (r && !*why)
		*why = strerror(errno);
	close(tdir);
	return r;
}

/* Sets the recorded directories' mode and times, innermost first. */
static void finish_dirs(int root, struct dir_done *dirs, size_t n, struct buf *body)
{
	while (n--) {
		struct dir_done *d = &dirs[n];
		const char *why = NULL;
		char *base;
		int parent = -1, fd;

		if (d->name[0]) {
			parent = open_parent(root, d->name, &base, &why);
			fd = parent < 0 ? -1 :
			     openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		} else {
			fd = dup(root);
		}
		if (fd < 0 || fchmod(fd, d->mode & 07777) || futimens(fd, d->times))
			refuse(body, d->name, "cannot set the directory's mode and times: %s", why ? why : strerror(errno));
		if (fd >= 0)
			close(fd);
		if (parent >= 0)
			close(parent);
		free(d->name);
	}
}

/* Opens the root's parent directory and sets *base to the root's last component. */
static int open_root_parent(char *path, char **base)
{
	char *slash = strrchr(path, '/');
	int fd;

	*base = slash + 1;
	if (slash == path)
		return open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*slash = 0;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*slash = '/';
	return fd;
}

void handle_put_tree(struct frame *f)
{
	struct tree_in in = { .fd = -1 };
	struct buf body = { 0 };
	struct dir_done *dirs = NULL;
	size_t ndirs = 0, cap = 0;
	struct field fl;
	uint32_t pos = 0;
	char *path = NULL, *name = NULL, *link = NULL, *base;
	int have_tree = 0, root = -1, top = -1, stream_bad = 0;

	while (next_field(f, &pos, &fl)) {
		if ((fl.tag & ~FMS_SPILLED) == FMS_PATH) {
			free(path);
			path = dup_field(&fl);
		} else if ((fl.tag & ~FMS_SPILLED) == FMS_TREE) {
			have_tree = 1;
			in.p = fl.data;
			in.left = fl.len;
			if (fl.tag & FMS_SPILLED) {
				struct stat st;

				in.fd = open_spilled(&fl);
				in.chunk = malloc(IN_CHUNK);
				if (!in.chunk)
					die("out of memory");
				if (in.fd < 0 || fstat(in.fd, &st)) {
					send_error(f->id, "the tree could not be opened in the 9p folder: %s", strerror(errno));
					goto out;
				}
				in.left = st.st_size;
			}
		}
	}
	if (!path || path[0] != '/' || strlen(path) < 2 || path[strlen(path) - 1] == '/' || !have_tree) {
		send_error(f->id, "put_tree needs an absolute guest path (not /) and a tree");
		goto out;
	}
	make_parents(path);
	top = open_root_parent(path, &base);
	if (top < 0) {
		send_error(f->id, "cannot open the guest directory that is to hold %s: %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		struct entry e;
		const char *why = NULL;
		int dir = -1;
		char *ebase;

		if (in.left == 0)
			break;
		if (read_entry(&in, &e)) {
			stream_bad = 1;
			break;
		}
		free(name);
		free(link);
		name = malloc(e.name_len + 1);
		link = malloc(e.link_len + 1);
		if (!name || !link)
			die("out of memory");
		if (in_read(&in, name, e.name_len) || in_read(&in, link, e.link_len)) {
			stream_bad = 1;
			break;
		}
		name[e.name_len] = 0;
		link[e.link_len] = 0;
		if (memchr(name, 0, e.name_len) || memchr(link, 0, e.link_len)) {
			why = "a NUL byte in its name";
		} else if (!name[0]) {
			/* The root: at the path the host named. */
			if (root >= 0)
				why = "a second root entry";
			else
				dir = dup(top), ebase = base;
		} else if (root < 0) {
			why = "an entry below a root that is not a directory";
		} else if (!(why = bad_name(name))) {
			dir = open_parent(root, name, &ebase, &why);
		}
		if (dir >= 0) {
			struct stat st;

			/* The root directory the host named may be a symlink of the user's own. */
			if (!name[0] && e.kind == FMS_TREE_DIR && fstatat(dir, ebase, &st, 0) == 0 && S_ISDIR(st.st_mode))
				;
			else if (e.kind == FMS_TREE_HARDLINK)
				write_hardlink(root, dir, ebase, link, &why);
			else
				write_entry(dir, ebase, &e, link, &in, &stream_bad, &why);
			if (!why && e.kind == FMS_TREE_DIR) {
				if (!name[0])
					root = openat(dir, ebase, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
				if (ndirs == cap) {
					cap = cap ? cap * 2 : 64;
					dirs = realloc(dirs, cap * sizeof(*dirs));
					if (!dirs)
						die("out of memory");
				}
				dirs[ndirs++] = (struct dir_done){ strdup(name), e.mode, { e.times[0], e.times[1] } };
			}
			close(dir);
		} else if (e.kind == FMS_TREE_FILE) {
			int unused = 0;

			if (in_copy(&in, -1, e.data_len, &unused))
				stream_bad = 1;
		}
		if (why)
			refuse(&body, name, "%s", why);
		if (stream_bad)
			break;
	}
	if (root >= 0)
		finish_dirs(root, dirs, ndirs, &body);
	if (stream_bad)
		send_error(f->id, "the tree for %s ended inside an entry; what came before it was written", path);
	else
		send_frame(FMS_RESULT, f->id, &body);
out:
	if (root >= 0)
		close(root);
	if (top >= 0)
		close(top);
	if (in.fd >= 0)
		close(in.fd);
	free(in.chunk);
	free(dirs);
	free(name);
	free(link);
	free(path);
	buf_free(&body);
}

/* What get_tree has seen so far: files with several links, by inode. */
struct seen {
	dev_t dev;
	ino_t ino;
	char *name;
};

struct walk {
	uint32_t id;
	struct sink out;
	struct buf pend;	/* small writes gathered: each spill write is a 9p round trip */
	struct buf *body;
	struct seen *seen;
	size_t nseen, cap;
};

static void out_flush(struct walk *w)
{
	sink_write(&w->out, w->id, w->pend.data, w->pend.len);
	w->pend.len = 0;
}

static void out_put(struct walk *w, const char *p, size_t n)
{
	if (n >= SPILL_AT) {
		out_flush(w);
		sink_write(&w->out, w->id, p, n);
		return;
	}
	buf_put(&w->pend, p, n);
	if (w->pend.len >= 4 * SPILL_AT)
		out_flush(w);
}

static void emit(struct walk *w, uint32_t kind, const struct stat *st, const char *name,
		 const char *link, uint64_t data_len)
{
	unsigned char h[FMS_TREE_HEADER];
	uint32_t nl = strlen(name), ll = link ? strlen(link) : 0;

	put_u32(h, kind);
	put_u32(h + 4, st->st_mode);
	put_u64(h + 8, (uint64_t)(int64_t)st->st_mtim.tv_sec);
	put_u32(h + 16, st->st_mtim.tv_nsec);
	put_u32(h + 20, st->st_atim.tv_nsec);
	put_u64(h + 24, (uint64_t)(int64_t)st->st_atim.tv_sec);
	put_u32(h + 32, nl);
	put_u32(h + 36, ll);
	put_u64(h + 40, data_len);
	out_put(w, (const char *)h, sizeof(h));
	out_put(w, name, nl);
	if (ll)
		out_put(w, link, ll);
}

/* The name of an earlier file entry with st's inode, or NULL. */
static const char *linked_before(const struct walk *w, const struct stat *st)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
			return w->seen[i].name;
	return NULL;
}

static void remember_links(struct walk *w, const struct stat *st, const char *name)
{
	if (w->nseen == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->seen = realloc(w->seen, w->cap * sizeof(*w->seen));
		if (!w->seen)
			die("out of memory");
	}
	w->seen[w->nseen++] = (struct seen){ st->st_dev, st->st_ino, strdup(name) };
}

static void emit_file(struct walk *w, int dir, const char *base, const struct stat *st, const char *name)
{
	static char chunk[128 << 10];
	uint64_t left = st->st_size;
	const char *first = st->st_nlink > 1 ? linked_before(w, st) : NULL;
	int fd;

	if (first) {
		emit(w, FMS_TREE_HARDLINK, st, name, first, 0);
		return;
	}
	fd = openat(dir, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		refuse(w->body, name, "cannot read it: %s", strerror(errno));
		return;
	}
	if (st->st_nlink > 1)
		remember_links(w, st, name);
	emit(w, FMS_TREE_FILE, st, name, NULL, left);
	while (left) {
		size_t k = left < sizeof(chunk) ? left : sizeof(chunk);
		ssize_t n = read(fd, chunk, k);

		if (n <= 0) {
			/* Shrunk while read: the header's length is kept, zeros fill. */
			refuse(w->body, name, "it changed while it was read (%s)", n < 0 ? strerror(errno) : "shorter");
			memset(chunk, 0, sizeof(chunk));
			while (left) {
				k = left < sizeof(chunk) ? left : sizeof(chunk);
				out_put(w, chunk, k);
				left -= k;
			}
			break;
		}
		out_put(w, chunk, n);
		left -= n;
	}
	close(fd);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Emits (dir, base), named name in the tree, and what it holds; never follows a symlink. */
static void walk_entry(struct walk *w, int dir, const char *base, char *name, size_t name_cap)
{
	struct stat st;
	char target[4096];
	ssize_t n;

	if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW)) {
		refuse(w->body, name, "cannot read it: %s", strerror(errno));
		return;
	}
	if (S_ISREG(st.st_mode)) {
		emit_file(w, dir, base, &st, name);
	} else if (S_ISLNK(st.st_mode)) {
		n = readlinkat(dir, base, target, sizeof(target) - 1);
		if (n < 0) {
			refuse(w->body, name, "cannot read the symlink: %s", strerror(errno));
			return;
		}
		target[n] = 0;
		emit(w, FMS_TREE_SYMLINK, &st, name, target, 0);
	} else if (S_ISDIR(st.st_mode)) {
		struct dirent **list;
		size_t len = strlen(name);
		int fd = openat(dir, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), count;

		if (fd < 0 || (count = scandirat(fd, ".", &list, NULL, by_name)) < 0) {
			refuse(w->body, name, "cannot read the directory: %s", strerror(errno));
			if (fd >= 0)
				close(fd);
			return;
		}
		emit(w, FMS_TREE_DIR, &st, name, NULL, 0);
		for (int i = 0; i < count; i++) {
			const char *d = list[i]->d_name;

			if (strcmp(d, ".") && strcmp(d, "..")) {
				if (len + 1 + strlen(d) + 1 > name_cap)
					refuse(w->body, name, "a name below it is too long: %s", d);
				else {
					snprintf(name + len, name_cap - len, "%s%s", len ? "/" : "", d);
					walk_entry(w, fd, d, name, name_cap);
					name[len] = 0;
				}
			}
			free(list[i]);
		}
		free(list);
		close(fd);
	} else {
		emit(w, FMS_TREE_OTHER, &st, name, NULL, 0);
	}
}

void handle_get_tree(struct frame *f)
{
	struct buf body = { 0 };
	struct walk w = { .id = f->id, .out = { .tag = FMS_TREE, .spill_fd = -1 }, .body = &body };
	struct field fl;
	struct stat st;
	uint32_t pos = 0;
	char *path = NULL, *base, name[4096] = "";
	int top;

	while (next_field(f, &pos, &fl))
		if ((fl.tag & ~FMS_SPILLED) == FMS_PATH) {
			free(path);
			path = dup_field(&fl);
		}
	if (!path || path[0] != '/' || strlen(path) < 2 || path[strlen(path) - 1] == '/') {
		send_error(f->id, "get_tree needs an absolute guest path (not /)");
		goto out;
	}
	top = open_root_parent(path, &base);
	if (top < 0 || fstatat(top, base, &st, AT_SYMLINK_NOFOLLOW)) {
		send_error(f->id, "cannot read %s in the guest: %s", path, strerror(errno));
		if (top >= 0)
			close(top);
		goto out;
	}
	walk_entry(&w, top, base, name, sizeof(name));
	close(top);
	out_flush(&w);
	buf_free(&w.pend);
	if (w.out.failed) {
		send_error(f->id, "cannot send %s: more than %u bytes, or the 9p write failed", path, MAX_OUTPUT);
		if (w.out.spill_fd >= 0)
			close(w.out.spill_fd);
		buf_free(&w.out.mem);
	} else {
		sink_finish(&w.out, &body);
		send_frame(FMS_RESULT, f->id, &body);
	}
	for (size_t i = 0; i < w.nseen; i++)
		free(w.seen[i].name);
	free(w.seen);
out:
	free(path);
	buf_free(&body);
}
