/*
 * Wire protocol between the host harness (sim/guest/protocol.ts) and the guest
 * agent, carried over the virtio console /dev/hvc0.
 *
 * A frame is a 16-byte header (magic, type, id, body length; u32 little
 * endian each) followed by a body of fields: u16 tag, u32 length, bytes.
 * A field whose tag has FMS_SPILLED set carries, instead of its bytes, the
 * name of a file in the shared 9p folder that holds them: bulk data goes
 * through 9p, which is one to two orders of magnitude faster than the
 * console (see docs/architecture.md, "Channel").
 *
 * Keep in sync with sim/guest/protocol.ts.
 */
#ifndef FMS_PROTOCOL_H
#define FMS_PROTOCOL_H

#define FMS_MAGIC		0x31534d46u	/* "FMS1" */
#define FMS_HEADER_SIZE		16
#define FMS_MAX_INLINE_BODY	(4u << 20)	/* larger bodies are refused */
#define FMS_SPILLED		0x8000u

enum fms_frame_type {
	FMS_EXEC = 1,
	FMS_PUT = 2,
	FMS_GET = 3,
	FMS_PING = 4,
	FMS_PUT_TREE = 5,	/* PATH, TREE: writes the tree at PATH */
	FMS_GET_TREE = 6,	/* PATH: replies with PATH's TREE */
	FMS_READY = 100,
	FMS_RESULT = 101,
};

enum fms_tag {
	FMS_ARGV = 1,		/* repeated: one argument each */
	FMS_SHELL = 2,		/* string run by /bin/sh -c */
	FMS_CWD = 3,
	FMS_ENV = 4,		/* repeated: NAME=value */
	FMS_STDIN = 5,
	FMS_TIMEOUT_MS = 6,	/* u32 */
	FMS_HOST_TIME_MS = 7,	/* u64: the guest clock follows the host's */
	FMS_PATH = 8,
	FMS_MODE = 9,		/* u32 */
	FMS_DATA = 10,
	FMS_STATUS = 11,	/* i32 exit status */
	FMS_SIGNAL = 12,	/* i32 terminating signal or 0 */
	FMS_STDOUT = 13,
	FMS_STDERR = 14,
	FMS_ERROR = 15,		/* string: the request failed in the agent */
	FMS_TIMED_OUT = 16,	/* u8 */
	FMS_INFO = 17,		/* string: READY's description of the guest */
	FMS_REMOVE = 18,	/* GET: remove the file once read */
	FMS_RESTARTED = 19,	/* string: READY of a restarted agent: why the last one ended */
	FMS_TREE = 20,		/* a tree of entries, laid out as below */
	FMS_REFUSED = 21,	/* repeated: entry name, NUL, why it was not moved */
};

/*
 * A tree is a sequence of entries, each a header of FMS_TREE_HEADER bytes
 * (little endian) followed by the entry's name, its link text and its data:
 *
 *   0 u32 kind        4 u32 st_mode      8 s64 mtime seconds
 *  16 u32 mtime ns   20 u32 atime ns    24 s64 atime seconds
 *  32 u32 name bytes 36 u32 link bytes  40 u64 data bytes
 *
 * Names are relative to the tree's root ("" is the root itself), '/'
 * separated, with no empty, "." or ".." component; a directory comes
 * before what it holds. The link text is a symlink's target, unchanged, or
 * for a hard link the name of an earlier file entry of the same tree.
 */
#define FMS_TREE_HEADER		48

enum fms_tree_kind {
	FMS_TREE_FILE = 1,
	FMS_TREE_DIR = 2,
	FMS_TREE_SYMLINK = 3,
	FMS_TREE_HARDLINK = 4,
	FMS_TREE_OTHER = 5,	/* FIFO, socket or device: named, not copied */
};

#endif
