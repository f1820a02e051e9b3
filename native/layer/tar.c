/* Reads a tar stream: ustar, GNU (long names 'L'/'K', base-256 numbers) and
 * POSIX pax ('x' and 'g' records), one entry at a time, through one large
 * buffer so that file data goes from the pipe to the file in big writes. */
#include "layer.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#define BLOCK 512
#define READ_BUFFER (1u << 20)
/* Smaller files go through the buffer: a syscall per file either way. */
#define ZERO_COPY_MIN (256u << 10)
/* Long names and pax records are held in memory: bound them. */
#define MAX_META_SIZE (16u << 20)

struct pax_fields {
  char *path, *linkpath;
  bool has_size, has_uid, has_gid, has_mtime;
  uint64_t size, uid, gid;
  struct timespec mtime;
  /* Present but empty in an 'x' header: back to the ustar header's value. */
  bool clear_path, clear_linkpath, clear_size, clear_uid, clear_gid, clear_mtime;
  struct tar_xattr *xattrs; /* value NULL: an 'x' record that deletes a global one */
  size_t n_xattrs, xattrs_capacity;
};

struct tar_reader {
  int fd;
  unsigned char *buf;
  size_t pos, len; /* unread bytes are buf[pos..len) */
  bool eof;
  uint64_t offset;    /* stream offset of buf[pos] */
  uint64_t data_left; /* of the current entry */
  uint64_t padding_left;
  char kind; /* input_kind(), 0 until asked */
  struct pax_fields global;
};

static void pax_fields_clear(struct pax_fields *fields) {
  free(fields->path);
  free(fields->linkpath);
  for (size_t i = 0; i < fields->n_xattrs; i++) {
    free(fields->xattrs[i].name);
    free(fields->xattrs[i].value);
  }
  free(fields->xattrs);
  memset(fields, 0, sizeof *fields);
}

void tar_entry_clear(struct tar_entry *entry) {
  free(entry->path);
  free(entry->linkpath);
  for (size_t i = 0; i < entry->n_xattrs; i++) {
    free(entry->xattrs[i].name);
    free(entry->xattrs[i].value);
  }
  free(entry->xattrs);
  memset(entry, 0, sizeof *entry);
}

int tar_reader_open(int fd, struct tar_reader **reader, struct cub_error *err) {
  struct tar_reader *r = calloc(1, sizeof *r);
  if (r == NULL)
    return make_error(err, ENOMEM, "allocate the tar reader");
  r->buf = malloc(READ_BUFFER);
  if (r->buf == NULL) {
    free(r);
    return make_error(err, ENOMEM, "allocate the tar reader");
  }
  r->fd = fd;
  *reader = r;
  return 0;
}

void tar_reader_free(struct tar_reader *reader) {
  if (reader == NULL)
    return;
  pax_fields_clear(&reader->global);
  free(reader->buf);
  free(reader);
}

/* Makes at least want bytes (at most the buffer) readable, unless the input ends first. */
static int fill(struct tar_reader *r, size_t want, struct cub_error *err) {
  if (want > READ_BUFFER)
    want = READ_BUFFER;
  if (r->len - r->pos >= want || r->eof)
    return 0;
  if (r->pos > 0) {
    memmove(r->buf, r->buf + r->pos, r->len - r->pos);
    r->len -= r->pos;
    r->pos = 0;
  }
  while (r->len < want) {
    ssize_t n = TEMP_FAILURE_RETRY(read(r->fd, r->buf + r->len, READ_BUFFER - r->len));
    if (n < 0)
      return make_error(err, errno, "read the tar stream: stdin");
    if (n == 0) {
      r->eof = true;
      break;
    }
    r->len += (size_t)n;
  }
  return 0;
}

static int read_exact(struct tar_reader *r, void *dst, size_t n, struct cub_error *err) {
  unsigned char *out = dst;
  while (n > 0) {
    if (fill(r, n, err) < 0)
      return -1;
    size_t avail = r->len - r->pos;
    if (avail == 0)
      return make_error(err, 0,
                        "read the tar stream: stdin: ends in the middle of an entry (at byte %llu)",
                        (unsigned long long)r->offset);
    size_t take = avail < n ? avail : n;
    memcpy(out, r->buf + r->pos, take);
    r->pos += take;
    r->offset += take;
    out += take;
    n -= take;
  }
  return 0;
}

static int skip_bytes(struct tar_reader *r, uint64_t n, struct cub_error *err) {
  while (n > 0) {
    if (fill(r, 1, err) < 0)
      return -1;
    size_t avail = r->len - r->pos;
    if (avail == 0)
      return make_error(err, 0,
                        "read the tar stream: stdin: ends in the middle of an entry (at byte %llu)",
                        (unsigned long long)r->offset);
    size_t take = avail < n ? avail : (size_t)n;
    r->pos += take;
    r->offset += take;
    n -= take;
  }
  return 0;
}

/* What the input is, for the zero-copy paths: 'p' pipe, 'f' regular file, '-' neither. */
static char input_kind(struct tar_reader *r) {
  if (r->kind == 0) {
    struct stat st;
    r->kind = '-';
    if (getenv("CUBICLE_LAYER_NO_SPLICE") == NULL && fstat(r->fd, &st) == 0)
      r->kind = S_ISFIFO(st.st_mode) ? 'p' : S_ISREG(st.st_mode) ? 'f' : '-';
  }
  return r->kind;
}

/* Moves the rest of a large file from the input to fd in the kernel: splice
 * from a pipe, copy_file_range from a file. Returns 0 with data_left unchanged
 * when the kernel cannot (the caller then copies through the buffer). */
static int copy_in_kernel(struct tar_reader *r, int fd, const char *path, struct cub_error *err) {
  char kind = input_kind(r);
  while (r->data_left >= ZERO_COPY_MIN && r->pos == r->len && !r->eof) {
    size_t chunk = r->data_left < (1u << 30) ? (size_t)r->data_left : (1u << 30);
    ssize_t n = kind == 'p'
                    ? TEMP_FAILURE_RETRY(splice(r->fd, NULL, fd, NULL, chunk, SPLICE_F_MOVE))
                : kind == 'f' ? TEMP_FAILURE_RETRY(copy_file_range(r->fd, NULL, fd, NULL, chunk, 0))
                              : -1;
    if (n < 0) {
      if (kind != '-' && (errno == EINVAL || errno == ENOSYS || errno == EXDEV ||
                          errno == EOPNOTSUPP || errno == EBADF)) {
        r->kind = '-'; /* not for this pair of files: the buffer it is, from now on */
        return 0;
      }
      if (kind == '-')
        return 0;
      return make_error(err, errno, "%s: %s", kind == 'p' ? "splice" : "copy_file_range", path);
    }
    if (n == 0)
      return 0; /* the input ended: the buffered path says so */
    r->data_left -= (uint64_t)n;
    r->offset += (uint64_t)n;
  }
  return 0;
}

int tar_copy_data(struct tar_reader *r, int fd, const char *path, struct cub_error *err) {
  while (r->data_left > 0) {
    bool in_kernel = fd >= 0 && r->data_left >= ZERO_COPY_MIN && input_kind(r) != '-';
    if (in_kernel && r->pos == r->len) {
      if (copy_in_kernel(r, fd, path, err) < 0)
        return -1;
      if (r->data_left < ZERO_COPY_MIN || input_kind(r) == '-' || r->pos < r->len || r->eof)
        in_kernel = false;
      if (r->data_left == 0)
        break;
    }
    /* Before the kernel takes over, what is buffered goes out; nothing more is read. */
    if (!in_kernel || r->pos == r->len) {
      uint64_t chunk = r->data_left < READ_BUFFER / 2 ? r->data_left : READ_BUFFER / 2;
      if (fill(r, (size_t)chunk, err) < 0)
        return -1;
    }
    size_t avail = r->len - r->pos;
    if (avail == 0)
      return make_error(err, 0,
                        "read the tar stream: %s: the stream ends in the middle of its data", path);
    size_t take = avail < r->data_left ? avail : (size_t)r->data_left;
    if (fd >= 0 && write_all(fd, r->buf + r->pos, take) < 0)
      return make_error(err, errno, "write: %s", path);
    r->pos += take;
    r->offset += take;
    r->data_left -= take;
  }
  uint64_t padding = r->padding_left;
  r->padding_left = 0;
  return skip_bytes(r, padding, err);
}

int tar_drain(struct tar_reader *r, struct cub_error *err) {
  for (;;) {
    r->offset += r->len - r->pos;
    r->pos = r->len = 0;
    if (r->eof)
      return 0;
    if (fill(r, READ_BUFFER, err) < 0)
      return -1;
    if (r->len == 0)
      return 0;
  }
}

/* ---- header fields */

/* Octal (NUL or space terminated, leading spaces allowed) or GNU base-256. */
static int parse_number(const unsigned char *field, size_t len, bool allow_negative, int64_t *value,
                        bool *ok) {
  *ok = true;
  if (field[0] & 0x80) {
    /* base-256: big-endian two's complement in the rest of the field (0xff: negative). */
    bool negative = field[0] == 0xff;
    uint64_t v = negative ? ~(uint64_t)0 : field[0] & 0x7f;
    for (size_t i = 1; i < len; i++) {
      if (negative ? (v >> 55) != 0x1ff : (v >> 55) != 0)
        *ok = false; /* would not fit in 64 bits */
      v = (v << 8) | field[i];
    }
    *value = (int64_t)v;
    if ((*value < 0) != negative || (negative && !allow_negative))
      *ok = false;
    return 0;
  }
  size_t i = 0;
  while (i < len && field[i] == ' ')
    i++;
  uint64_t v = 0;
  for (; i < len && field[i] != '\0' && field[i] != ' '; i++) {
    if (field[i] < '0' || field[i] > '7' || v > (UINT64_MAX >> 4)) {
      *ok = false;
      break;
    }
    v = v * 8 + (uint64_t)(field[i] - '0');
  }
  *value = (int64_t)v;
  if (*value < 0)
    *ok = false;
  return 0;
}

static char *field_string(const unsigned char *field, size_t len) {
  size_t n = strnlen((const char *)field, len);
  char *s = malloc(n + 1);
  if (s != NULL) {
    memcpy(s, field, n);
    s[n] = '\0';
  }
  return s;
}

static bool checksum_matches(const unsigned char *header) {
  int64_t stored;
  bool ok;
  parse_number(header + 148, 8, false, &stored, &ok);
  if (!ok)
    return false;
  /* The checksum field counts as spaces; old tars summed signed chars. */
  uint64_t sum_unsigned = 0;
  int64_t sum_signed = 0;
  for (int i = 0; i < BLOCK; i++) {
    unsigned char c = (i >= 148 && i < 156) ? ' ' : header[i];
    sum_unsigned += c;
    sum_signed += (signed char)c;
  }
  return (uint64_t)stored == sum_unsigned || stored == sum_signed;
}

static bool all_zero(const unsigned char *block) {
  for (int i = 0; i < BLOCK; i++)
    if (block[i] != 0)
      return false;
  return true;
}

/* ---- pax records: "LENGTH KEY=VALUE\n" */

static int parse_decimal(const char *text, size_t len, uint64_t *value) {
  uint64_t v = 0;
  if (len == 0)
    return -1;
  for (size_t i = 0; i < len; i++) {
    if (text[i] < '0' || text[i] > '9' || v > (UINT64_MAX - 9) / 10)
      return -1;
    v = v * 10 + (uint64_t)(text[i] - '0');
  }
  *value = v;
  return 0;
}

/* "SECONDS[.FRACTION]", SECONDS possibly negative. */
static int parse_pax_time(const char *text, size_t len, struct timespec *time) {
  bool negative = len > 0 && text[0] == '-';
  size_t start = negative ? 1 : 0;
  size_t dot = start;
  while (dot < len && text[dot] != '.')
    dot++;
  uint64_t seconds;
  if (parse_decimal(text + start, dot - start, &seconds) < 0 || seconds > INT64_MAX / 2)
    return -1;
  long nanoseconds = 0;
  if (dot < len) {
    long scale = 100000000;
    for (size_t i = dot + 1; i < len; i++) {
      if (text[i] < '0' || text[i] > '9')
        return -1;
      nanoseconds += (text[i] - '0') * scale;
      scale /= 10;
    }
  }
  if (negative && nanoseconds > 0) {
    /* -1.25 is 1.25 s before the epoch: -2 s + 0.75 s. */
    time->tv_sec = -(time_t)seconds - 1;
    time->tv_nsec = 1000000000L - nanoseconds;
  } else {
    time->tv_sec = negative ? -(time_t)seconds : (time_t)seconds;
    time->tv_nsec = nanoseconds;
  }
  return 0;
}

static int set_string(char **slot, const char *value, size_t len, struct cub_error *err) {
  char *copy = malloc(len + 1);
  if (copy == NULL)
    return make_error(err, ENOMEM, "allocate %zu bytes", len + 1);
  memcpy(copy, value, len);
  copy[len] = '\0';
  free(*slot);
  *slot = copy;
  return 0;
}

static int add_xattr(struct tar_xattr **xattrs, size_t *n, size_t *capacity, const char *name,
                     size_t name_len, const unsigned char *value, size_t value_len, bool deleted,
                     struct cub_error *err) {
  size_t slot = *n;
  for (size_t i = 0; i < *n; i++)
    if (strlen((*xattrs)[i].name) == name_len && memcmp((*xattrs)[i].name, name, name_len) == 0)
      slot = i;
  if (slot == *n) {
    if (grow_array(xattrs, capacity, *n + 1, sizeof **xattrs, err) < 0)
      return -1;
    memset(&(*xattrs)[slot], 0, sizeof **xattrs);
    if (set_string(&(*xattrs)[slot].name, name, name_len, err) < 0)
      return -1;
    (*n)++;
  }
  struct tar_xattr *x = &(*xattrs)[slot];
  free(x->value);
  x->value = NULL;
  x->value_len = 0;
  if (!deleted) {
    if (alloc_bytes(value_len, &x->value, err) < 0)
      return -1;
    memcpy(x->value, value, value_len);
    x->value_len = value_len;
  }
  return 0;
}

static int apply_pax_record(struct pax_fields *f, const char *key, size_t key_len,
                            const char *value, size_t value_len, bool global,
                            struct cub_error *err) {
#define KEY_IS(literal) (key_len == sizeof(literal) - 1 && memcmp(key, literal, key_len) == 0)
  bool empty = value_len == 0;
  bool has_nul = memchr(value, '\0', value_len) != NULL;
  static const char xattr_prefix[] = "SCHILY.xattr.";
  if (KEY_IS("path") || KEY_IS("linkpath")) {
    bool is_path = KEY_IS("path");
    if (has_nul)
      return make_error(err, 0, "read the tar stream: pax %s contains a NUL byte",
                        is_path ? "path" : "linkpath");
    if (empty && !global) {
      *(is_path ? &f->clear_path : &f->clear_linkpath) = true;
      return 0;
    }
    return set_string(is_path ? &f->path : &f->linkpath, value, value_len, err);
  }
  if (KEY_IS("size") || KEY_IS("uid") || KEY_IS("gid")) {
    uint64_t *slot = KEY_IS("size") ? &f->size : KEY_IS("uid") ? &f->uid : &f->gid;
    bool *has = KEY_IS("size") ? &f->has_size : KEY_IS("uid") ? &f->has_uid : &f->has_gid;
    bool *clear = KEY_IS("size") ? &f->clear_size : KEY_IS("uid") ? &f->clear_uid : &f->clear_gid;
    if (empty) {
      *clear = !global;
      *has = false;
      return 0;
    }
    if (parse_decimal(value, value_len, slot) < 0)
      return make_error(err, 0, "read the tar stream: pax %.*s is not a number: %.*s", (int)key_len,
                        key, (int)(value_len > 64 ? 64 : value_len), value);
    *has = true;
    return 0;
  }
  if (KEY_IS("mtime")) {
    if (empty) {
      f->clear_mtime = !global;
      f->has_mtime = false;
      return 0;
    }
    if (parse_pax_time(value, value_len, &f->mtime) < 0)
      return make_error(err, 0, "read the tar stream: pax mtime is not a time: %.*s",
                        (int)(value_len > 64 ? 64 : value_len), value);
    f->has_mtime = true;
    return 0;
  }
  if (key_len > sizeof xattr_prefix - 1 &&
      memcmp(key, xattr_prefix, sizeof xattr_prefix - 1) == 0) {
    const char *name = key + sizeof xattr_prefix - 1;
    size_t name_len = key_len - (sizeof xattr_prefix - 1);
    if (memchr(name, '\0', name_len) != NULL)
      return make_error(err, 0, "read the tar stream: pax xattr name contains a NUL byte");
    return add_xattr(&f->xattrs, &f->n_xattrs, &f->xattrs_capacity, name, name_len,
                     (const unsigned char *)value, value_len, empty && !global, err);
  }
  if (key_len > 11 && memcmp(key, "GNU.sparse.", 11) == 0)
    return make_error(err, 0,
                      "read the tar stream: GNU sparse files are not supported "
                      "(pax %.*s); write the layer without --sparse",
                      (int)key_len, key);
  /* atime, ctime, uname, gname, comment, charset, LIBARCHIVE.*, ...: not part of a layer. */
  return 0;
#undef KEY_IS
}

static int parse_pax(const char *data, size_t len, struct pax_fields *f, bool global,
                     struct cub_error *err) {
  size_t at = 0;
  while (at < len) {
    if (data[at] == '\0') /* some writers pad the record block with NULs */
      break;
    size_t digits = at;
    while (digits < len && data[digits] >= '0' && data[digits] <= '9')
      digits++;
    uint64_t record_len;
    if (digits == at || digits >= len || data[digits] != ' ' ||
        parse_decimal(data + at, digits - at, &record_len) < 0 || record_len > len - at ||
        record_len < digits - at + 3 || data[at + record_len - 1] != '\n')
      return make_error(
          err, 0, "read the tar stream: malformed pax record at offset %zu of a pax header", at);
    const char *key = data + digits + 1;
    const char *end = data + at + record_len - 1;
    const char *equals = memchr(key, '=', (size_t)(end - key));
    if (equals == NULL || equals == key)
      return make_error(
          err, 0, "read the tar stream: malformed pax record at offset %zu of a pax header", at);
    if (apply_pax_record(f, key, (size_t)(equals - key), equals + 1, (size_t)(end - equals - 1),
                         global, err) < 0)
      return -1;
    at += record_len;
  }
  return 0;
}

static int merge_xattrs(struct tar_entry *entry, const struct pax_fields *f,
                        struct cub_error *err) {
  for (size_t i = 0; i < f->n_xattrs; i++) {
    const struct tar_xattr *x = &f->xattrs[i];
    if (add_xattr(&entry->xattrs, &entry->n_xattrs, &entry->xattrs_capacity, x->name,
                  strlen(x->name), x->value, x->value_len, x->value == NULL, err) < 0)
      return -1;
  }
  return 0;
}

/* Global pax records first, then the entry's own, which may clear a field
 * back to the ustar header's value. */
static int apply_pax(struct tar_entry *entry, const struct tar_entry *header,
                     const struct pax_fields *f, struct cub_error *err) {
  if (f->path && set_string(&entry->path, f->path, strlen(f->path), err) < 0)
    return -1;
  if (f->clear_path && set_string(&entry->path, header->path, strlen(header->path), err) < 0)
    return -1;
  if (f->linkpath && set_string(&entry->linkpath, f->linkpath, strlen(f->linkpath), err) < 0)
    return -1;
  if (f->clear_linkpath &&
      set_string(&entry->linkpath, header->linkpath, strlen(header->linkpath), err) < 0)
    return -1;
  entry->size = f->has_size ? f->size : f->clear_size ? header->size : entry->size;
  entry->uid = f->has_uid ? f->uid : f->clear_uid ? header->uid : entry->uid;
  entry->gid = f->has_gid ? f->gid : f->clear_gid ? header->gid : entry->gid;
  entry->mtime = f->has_mtime ? f->mtime : f->clear_mtime ? header->mtime : entry->mtime;
  return merge_xattrs(entry, f, err);
}

/* Data of a meta entry ('x', 'g', 'L', 'K'), NUL-terminated. */
static int read_meta(struct tar_reader *r, uint64_t size, char **out, struct cub_error *err) {
  if (size > MAX_META_SIZE)
    return make_error(err, 0,
                      "read the tar stream: a pax or long-name header of %llu bytes (limit %u)",
                      (unsigned long long)size, MAX_META_SIZE);
  char *data = malloc((size_t)size + 1);
  if (data == NULL)
    return make_error(err, ENOMEM, "allocate %llu bytes", (unsigned long long)size + 1);
  if (read_exact(r, data, (size_t)size, err) < 0 ||
      skip_bytes(r, (BLOCK - size % BLOCK) % BLOCK, err) < 0) {
    free(data);
    return -1;
  }
  data[size] = '\0';
  *out = data;
  return 0;
}

static int parse_header(const unsigned char *h, struct tar_entry *e, struct cub_error *err) {
  bool posix = memcmp(h + 257, "ustar\0", 6) == 0;
  int64_t number;
  bool ok, all_ok = true;
  parse_number(h + 100, 8, false, &number, &ok);
  all_ok &= ok;
  e->mode = (mode_t)(number & 07777);
  parse_number(h + 108, 8, false, &number, &ok);
  all_ok &= ok;
  e->uid = (uint64_t)number;
  parse_number(h + 116, 8, false, &number, &ok);
  all_ok &= ok;
  e->gid = (uint64_t)number;
  parse_number(h + 124, 12, false, &number, &ok);
  all_ok &= ok;
  e->size = (uint64_t)number;
  parse_number(h + 136, 12, true, &number, &ok);
  all_ok &= ok;
  e->mtime.tv_sec = (time_t)number;
  e->mtime.tv_nsec = 0;
  parse_number(h + 329, 8, false, &number, &ok);
  e->dev_major = ok ? (unsigned)number : 0;
  parse_number(h + 337, 8, false, &number, &ok);
  e->dev_minor = ok ? (unsigned)number : 0;
  e->type = (char)h[156];

  char *name = field_string(h, 100);
  e->linkpath = field_string(h + 157, 100);
  if (name == NULL || e->linkpath == NULL) {
    free(name);
    return make_error(err, ENOMEM, "allocate a name");
  }
  /* The ustar prefix field; GNU tar keeps times there instead ("ustar  \0"). */
  if (posix && h[345] != '\0') {
    char *prefix = field_string(h + 345, 155);
    char *joined = NULL;
    if (prefix == NULL || asprintf(&joined, "%s/%s", prefix, name) < 0) {
      free(prefix);
      free(name);
      return make_error(err, ENOMEM, "allocate a name");
    }
    free(prefix);
    free(name);
    name = joined;
  }
  e->path = name;
  if (!all_ok)
    return make_error(err, 0, "read the tar stream: %s: a numeric header field is not a number",
                      name);
  return 0;
}

static bool has_no_data(char type) {
  return type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6';
}

int tar_next(struct tar_reader *r, struct tar_entry *entry, bool *done, struct cub_error *err) {
  cleanup_free char *long_name = NULL;
  cleanup_free char *long_link = NULL;
  struct pax_fields local = {0};
  int ret = -1;
  *done = false;
  if (r->data_left > 0 || r->padding_left > 0) {
    if (tar_copy_data(r, -1, "(skipped data)", err) < 0)
      return -1;
  }
  for (;;) {
    unsigned char header[BLOCK];
    if (fill(r, BLOCK, err) < 0)
      goto out;
    if (r->len - r->pos == 0) {
      /* Ends without the two zero blocks: accepted at an entry boundary, as Go and Python do. */
      if (long_name || long_link || local.path || local.n_xattrs) {
        make_error(err, 0, "read the tar stream: stdin: ends after a pax or long-name header");
        goto out;
      }
      *done = true;
      ret = 0;
      goto out;
    }
    if (read_exact(r, header, BLOCK, err) < 0)
      goto out;
    if (all_zero(header)) {
      *done = true;
      ret = 0;
      goto out;
    }
    if (!checksum_matches(header)) {
      make_error(err, 0,
                 "read the tar stream: stdin: bad header checksum at byte %llu (not a tar "
                 "stream, or still compressed?)",
                 (unsigned long long)(r->offset - BLOCK));
      goto out;
    }
    struct tar_entry header_entry = {0};
    if (parse_header(header, &header_entry, err) < 0) {
      tar_entry_clear(&header_entry);
      goto out;
    }
    char type = header_entry.type;
    if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
      char *data = NULL;
      uint64_t size = header_entry.size;
      tar_entry_clear(&header_entry);
      if (read_meta(r, size, &data, err) < 0)
        goto out;
      int parsed = 0;
      if (type == 'x')
        parsed = parse_pax(data, (size_t)size, &local, false, err);
      else if (type == 'g')
        parsed = parse_pax(data, (size_t)size, &r->global, true, err);
      if (type == 'L') {
        free(long_name);
        long_name = data;
      } else if (type == 'K') {
        free(long_link);
        long_link = data;
      } else {
        free(data);
      }
      if (parsed < 0)
        goto out;
      continue;
    }
    if (type == 'V') { /* GNU volume label: not a file */
      uint64_t size = header_entry.size;
      tar_entry_clear(&header_entry);
      if (skip_bytes(r, size + (BLOCK - size % BLOCK) % BLOCK, err) < 0)
        goto out;
      continue;
    }

    /* The real entry: header, then global pax, GNU long names, the entry's pax. */
    *entry = header_entry;
    entry->path = strdup(header_entry.path);
    entry->linkpath = strdup(header_entry.linkpath);
    if (entry->path == NULL || entry->linkpath == NULL) {
      tar_entry_clear(&header_entry);
      make_error(err, ENOMEM, "allocate a name");
      goto out;
    }
    int applied = apply_pax(entry, &header_entry, &r->global, err);
    if (applied == 0 && long_name)
      applied = set_string(&entry->path, long_name, strlen(long_name), err);
    if (applied == 0 && long_link)
      applied = set_string(&entry->linkpath, long_link, strlen(long_link), err);
    if (applied == 0)
      applied = apply_pax(entry, &header_entry, &local, err);
    tar_entry_clear(&header_entry);
    if (applied < 0)
      goto out;
    /* Deleted xattrs (empty pax value) leave the list here. */
    size_t kept = 0;
    for (size_t i = 0; i < entry->n_xattrs; i++) {
      if (entry->xattrs[i].value == NULL)
        free(entry->xattrs[i].name);
      else
        entry->xattrs[kept++] = entry->xattrs[i];
    }
    entry->n_xattrs = kept;

    if (type == '\0' || type == '7')
      type = '0';
    size_t path_len = strlen(entry->path);
    if (type == '0' && path_len > 0 && entry->path[path_len - 1] == '/')
      type = '5'; /* pre-POSIX tars mark directories with a trailing slash */
    if (type == 'S' || type == 'M') {
      make_error(err, 0, "read the tar stream: %s: GNU %s entries are not supported", entry->path,
                 type == 'S' ? "sparse" : "multi-volume");
      goto out;
    }
    if (type == 'D')
      type = '5'; /* GNU dumpdir: a directory plus a listing we do not need */
    if (strchr("0123456", type) == NULL) {
      make_error(err, 0, "read the tar stream: %s: unknown entry type '%c' (0x%02x)", entry->path,
                 type >= 0x20 && type < 0x7f ? type : '?', (unsigned char)type);
      goto out;
    }
    uint64_t data_size = has_no_data(type) && header[156] != 'D' ? 0 : entry->size;
    entry->type = type;
    r->data_left = data_size;
    r->padding_left = (BLOCK - data_size % BLOCK) % BLOCK;
    ret = 0;
    goto out;
  }
out:
  pax_fields_clear(&local);
  return ret;
}
