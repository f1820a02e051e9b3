/* cubicle-layer: shared types and helpers. */
#ifndef CUBICLE_LAYER_H
#define CUBICLE_LAYER_H

#include "../common.h"

#define LAYER_NAME "cubicle-layer"
#define LAYER_VERSION "0.1.0"

/* Exit codes: 1 the work failed, 2 the command line is wrong. */
#define EXIT_FAILED 1
#define EXIT_USAGE 2

/* ---- util.c (make_error, write_all: ../common.h) */

/* malloc that fails with an error instead of NULL. */
int alloc_bytes(size_t size, void *out, struct cub_error *err);
int grow_array(void *array, size_t *capacity, size_t needed, size_t item_size,
               struct cub_error *err);
/* openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS) when the kernel has it (5.6);
 * otherwise, or with CUBICLE_LAYER_NO_OPENAT2=1, an O_NOFOLLOW walk.
 * path is relative and already normalized (no "", ".", ".." components);
 * with create, missing directories on the way are made (mode 0755). */
int open_beneath(int root_fd, const char *path, int flags, bool create, int *out_fd);

/* ---- sha256.c (FIPS 180-4) */

struct sha256 {
  uint32_t state[8];
  uint64_t length; /* bytes hashed so far */
  unsigned char block[64];
  size_t used; /* bytes waiting in block */
};

void sha256_init(struct sha256 *ctx);
void sha256_update(struct sha256 *ctx, const void *data, size_t len);
void sha256_final(struct sha256 *ctx, unsigned char digest[32]);
void sha256_hex(const unsigned char digest[32], char hex[65]);
/* "sha-ni" or "generic": the block function in use. */
const char *sha256_implementation(void);

/* ---- extract.c */

enum owners_mode { OWNERS_KEEP, OWNERS_ROOT };

struct extract_stats {
  unsigned long long entries;
  unsigned long long bytes;
  unsigned long long skipped_devices;
  unsigned long long skipped_xattrs;
  unsigned long long whiteouts;
  unsigned long long opaque_dirs;
};

int extract_layer(int input_fd, const char *dir, enum owners_mode owners,
                  struct extract_stats *stats, struct cub_error *err);

/* ---- tar.c: the stream, one entry at a time */

struct tar_xattr {
  char *name;
  unsigned char *value;
  size_t value_len;
};

struct tar_entry {
  char *path;     /* as in the archive: not normalized yet */
  char *linkpath; /* hardlink or symlink target, "" when none */
  char type;      /* '0' file, '1' hardlink, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo */
  mode_t mode;    /* 07777 bits */
  uint64_t uid, gid;
  uint64_t size; /* bytes of data that follow */
  struct timespec mtime;
  unsigned int dev_major, dev_minor;
  struct tar_xattr *xattrs;
  size_t n_xattrs;
  size_t xattrs_capacity;
};

struct tar_reader;

int tar_reader_open(int fd, struct tar_reader **reader, struct cub_error *err);
void tar_reader_free(struct tar_reader *reader);
/* Next real entry (pax and GNU long-name headers folded in); *done at the end. */
int tar_next(struct tar_reader *reader, struct tar_entry *entry, bool *done, struct cub_error *err);
/* The current entry's data: to fd (>= 0), or skipped (-1). Must precede tar_next. */
int tar_copy_data(struct tar_reader *reader, int fd, const char *path, struct cub_error *err);
/* Reads the rest of the input, so that the writer of a pipe never sees EPIPE. */
int tar_drain(struct tar_reader *reader, struct cub_error *err);
void tar_entry_clear(struct tar_entry *entry);

/* ---- digest.c */

int digest_trees(char **dirs, size_t n_dirs, char hex[65], struct cub_error *err);

#endif
