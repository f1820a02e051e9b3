/* cubicle-layer: the layer store's native tool; see README.md.
 *
 *   extract DIR [--owners keep|root]   a tar stream on stdin -> an overlayfs layer in DIR
 *   digest DIR [DIR...]                 sha256 of the trees' content and metadata, no times
 *   sha256 [FILE...]                    this tool's SHA-256, printed like sha256sum (tests)
 *
 * It runs as the user, or in cubicle's user namespace with capabilities kept
 * (store files owned by subordinate uids), so it never assumes it is root. */
#include "layer.h"

#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

static void print_usage(FILE *out) {
  fprintf(out, "usage: " LAYER_NAME " extract DIR [--owners keep|root]\n"
               "       " LAYER_NAME " digest DIR [DIR...]\n"
               "       " LAYER_NAME " sha256 [FILE...]\n"
               "       " LAYER_NAME " --help | --version\n"
               "\n"
               "extract DIR [--owners keep|root]\n"
               "    Reads an uncompressed tar stream (ustar, GNU, pax) on stdin and writes it\n"
               "    into DIR, an existing empty directory, as an overlayfs layer: OCI whiteouts\n"
               "    (.wh.NAME) become 0/0 character devices, opaque markers (.wh..wh..opq) the\n"
               "    xattr user.overlay.opaque=y (mount overlay with userxattr). No entry is\n"
               "    written outside DIR: \"..\" is refused, symlinks are never followed.\n"
               "    Devices are skipped; xattrs outside user.* are skipped.\n"
               "    --owners keep   chown to the archive's uid/gid (default; needs them mapped)\n"
               "    --owners root   leave everything owned by the caller\n"
               "    Prints one JSON line: {\"entries\":N,\"bytes\":N,\"skippedDevices\":N,\n"
               "    \"skippedXattrs\":N,\"whiteouts\":N,\"opaqueDirs\":N}\n"
               "\n"
               "digest DIR [DIR...]\n"
               "    Prints sha256:HEX over the trees' paths, types, permission bits, owners,\n"
               "    file contents, symlink targets, device numbers and user.* and\n"
               "    trusted.overlay.* xattrs; not times, not inode numbers.\n"
               "\n"
               "sha256 [FILE...]\n"
               "    The built-in SHA-256 of each FILE (or stdin, or -), like sha256sum.\n"
               "\n"
               "Exit status: 0 done, 1 failed (a message on stderr), 2 usage error.\n");
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, LAYER_NAME ": ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\nTry '" LAYER_NAME " --help'.\n");
  va_end(ap);
  return EXIT_USAGE;
}

/* Names from an archive may hold control characters: keep the terminal sane. */
static void print_failure(const char *command, const struct cub_error *err) {
  fprintf(stderr, LAYER_NAME " %s: ", command);
  for (const unsigned char *p = (const unsigned char *)err->message; *p; p++)
    fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, stderr);
  fputc('\n', stderr);
}

static int run_extract(int argc, char **argv) {
  const char *dir = NULL;
  enum owners_mode owners = OWNERS_KEEP;
  for (int i = 0; i < argc; i++) {
    const char *value = NULL;
    if (strcmp(argv[i], "--owners") == 0) {
      if (i + 1 >= argc)
        return usage_error("extract: %s needs keep or root", argv[i]);
      value = argv[++i];
    } else if (strncmp(argv[i], "--owners=", 9) == 0) {
      value = argv[i] + 9;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      return usage_error("extract: unknown option %s", argv[i]);
    } else if (dir == NULL) {
      dir = argv[i];
      continue;
    } else {
      return usage_error("extract: one DIR only; %s is one too many", argv[i]);
    }
    if (strcmp(value, "keep") == 0)
      owners = OWNERS_KEEP;
    else if (strcmp(value, "root") == 0)
      owners = OWNERS_ROOT;
    else
      return usage_error("extract: --owners is keep or root, not %s", value);
  }
  if (dir == NULL)
    return usage_error("extract: DIR is missing");
  if (isatty(STDIN_FILENO))
    return usage_error("extract: reads a tar stream on stdin, which is a terminal");

  struct extract_stats stats;
  struct cub_error err = {0};
  if (extract_layer(STDIN_FILENO, dir, owners, &stats, &err) < 0) {
    print_failure("extract", &err);
    return EXIT_FAILED;
  }
  printf("{\"entries\":%llu,\"bytes\":%llu,\"skippedDevices\":%llu,\"skippedXattrs\":%llu,"
         "\"whiteouts\":%llu,\"opaqueDirs\":%llu}\n",
         stats.entries, stats.bytes, stats.skipped_devices, stats.skipped_xattrs, stats.whiteouts,
         stats.opaque_dirs);
  return fflush(stdout) == 0 ? 0 : EXIT_FAILED;
}

static int run_digest(int argc, char **argv) {
  if (argc == 0)
    return usage_error("digest: DIR is missing");
  for (int i = 0; i < argc; i++)
    if (argv[i][0] == '-' && argv[i][1] != '\0' && strcmp(argv[i], "--") != 0)
      return usage_error("digest: unknown option %s", argv[i]);
  char hex[65];
  struct cub_error err = {0};
  bool after_dashes = argc > 0 && strcmp(argv[0], "--") == 0;
  if (digest_trees(argv + after_dashes, (size_t)(argc - after_dashes), hex, &err) < 0) {
    print_failure("digest", &err);
    return EXIT_FAILED;
  }
  printf("sha256:%s\n", hex);
  return fflush(stdout) == 0 ? 0 : EXIT_FAILED;
}

static int sha256_file(const char *path, char hex[65], struct cub_error *err) {
  bool is_stdin = strcmp(path, "-") == 0;
  cleanup_close int fd = is_stdin ? -1 : TEMP_FAILURE_RETRY(open(path, O_RDONLY | O_CLOEXEC));
  if (!is_stdin && fd < 0)
    return make_error(err, errno, "open: %s", path);
  int input = is_stdin ? STDIN_FILENO : fd;
  (void)posix_fadvise(input, 0, 0, POSIX_FADV_SEQUENTIAL);
  cleanup_free unsigned char *buffer = aligned_alloc(64, 256u << 10);
  if (buffer == NULL)
    return make_error(err, ENOMEM, "allocate the read buffer");
  struct sha256 ctx;
  sha256_init(&ctx);
  for (;;) {
    ssize_t n = TEMP_FAILURE_RETRY(read(input, buffer, 256u << 10));
    if (n < 0)
      return make_error(err, errno, "read: %s", path);
    if (n == 0)
      break;
    sha256_update(&ctx, buffer, (size_t)n);
  }
  unsigned char digest[32];
  sha256_final(&ctx, digest);
  sha256_hex(digest, hex);
  return 0;
}

static int run_sha256(int argc, char **argv) {
  char *stdin_only[] = {"-"};
  if (argc == 0) {
    argc = 1;
    argv = stdin_only;
  }
  int status = 0;
  for (int i = 0; i < argc; i++) {
    char hex[65];
    struct cub_error err = {0};
    if (sha256_file(argv[i], hex, &err) < 0) {
      print_failure("sha256", &err);
      status = EXIT_FAILED;
      continue;
    }
    printf("%s  %s\n", hex, argv[i]);
  }
  return fflush(stdout) == 0 ? status : EXIT_FAILED;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return usage_error("a command is missing: extract, digest or sha256");
  const char *command = argv[1];
  if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0) {
    print_usage(stdout);
    return 0;
  }
  if (strcmp(command, "--version") == 0) {
    printf(LAYER_NAME " " LAYER_VERSION " (sha256: %s)\n", sha256_implementation());
    return 0;
  }
  if (strcmp(command, "extract") == 0)
    return run_extract(argc - 2, argv + 2);
  if (strcmp(command, "digest") == 0)
    return run_digest(argc - 2, argv + 2);
  if (strcmp(command, "sha256") == 0)
    return run_sha256(argc - 2, argv + 2);
  return usage_error("unknown command %s: extract, digest or sha256", command);
}
