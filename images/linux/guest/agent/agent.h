/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the agent's files share: frames and fields (agent.c) and the
 * handlers that move files and trees (files.c).
 */
#ifndef FMS_AGENT_H
#define FMS_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

#define SPILL_AT	(64u << 10)		/* larger outputs go via 9p */
#define MAX_OUTPUT	(1u << 30)

/* A growable byte buffer. */
struct buf {
	char *data;
	size_t len, cap;
};

struct frame {
	uint32_t type, id;
	unsigned char *body;
	uint32_t len;
};

struct field {
	unsigned tag;
	const unsigned char *data;
	uint32_t len;
};

/* One output stream of a reply, moved to a spill file once it is large. */
struct sink {
	unsigned tag;
	struct buf mem;
	int spill_fd;
	char spill_name[64];
	size_t total;
	int failed;
};

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
int write_all(int fd, const void *buf, size_t len);
int copy_fd(int in, int out);
void buf_put(struct buf *b, const void *p, size_t n);
void buf_free(struct buf *b);
uint32_t get_u32(const unsigned char *p);
void put_u32(unsigned char *p, uint32_t v);
int next_field(const struct frame *f, uint32_t *pos, struct field *out);
void add_field(struct buf *body, unsigned tag, const void *p, uint32_t n);
void add_u32(struct buf *body, unsigned tag, uint32_t v);
void add_str(struct buf *body, unsigned tag, const char *s);
void send_frame(uint32_t type, uint32_t id, const struct buf *body);
void send_error(uint32_t id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int open_spilled(const struct field *fl);
void sink_write(struct sink *s, uint32_t id, const char *p, size_t n);
void sink_finish(struct sink *s, struct buf *body);
char *dup_field(const struct field *fl);

/* files.c */
void handle_put(struct frame *f);
void handle_get(struct frame *f);
void handle_put_tree(struct frame *f);
void handle_get_tree(struct frame *f);

#endif
