/* The one-line status JSON written to --status-fd. */
#include "sandbox.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const signal_names[] = {
    [SIGHUP] = "SIGHUP",       [SIGINT] = "SIGINT",       [SIGQUIT] = "SIGQUIT",
    [SIGILL] = "SIGILL",       [SIGTRAP] = "SIGTRAP",     [SIGABRT] = "SIGABRT",
    [SIGBUS] = "SIGBUS",       [SIGFPE] = "SIGFPE",       [SIGKILL] = "SIGKILL",
    [SIGUSR1] = "SIGUSR1",     [SIGSEGV] = "SIGSEGV",     [SIGUSR2] = "SIGUSR2",
    [SIGPIPE] = "SIGPIPE",     [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM",
    [SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD",     [SIGCONT] = "SIGCONT",
    [SIGSTOP] = "SIGSTOP",     [SIGTSTP] = "SIGTSTP",     [SIGTTIN] = "SIGTTIN",
    [SIGTTOU] = "SIGTTOU",     [SIGURG] = "SIGURG",       [SIGXCPU] = "SIGXCPU",
    [SIGXFSZ] = "SIGXFSZ",     [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
    [SIGWINCH] = "SIGWINCH",   [SIGIO] = "SIGIO",         [SIGPWR] = "SIGPWR",
    [SIGSYS] = "SIGSYS",
};

const char *signal_name(int sig, char *buf, size_t len) {
  if (sig > 0 && (size_t)sig < sizeof signal_names / sizeof signal_names[0] &&
      signal_names[sig] != NULL)
    return signal_names[sig];
  if (sig >= SIGRTMIN && sig <= SIGRTMAX)
    snprintf(buf, len, "SIGRTMIN+%d", sig - SIGRTMIN);
  else
    snprintf(buf, len, "SIG%d", sig);
  return buf;
}

/* Fits the worst case: a 2 KiB message with every byte escaped as \uXXXX. */
struct json_buf {
  char data[16384];
  size_t used;
};

static void json_raw(struct json_buf *out, const char *text, size_t len) {
  if (out->used + len >= sizeof out->data)
    len = sizeof out->data - 1 - out->used;
  memcpy(out->data + out->used, text, len);
  out->used += len;
}

static void json_printf(struct json_buf *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void json_printf(struct json_buf *out, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n > 0)
    json_raw(out, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Length of a valid UTF-8 sequence at s, 0 if invalid. */
static size_t utf8_length(const unsigned char *s) {
  size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
  if (s[0] >= 0xf8)
    return 0;
  for (size_t i = 1; i < len; i++)
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  return len;
}

/* Paths are bytes; JSON is UTF-8: invalid bytes become U+FFFD. */
static void json_string(struct json_buf *out, const char *text) {
  json_raw(out, "\"", 1);
  for (const unsigned char *c = (const unsigned char *)text; *c;) {
    if (*c == '"' || *c == '\\') {
      char esc[2] = {'\\', (char)*c};
      json_raw(out, esc, 2);
      c++;
    } else if (*c < 0x20) {
      json_printf(out, "\\u%04x", *c);
      c++;
    } else if (*c < 0x80) {
      json_raw(out, (const char *)c, 1);
      c++;
    } else {
      size_t len = utf8_length(c);
      if (len == 0) {
        json_raw(out, "\\ufffd", 6);
        c++;
      } else {
        json_raw(out, (const char *)c, len);
        c += len;
      }
    }
  }
  json_raw(out, "\"", 1);
}

static void json_optional_count(struct json_buf *out, const char *key, bool present,
                                unsigned long long value) {
  if (present)
    json_printf(out, ",\"%s\":%llu", key, value);
  else
    json_printf(out, ",\"%s\":null", key);
}

static void json_optional_ms(struct json_buf *out, const char *key, bool present, double value) {
  if (present)
    json_printf(out, ",\"%s\":%.3f", key, value);
  else
    json_printf(out, ",\"%s\":null", key);
}

/* "oomKilled" and "cgroup": always present; cgroup is null without --cgroup. */
static void json_cgroup(struct json_buf *out, const struct cgroup_stats *c) {
  json_printf(out, ",\"oomKilled\":%s", c != NULL && c->oom_kills > 0 ? "true" : "false");
  if (c == NULL) {
    json_printf(out, ",\"cgroup\":null");
    return;
  }
  json_raw(out, ",\"cgroup\":{", 11);
  if (c->has_memory_peak)
    json_printf(out, "\"memoryPeakBytes\":%llu", c->memory_peak_bytes);
  else
    json_printf(out, "\"memoryPeakBytes\":null");
  json_printf(out, ",\"oomKills\":%llu", c->oom_kills);
  json_optional_ms(out, "cpuUserMs", c->has_cpu_usage, c->cpu_user_ms);
  json_optional_ms(out, "cpuSystemMs", c->has_cpu_usage, c->cpu_system_ms);
  json_optional_ms(out, "cpuThrottledMs", c->has_cpu_throttling, c->cpu_throttled_ms);
  json_optional_count(out, "throttledPeriods", c->has_cpu_throttling, c->throttled_periods);
  json_optional_count(out, "pidsPeak", c->has_pids_peak, c->pids_peak);
  json_optional_count(out, "pidsLimitHits", c->has_pids_limit_hits, c->pids_limit_hits);
  json_raw(out, "}", 1);
}

/* "disk": null without --disk-tmpfs (or when the job never ran). */
static void json_disk(struct json_buf *out, const struct job_outcome *o) {
  if (!o->has_disk) {
    json_printf(out, ",\"disk\":null");
    return;
  }
  json_printf(out, ",\"disk\":{\"limitBytes\":%llu,\"usedBytes\":%llu,\"full\":%s}",
              o->disk_limit_bytes, o->disk_used_bytes, o->disk_full ? "true" : "false");
}

int write_status(int fd, const struct job_outcome *o, struct cub_error *err) {
  struct json_buf out = {.used = 0};
  char sigbuf[32];
  if (o->has_exit_code)
    json_printf(&out, "{\"exitCode\":%d", o->exit_code);
  else
    json_printf(&out, "{\"exitCode\":null");
  if (o->signal > 0) {
    json_raw(&out, ",\"signal\":", 10);
    json_string(&out, signal_name(o->signal, sigbuf, sizeof sigbuf));
  } else {
    json_printf(&out, ",\"signal\":null");
  }
  json_printf(&out, ",\"wallMs\":%.3f", o->wall_ms);
  if (o->has_startup)
    json_printf(&out, ",\"startupMs\":%.3f", o->startup_ms);
  else
    json_printf(&out, ",\"startupMs\":null");
  json_printf(&out, ",\"cpuUserMs\":%.3f,\"cpuSystemMs\":%.3f,\"peakRssBytes\":%llu",
              o->cpu_user_ms, o->cpu_system_ms, o->peak_rss_bytes);
  json_printf(&out, ",\"timedOut\":%s", o->timed_out ? "true" : "false");
  json_cgroup(&out, o->cgroup);
  json_printf(&out, ",\"seccomp\":\"%s\"",
              o->seccomp == SECCOMP_PROFILE_UNCONFINED ? "unconfined" : "default");
  json_disk(&out, o);
  if (o->error != NULL) {
    json_printf(&out, ",\"error\":{\"stage\":");
    json_string(&out, o->error->stage[0] ? o->error->stage : "internal");
    json_printf(&out, ",\"errno\":%d,\"message\":", o->error->errnum);
    json_string(&out, o->error->message);
    json_raw(&out, "}", 1);
  } else {
    json_printf(&out, ",\"error\":null");
  }
  json_raw(&out, "}\n", 2);
  if (write_all(fd, out.data, out.used) < 0)
    return make_error(err, errno, "write status to fd %d", fd);
  return 0;
}
