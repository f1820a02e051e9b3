/* The job's default seccomp filter, in the spirit of Docker's default
 * profile: classic BPF assembled here, so no libseccomp is needed. A denied
 * call fails with EPERM (clone3 with ENOSYS), never a kill, so a test
 * framework sees an ordinary error. */
#include "sandbox.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

/* Another architecture's calls (i386 through int 0x80, x32, arm) may only
 * exit_group, so a 32-bit binary ends instead of spinning on a failing exit
 * (glibc's and musl's _exit try exit_group first). */
#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#define X32_SYSCALL_BIT 0x40000000
#define FOREIGN_EXIT_GROUP 252 /* i386 */
#define X32_EXIT_GROUP (X32_SYSCALL_BIT + 231)
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#define FOREIGN_EXIT_GROUP 248 /* arm EABI */
#endif

#ifndef __NR_open_tree_attr
#define __NR_open_tree_attr 467 /* Linux 6.15; new calls share one number on every arch */
#endif

#ifdef NATIVE_ARCH
static const uint32_t denied[] = {
    /* kernel keyrings, BPF, perf, modules, kexec: host-wide kernel state */
    __NR_keyctl,
    __NR_add_key,
    __NR_request_key,
    __NR_bpf,
    __NR_perf_event_open,
    __NR_kexec_load,
    __NR_kexec_file_load,
    __NR_init_module,
    __NR_finit_module,
    __NR_delete_module,
#ifdef __NR_create_module
    __NR_create_module,
#endif
    /* file handles bypass the mount tree (the "shocker" escape) */
    __NR_open_by_handle_at,
    __NR_name_to_handle_at,
    /* userfaultfd stalls the kernel at will: a staple of kernel exploits; io_uring too */
    __NR_userfaultfd,
    __NR_io_uring_setup,
    __NR_io_uring_enter,
    __NR_io_uring_register,
    __NR_reboot,
    __NR_swapon,
    __NR_swapoff,
    __NR_settimeofday,
    __NR_clock_settime,
#ifdef __NR_stime
    __NR_stime,
#endif
    __NR_acct,
    __NR_quotactl,
#ifdef __NR_quotactl_fd
    __NR_quotactl_fd,
#endif
    /* the job has no capabilities; mounts are denied anyway, in depth */
    __NR_mount,
    __NR_umount2,
    __NR_pivot_root,
    __NR_move_mount,
    __NR_fsopen,
    __NR_fsconfig,
    __NR_fsmount,
    __NR_fspick,
    __NR_open_tree,
    __NR_open_tree_attr,
    __NR_mount_setattr,
#ifdef __NR_iopl
    __NR_iopl,
    __NR_ioperm,
#endif
#ifdef __NR_uselib
    __NR_uselib,
#endif
#ifdef __NR_lookup_dcookie
    __NR_lookup_dcookie,
#endif
#ifdef __NR_nfsservctl
    __NR_nfsservctl,
#endif
};

/* ---- a small assembler: jumps name labels, resolved to offsets at the end */

enum label {
  NEXT,
  L_DENY,
  L_ENOSYS,
  L_ALLOW,
  L_FOREIGN,
  L_X32,
  L_IOCTL,
  L_NEWUSER,
  N_FIXED_LABELS
};

#define MAX_INSNS 160
#define MAX_LABELS 48

struct program {
  struct sock_filter insns[MAX_INSNS];
  unsigned char jt[MAX_INSNS], jf[MAX_INSNS]; /* labels */
  size_t at[MAX_LABELS];
  size_t n;
  int n_labels;
  bool overflow;
};

static void emit(struct program *p, uint16_t code, uint32_t k, int jt, int jf) {
  if (p->n == MAX_INSNS) {
    p->overflow = true;
    return;
  }
  p->insns[p->n] = (struct sock_filter)BPF_STMT(code, k);
  p->jt[p->n] = (unsigned char)jt;
  p->jf[p->n] = (unsigned char)jf;
  p->n++;
}

static int new_label(struct program *p) {
  if (p->n_labels == MAX_LABELS) {
    p->overflow = true;
    return NEXT;
  }
  return p->n_labels++;
}

static void mark(struct program *p, int label) { p->at[label] = p->n; }

static int resolve_jumps(struct program *p) {
  if (p->overflow)
    return -1;
  for (size_t i = 0; i < p->n; i++) {
    if (BPF_CLASS(p->insns[i].code) != BPF_JMP)
      continue;
    size_t jt = p->jt[i] == NEXT ? i + 1 : p->at[p->jt[i]];
    size_t jf = p->jf[i] == NEXT ? i + 1 : p->at[p->jf[i]];
    /* Conditional jumps go forward, at most 255 instructions. */
    if (jt <= i || jf <= i || jt - i - 1 > 255 || jf - i - 1 > 255)
      return -1;
    p->insns[i].jt = (uint8_t)(jt - i - 1);
    p->insns[i].jf = (uint8_t)(jf - i - 1);
  }
  return 0;
}

/* The low 32 bits of argument i: ioctl's request and clone's flags are 32-bit
 * in the kernel, so the high half (which a caller may fill) is ignored there too. */
static uint32_t arg_low(unsigned i) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return (uint32_t)(offsetof(struct seccomp_data, args) + 8 * i + 4);
#else
  return (uint32_t)(offsetof(struct seccomp_data, args) + 8 * i);
#endif
}

struct rule {
  uint32_t nr;
  int action; /* a label */
};

static int compare_rules(const void *a, const void *b) {
  uint32_t x = ((const struct rule *)a)->nr, y = ((const struct rule *)b)->nr;
  return x < y ? -1 : x > y;
}

/* Numbers from first up to the next span's first share one action. */
struct span {
  uint32_t first;
  int action;
};

/* Sorted rules -> spans: consecutive numbers with one action merge (mount,
 * umount2, swapon, swapoff, reboot are 165-169 on x86_64), gaps allow. */
static size_t make_spans(const struct rule *rules, size_t n, struct span *spans) {
  size_t count = 0;
  uint32_t end = 0; /* the first number not covered yet */
  spans[count++] = (struct span){0, L_ALLOW};
  for (size_t i = 0; i < n; i++) {
    if (rules[i].nr < end)
      continue; /* a number listed twice */
    if (rules[i].nr > end && spans[count - 1].action != L_ALLOW)
      spans[count++] = (struct span){end, L_ALLOW};
    if (spans[count - 1].action != rules[i].action)
      spans[count++] = (struct span){rules[i].nr, rules[i].action};
    end = rules[i].nr + 1;
  }
  if (spans[count - 1].action != L_ALLOW)
    spans[count++] = (struct span){end, L_ALLOW};
#ifdef X32_SYSCALL_BIT
  /* x32 numbers carry this bit: above every native one, one more span. */
  spans[count++] = (struct span){X32_SYSCALL_BIT, L_X32};
#endif
  return count;
}

/* A binary search over the spans' first numbers, each leaf a jump to its
 * action. The kernel runs the filter once per syscall number when it is
 * installed (its allow cache, Linux 5.11): a short path and few
 * instructions make that, and the JIT, quick (~40 us, not ~110 us for a
 * list of comparisons). */
static void emit_search(struct program *p, const struct span *spans, size_t n) {
  size_t mid = n / 2;
  int upper = n - mid == 1 ? spans[mid].action : new_label(p);
  emit(p, BPF_JMP | BPF_JGE | BPF_K, spans[mid].first, upper, mid == 1 ? spans[0].action : NEXT);
  if (mid > 1)
    emit_search(p, spans, mid);
  if (n - mid > 1) {
    mark(p, upper);
    emit_search(p, spans + mid, n - mid);
  }
}

static int assemble(struct program *p) {
  enum { N_DENIED = sizeof denied / sizeof denied[0] };
  struct rule rules[N_DENIED + 4] = {
      {__NR_ioctl, L_IOCTL},
      /* clone's flags are its first argument on x86_64 and aarch64 (not on s390). */
      {__NR_clone, L_NEWUSER},
      {__NR_unshare, L_NEWUSER},
      /* clone3's flags are in memory, out of BPF's reach: ENOSYS makes libc fall back to clone. */
      {__NR_clone3, L_ENOSYS},
  };
  for (size_t i = 0; i < N_DENIED; i++)
    rules[4 + i] = (struct rule){denied[i], L_DENY};
  qsort(rules, N_DENIED + 4, sizeof rules[0], compare_rules);
  struct span spans[2 * (N_DENIED + 4) + 3];
  size_t n_spans = make_spans(rules, N_DENIED + 4, spans);
  p->n = 0;
  p->n_labels = N_FIXED_LABELS;

  emit(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), NEXT, NEXT);
  emit(p, BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, NEXT, L_FOREIGN);
  emit(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), NEXT, NEXT);
  emit_search(p, spans, n_spans);

  mark(p, L_IOCTL);
  emit(p, BPF_LD | BPF_W | BPF_ABS, arg_low(1), NEXT, NEXT);
  /* TIOCSTI types into a terminal; TIOCLINUX can too, on a virtual console. */
  emit(p, BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, L_DENY, NEXT);
  emit(p, BPF_JMP | BPF_JEQ | BPF_K, TIOCLINUX, L_DENY, L_ALLOW);

  mark(p, L_NEWUSER);
  emit(p, BPF_LD | BPF_W | BPF_ABS, arg_low(0), NEXT, NEXT);
  /* A user namespace of its own would give the job every capability again, there. */
  emit(p, BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, L_DENY, L_ALLOW);

#ifdef X32_SYSCALL_BIT
  mark(p, L_X32);
  emit(p, BPF_JMP | BPF_JEQ | BPF_K, X32_EXIT_GROUP, L_ALLOW, L_DENY);
#endif
  /* Another architecture's numbers would slip past the search: deny them all. */
  mark(p, L_FOREIGN);
  emit(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), NEXT, NEXT);
  emit(p, BPF_JMP | BPF_JEQ | BPF_K, FOREIGN_EXIT_GROUP, L_ALLOW, NEXT);

  mark(p, L_DENY);
  emit(p, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA), NEXT, NEXT);
  mark(p, L_ENOSYS);
  emit(p, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA), NEXT, NEXT);
  mark(p, L_ALLOW);
  emit(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, NEXT, NEXT);
  return resolve_jumps(p);
}

int install_seccomp(enum seccomp_profile profile, struct cub_error *err) {
  if (profile == SECCOMP_PROFILE_UNCONFINED)
    return 0;
  static struct program program;
  if (assemble(&program) < 0)
    return make_error(err, 0, "assemble the seccomp filter: too long, or a jump out of range");
  struct sock_fprog fprog = {.len = (unsigned short)program.n, .filter = program.insns};
  /* No SECCOMP_FILTER_FLAG_SPEC_ALLOW: the kernel's speculation default stands. */
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0)
    return make_error(err, errno,
                      "install the default seccomp filter (prctl "
                      "PR_SET_SECCOMP; --seccomp unconfined runs without it)");
  return 0;
}

#else

int install_seccomp(enum seccomp_profile profile, struct cub_error *err) {
  if (profile == SECCOMP_PROFILE_UNCONFINED)
    return 0;
  return make_error(err, 0,
                    "the default seccomp filter is built for x86_64 and aarch64 "
                    "only; nothing was run (pass --seccomp unconfined to run "
                    "without it)");
}

#endif
