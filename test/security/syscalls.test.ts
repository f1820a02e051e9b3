// Adversarial jobs against the kernel: mounts, namespaces, keyrings, bpf, perf, userfaultfd,
// file handles, modules, devices, /proc and /sys, the network, the terminal. Under the default
// seccomp filter the dangerous calls fail with EPERM even where the kernel would let an
// unprivileged process through. Each row is one attempt (harness.ts).
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { removeProjects } from '../helpers/project.js';
import { hostAddress, runAttempt, WHO, type Attempt, type Scene } from './harness.js';

afterAll(removeProjects);

/** A TCP server on the host that counts the connections it gets. */
async function countingServer(scene: Scene, host: string, port = 0): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  scene.cleanups.push(() => void server.close());
  return { port: (server.address() as net.AddressInfo).port, connections: () => connections };
}

const hostFiles = [
  '/proc/sys/kernel/core_pattern',
  '/proc/sys/kernel/modprobe',
  '/proc/sys/kernel/hostname',
  '/proc/sys/vm/panic_on_oom',
  '/proc/sys/kernel/domainname',
];

const attempts: Attempt[] = [
  {
    name: 'mounts: a tmpfs, /usr remounted read-write, a bind, proc, and the new mount API (fsopen, open_tree, mount_setattr, move_mount)',
    c: String.raw`
int main(void) {
  mkdir("/tmp/m", 0755);
  REFUSED("mount tmpfs", mount("none", "/tmp/m", "tmpfs", 0, NULL), EPERM);
  REFUSED("remount /usr read-write", mount(NULL, "/usr", NULL, MS_REMOUNT | MS_BIND, NULL), EPERM);
  REFUSED("bind /usr", mount("/usr", "/tmp/m", NULL, MS_BIND, NULL), EPERM);
  REFUSED("mount proc", mount("proc", "/tmp/m", "proc", 0, NULL), EPERM);
  REFUSED("make / shared", mount(NULL, "/", NULL, MS_SHARED | MS_REC, NULL), EPERM);
  REFUSED("fsopen tmpfs", fsopen("tmpfs", 0), EPERM);
  REFUSED("open_tree clone /usr", open_tree(AT_FDCWD, "/usr", OPEN_TREE_CLONE), EPERM);
  struct mount_attr attr = {.attr_clr = MOUNT_ATTR_RDONLY};
  REFUSED("mount_setattr /usr read-write", mount_setattr(AT_FDCWD, "/usr", 0, &attr, sizeof attr), EPERM);
  REFUSED("move_mount", move_mount(AT_FDCWD, "/usr", AT_FDCWD, "/tmp/m", MOVE_MOUNT_F_SYMLINKS), EPERM);
  if (access("/usr/bin", W_OK) == 0) BREACH("/usr is writable"); else HELD("/usr still read-only");
  FINISH();
}`,
  },
  {
    name: "unmounts what hides the host: /proc/sys, /proc's masks, /usr, the checkout's overlay",
    c: String.raw`
int main(void) {
  REFUSED("umount /proc/sys", umount2("/proc/sys", MNT_DETACH), EPERM);
  REFUSED("umount /proc/keys (a mask)", umount2("/proc/keys", MNT_DETACH), EPERM);
  REFUSED("umount /usr", umount2("/usr", 0), EPERM);
  char cwd[4096];
  getcwd(cwd, sizeof cwd);
  REFUSED("umount the checkout", umount2(cwd, MNT_DETACH), EPERM);
  REFUSED("umount /", umount2("/", MNT_DETACH), EPERM);
  REFUSED("write /proc/sys/kernel/hostname after the umount", open("/proc/sys/kernel/hostname", O_WRONLY), 0);
  FINISH();
}`,
  },
  {
    name: 'pivot_root, chroot and a new mount namespace to leave its root',
    c: String.raw`
int main(void) {
  REFUSED("pivot_root . .", syscall(SYS_pivot_root, ".", "."), EPERM);
  mkdir("/tmp/old", 0755);
  REFUSED("pivot_root /tmp /tmp/old", syscall(SYS_pivot_root, "/tmp", "/tmp/old"), EPERM);
  REFUSED("chroot /tmp", chroot("/tmp"), EPERM);
  REFUSED("unshare a mount namespace", unshare(CLONE_NEWNS), EPERM);
  REFUSED("unshare a pid namespace", unshare(CLONE_NEWPID), EPERM);
  REFUSED("setns into PID 1's mount namespace", setns(open("/proc/1/ns/mnt", O_RDONLY), 0), 0);
  FINISH();
}`,
  },
  {
    name: 'a new user namespace to regain capabilities: unshare(CLONE_NEWUSER), clone, clone3, unshare -U',
    c: String.raw`
struct clone3_args { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup; };
/* In a child, so that one that gets through does not change what the next one starts from. */
static void unshare_in_child(const char *what, int flags) {
  int result[2];
  long ret;
  int err;
  pipe(result);
  pid_t child = fork();
  if (child == 0) { ret = unshare(flags); err = errno; write(result[1], &ret, sizeof ret); write(result[1], &err, sizeof err); _exit(0); }
  read(result[0], &ret, sizeof ret);
  read(result[0], &err, sizeof err);
  waitpid(child, NULL, 0);
  refused_(what, ret, err, EPERM);
}
int main(void) {
  unshare_in_child("unshare(CLONE_NEWUSER)", CLONE_NEWUSER);
  unshare_in_child("unshare(CLONE_NEWUSER|CLONE_NEWNS)", CLONE_NEWUSER | CLONE_NEWNS);
  long child = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (child == 0) _exit(0);
  int err = errno;
  if (child > 0) waitpid(child, NULL, 0);
  refused_("clone(CLONE_NEWUSER)", child, err, EPERM);
  struct clone3_args args = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};
  child = syscall(SYS_clone3, &args, sizeof args);
  if (child == 0) _exit(0);
  err = errno;
  if (child > 0) waitpid(child, NULL, 0);
  // clone3's flags are in memory, out of a filter's reach: it must be refused whole (ENOSYS makes libc fall back to clone).
  if (child >= 0) BREACH("clone3(CLONE_NEWUSER): succeeded");
  else if (err != EPERM && err != ENOSYS) BREACH("clone3(CLONE_NEWUSER): %s, expected EPERM or ENOSYS", strerrorname_np(err));
  else HELD("clone3(CLONE_NEWUSER): %s", strerrorname_np(err));
  int status = system("unshare -U true 2>/dev/null");
  if (status == 0) BREACH("unshare -U: succeeded"); else HELD("unshare -U: exit %d", WEXITSTATUS(status));
  FINISH();
}`,
  },
  {
    name: 'keyctl: add_key, request_key, a new session keyring',
    c: String.raw`
#include <linux/keyctl.h>
int main(void) {
  REFUSED("add_key user", syscall(SYS_add_key, "user", "cubsec", "secret", 6, KEY_SPEC_SESSION_KEYRING), EPERM);
  REFUSED("request_key", syscall(SYS_request_key, "user", "cubsec", NULL, KEY_SPEC_SESSION_KEYRING), EPERM);
  REFUSED("keyctl join session keyring", syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "cubsec"), EPERM);
  REFUSED("keyctl read the user keyring", syscall(SYS_keyctl, KEYCTL_READ, KEY_SPEC_USER_KEYRING, NULL, 0), EPERM);
  FINISH();
}`,
  },
  {
    name: 'bpf: a map and a socket filter program',
    c: String.raw`
#include <linux/bpf.h>
int main(void) {
  union bpf_attr map = {.map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1};
  REFUSED("bpf map create", syscall(SYS_bpf, BPF_MAP_CREATE, &map, sizeof map), EPERM);
  struct bpf_insn code[] = {{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0}, {.code = BPF_JMP | BPF_EXIT}};
  union bpf_attr prog = {.prog_type = BPF_PROG_TYPE_SOCKET_FILTER, .insn_cnt = 2, .insns = (uintptr_t)code, .license = (uintptr_t)"GPL"};
  REFUSED("bpf prog load", syscall(SYS_bpf, BPF_PROG_LOAD, &prog, sizeof prog), EPERM);
  FINISH();
}`,
  },
  {
    name: 'perf_event_open on itself (which perf_event_paranoid=2 alone allows) and on the whole CPU',
    c: String.raw`
#include <linux/perf_event.h>
int main(void) {
  struct perf_event_attr attr = {.type = PERF_TYPE_SOFTWARE, .size = sizeof attr, .config = PERF_COUNT_SW_CPU_CLOCK, .exclude_kernel = 1, .exclude_hv = 1};
  REFUSED("perf_event_open on itself", syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0), EPERM);
  REFUSED("perf_event_open on CPU 0", syscall(SYS_perf_event_open, &attr, -1, 0, -1, 0), EPERM);
  FINISH();
}`,
  },
  {
    name: 'userfaultfd (user-mode only, which the kernel allows unprivileged) and /dev/userfaultfd',
    c: String.raw`
#include <linux/userfaultfd.h>
int main(void) {
  REFUSED("userfaultfd(UFFD_USER_MODE_ONLY)", syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY), EPERM);
  REFUSED("userfaultfd()", syscall(SYS_userfaultfd, O_CLOEXEC), EPERM);
  REFUSED("open /dev/userfaultfd", open("/dev/userfaultfd", O_RDWR), 0);
  FINISH();
}`,
  },
  {
    name: 'open_by_handle_at with a real handle and a forged one for inode 2 (the "shocker" escape)',
    c: String.raw`
int main(void) {
  struct { struct file_handle handle; unsigned char bytes[128]; } real = {.handle.handle_bytes = 128};
  int mount_id;
  int mount_fd = open("/etc", O_RDONLY | O_DIRECTORY);
  if (name_to_handle_at(AT_FDCWD, "/etc/passwd", &real.handle, &mount_id, 0) == 0)
    REFUSED("open_by_handle_at /etc/passwd's handle", open_by_handle_at(mount_fd, &real.handle, O_RDONLY), EPERM);
  else
    HELD("name_to_handle_at: %s", strerrorname_np(errno));
  struct { struct file_handle handle; unsigned char bytes[8]; } forged = {.handle.handle_bytes = 8, .handle.handle_type = 1, .bytes = {2, 0, 0, 0, 0, 0, 0, 0}};
  REFUSED("open_by_handle_at forged root inode", open_by_handle_at(mount_fd, &forged.handle, O_RDONLY), EPERM);
  FINISH();
}`,
  },
  {
    name: 'kernel modules, kexec, reboot, the clock, swap, acct, iopl',
    c: String.raw`
#include <linux/reboot.h>
#include <sys/io.h>
#include <time.h>
int main(void) {
  REFUSED("init_module", syscall(SYS_init_module, "", 0, ""), EPERM);
  REFUSED("finit_module", syscall(SYS_finit_module, open("/etc/hostname", O_RDONLY), "", 0), EPERM);
  REFUSED("delete_module", syscall(SYS_delete_module, "ext4", O_NONBLOCK), EPERM);
  REFUSED("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0), EPERM);
  REFUSED("reboot (ctrl-alt-del on)", syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_CAD_ON, NULL), EPERM);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  REFUSED("clock_settime (to now)", clock_settime(CLOCK_REALTIME, &now), EPERM);
  REFUSED("swapon", syscall(SYS_swapon, "/tmp/swap", 0), EPERM);
  REFUSED("acct", syscall(SYS_acct, "/tmp/acct"), EPERM);
  REFUSED("iopl 3", iopl(3), EPERM);
  REFUSED("ioperm", ioperm(0x80, 1, 1), EPERM);
  FINISH();
}`,
  },
  {
    name: "sethostname and setdomainname, to change the host's names",
    c: String.raw`
int main(void) {
  REFUSED("sethostname", sethostname("cubsec-pwned", 12), EPERM);
  REFUSED("setdomainname", setdomainname("cubsec-pwned", 12), EPERM);
  REFUSED("write /proc/sys/kernel/hostname", open("/proc/sys/kernel/hostname", O_WRONLY), 0);
  FINISH();
}`,
    prepare: (scene) => {
      const before = fs.readFileSync('/proc/sys/kernel/domainname', 'utf8');
      scene.cleanups.push(() => expect(fs.readFileSync('/proc/sys/kernel/domainname', 'utf8')).toBe(before));
    },
  },
  {
    name: "device nodes: mknod of /dev/null's char device, /dev/mem, and the host's root disk",
    prepare: (scene) => {
      const dev = fs.statSync('/').dev;
      // Linux's new_encode_dev: major in bits 8-19, minor in bits 0-7 and 20-31.
      scene.env.ROOT_MAJOR = String((dev >> 8) & 0xfff);
      scene.env.ROOT_MINOR = String((dev & 0xff) | ((dev >> 12) & 0xfff00));
    },
    c: String.raw`
#include <sys/sysmacros.h>
int main(void) {
  REFUSED("mknod c 1 3 in the checkout", mknod("null-copy", S_IFCHR | 0666, makedev(1, 3)), EPERM);
  REFUSED("mknod c 1 3 in /tmp", mknod("/tmp/null-copy", S_IFCHR | 0666, makedev(1, 3)), EPERM);
  REFUSED("mknod c 1 1 (/dev/mem)", mknod("/tmp/mem", S_IFCHR | 0600, makedev(1, 1)), EPERM);
  REFUSED("mknod c 1 3 in /dev", mknod("/dev/null-copy", S_IFCHR | 0666, makedev(1, 3)), EPERM);
  unsigned major = atoi(env_or("ROOT_MAJOR", "8")), minor = atoi(env_or("ROOT_MINOR", "0"));
  char what[64];
  snprintf(what, sizeof what, "mknod b %u %u (the host's root disk)", major, minor);
  REFUSED(what, mknod("disk", S_IFBLK | 0600, makedev(major, minor)), EPERM);
  // A 0/0 char device is overlayfs's whiteout; creating one is no harm, reading through it is nothing.
  if (mknod("whiteout", S_IFCHR | 0600, makedev(0, 0)) == 0) {
    char byte;
    int fd = open("whiteout", O_RDONLY);
    if (fd >= 0 && read(fd, &byte, 1) == 1) BREACH("read through a 0/0 device");
    else HELD("a 0/0 whiteout node reads nothing");
  }
  FINISH();
}`,
  },
  {
    name: 'host devices through /dev: raw disks, memory, ports, the kernel log, consoles, tun, fuse, loop',
    c: String.raw`
int main(void) {
  const char *devices[] = {"/dev/vda", "/dev/sda", "/dev/nvme0n1", "/dev/mem", "/dev/kmem", "/dev/port", "/dev/kmsg", "/dev/console", "/dev/tty0", "/dev/net/tun", "/dev/fuse", "/dev/loop-control", "/dev/dri/card0", "/dev/tty"};
  for (unsigned i = 0; i < sizeof devices / sizeof *devices; i++) {
    char what[64];
    snprintf(what, sizeof what, "open %s", devices[i]);
    REFUSED(what, open(devices[i], O_RDWR), 0);
  }
  FINISH();
}`,
  },
  {
    name: '/proc writes: sysrq-trigger, core_pattern (the classic escape), modprobe, panic_on_oom',
    prepare: (scene) => {
      const before = hostFiles.map(readOrNull);
      scene.cleanups.push(() => expect(hostFiles.map(readOrNull)).toEqual(before));
    },
    c: String.raw`
int main(void) {
  struct { const char *file, *text; } writes[] = {
    {"/proc/sysrq-trigger", "h"}, {"/proc/sys/kernel/core_pattern", "|/tmp/pwn %p"}, {"/proc/sys/kernel/modprobe", "/tmp/pwn"},
    {"/proc/sys/vm/panic_on_oom", "1"}, {"/proc/sys/kernel/domainname", "pwned"}, {"/proc/sys/vm/drop_caches", "3"},
  };
  for (unsigned i = 0; i < sizeof writes / sizeof *writes; i++) {
    char what[96];
    snprintf(what, sizeof what, "write %s", writes[i].file);
    int fd = open(writes[i].file, O_WRONLY);
    REFUSED(what, fd < 0 ? -1 : write(fd, writes[i].text, strlen(writes[i].text)), 0);
  }
  FINISH();
}`,
  },
  {
    name: '/proc and kernel reads: kcore, kmsg, syslog, keys, timer_list, kallsyms addresses',
    c: String.raw`
#include <sys/klog.h>
int main(void) {
  char buffer[4096];
  REFUSED("read /proc/kcore", read_text("/proc/kcore", buffer, sizeof buffer), 0);
  REFUSED("read /proc/kmsg", read_text("/proc/kmsg", buffer, sizeof buffer), 0);
  REFUSED("syslog read-all", klogctl(3, buffer, sizeof buffer), EPERM);
  const char *masked[] = {"/proc/keys", "/proc/timer_list", "/proc/kpagecount", "/proc/sched_debug"};
  for (unsigned i = 0; i < sizeof masked / sizeof *masked; i++) {
    int got = read_text(masked[i], buffer, sizeof buffer);
    if (got > 0) BREACH("read %d bytes of %s", got, masked[i]); else HELD("%s is masked (%s)", masked[i], got == 0 ? "empty" : strerrorname_np(errno));
  }
  FILE *symbols = fopen("/proc/kallsyms", "r");
  unsigned long long address, nonzero = 0;
  char type, name[256];
  while (symbols && fscanf(symbols, "%llx %c %255s%*[^\n]", &address, &type, name) == 3) if (address) nonzero++;
  if (nonzero) BREACH("/proc/kallsyms shows %llu kernel addresses", nonzero); else HELD("no kernel address in /proc/kallsyms");
  struct stat sys;
  if (stat("/sys/kernel", &sys) == 0) BREACH("/sys is there"); else HELD("no /sys: %s", strerrorname_np(errno));
  FINISH();
}`,
  },
  {
    name: "connects to the host's loopback: TCP on 127.0.0.1 and ::1, UDP, an abstract unix socket",
    prepare: async (scene) => {
      const tcp = await countingServer(scene, '127.0.0.1');
      scene.env.TCP_PORT = String(tcp.port);
      let ipv6: { port: number; connections: () => number } | undefined;
      try {
        ipv6 = await countingServer(scene, '::1');
      } catch {
        // no IPv6 loopback on this host: the job's attempt just fails
      }
      scene.env.TCP6_PORT = String(ipv6?.port ?? 9);
      let datagrams = 0;
      const udp = dgram.createSocket('udp4', () => (datagrams += 1));
      await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
      scene.env.UDP_PORT = String(udp.address().port);
      let unixConnections = 0;
      const abstract = net.createServer((socket) => {
        unixConnections += 1;
        socket.destroy();
      });
      await new Promise<void>((resolve) => abstract.listen(`\0${scene.marker}`, resolve));
      scene.cleanups.push(() => {
        udp.close();
        abstract.close();
      });
      scene.cleanups.push(() =>
        expect({ tcp: tcp.connections(), ipv6: ipv6?.connections() ?? 0, datagrams, unixConnections }).toEqual({
          tcp: 0,
          ipv6: 0,
          datagrams: 0,
          unixConnections: 0,
        }),
      );
    },
    c: String.raw`
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/un.h>
int main(void) {
  struct sockaddr_in tcp = {.sin_family = AF_INET, .sin_port = htons(atoi(env_or("TCP_PORT", "9"))), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  REFUSED("connect 127.0.0.1 (the host's server)", connect(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr *)&tcp, sizeof tcp), 0);
  struct sockaddr_in6 tcp6 = {.sin6_family = AF_INET6, .sin6_port = htons(atoi(env_or("TCP6_PORT", "9"))), .sin6_addr = IN6ADDR_LOOPBACK_INIT};
  REFUSED("connect [::1] (the host's server)", connect(socket(AF_INET6, SOCK_STREAM, 0), (struct sockaddr *)&tcp6, sizeof tcp6), 0);
  struct sockaddr_in udp = tcp;
  udp.sin_port = htons(atoi(env_or("UDP_PORT", "9")));
  int datagram = socket(AF_INET, SOCK_DGRAM, 0);
  for (int i = 0; i < 3; i++) sendto(datagram, "x", 1, 0, (struct sockaddr *)&udp, sizeof udp);
  HELD("sent UDP to 127.0.0.1 (the host counts what arrives)");
  struct sockaddr_un unix_address = {.sun_family = AF_UNIX};
  const char *marker = env_or("MARKER", "cubsec");
  memcpy(unix_address.sun_path + 1, marker, strlen(marker));
  REFUSED("connect the host's abstract unix socket", connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&unix_address, offsetof(struct sockaddr_un, sun_path) + 1 + strlen(marker)), 0);
  FINISH();
}`,
  },
  {
    name: "connects out with network: none: the host's own address, public IPv4 and IPv6, DNS over UDP",
    prepare: async (scene) => {
      const server = await countingServer(scene, '0.0.0.0');
      scene.env.HOST_ADDRESS = hostAddress() ?? '192.0.2.1';
      scene.env.HOST_PORT = String(server.port);
      scene.cleanups.push(() => expect(server.connections(), 'connections from the job').toBe(0));
    },
    c: String.raw`
#include <arpa/inet.h>
#include <netinet/in.h>
static void try_connect(const char *what, int family, const char *address, int port, int type) {
  struct sockaddr_storage storage = {0};
  socklen_t length;
  if (family == AF_INET) {
    struct sockaddr_in *in = (struct sockaddr_in *)&storage;
    in->sin_family = AF_INET; in->sin_port = htons(port); inet_pton(AF_INET, address, &in->sin_addr); length = sizeof *in;
  } else {
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&storage;
    in6->sin6_family = AF_INET6; in6->sin6_port = htons(port); inet_pton(AF_INET6, address, &in6->sin6_addr); length = sizeof *in6;
  }
  int fd = socket(family, type, 0);
  if (type == SOCK_DGRAM) REFUSED(what, sendto(fd, "x", 1, 0, (struct sockaddr *)&storage, length), 0);
  else REFUSED(what, connect(fd, (struct sockaddr *)&storage, length), 0);
}
int main(void) {
  char what[96];
  snprintf(what, sizeof what, "connect the host's %s", env_or("HOST_ADDRESS", "?"));
  try_connect(what, AF_INET, env_or("HOST_ADDRESS", "192.0.2.1"), atoi(env_or("HOST_PORT", "9")), SOCK_STREAM);
  try_connect("connect 1.1.1.1:443", AF_INET, "1.1.1.1", 443, SOCK_STREAM);
  try_connect("send DNS to 8.8.8.8:53", AF_INET, "8.8.8.8", 53, SOCK_DGRAM);
  try_connect("connect [2606:4700:4700::1111]:443", AF_INET6, "2606:4700:4700::1111", 443, SOCK_STREAM);
  FINISH();
}`,
  },
  {
    name: 'raw and packet sockets, and taking loopback down, to sniff or spoof',
    c: String.raw`
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
int main(void) {
  REFUSED("packet socket", socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)), EPERM);
  REFUSED("raw IP socket", socket(AF_INET, SOCK_RAW, IPPROTO_RAW), EPERM);
  struct ifreq request = {0};
  strcpy(request.ifr_name, "lo");
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  REFUSED("set lo down", ioctl(fd, SIOCSIFFLAGS, &request), EPERM);
  FINISH();
}`,
  },
  {
    name: 'TIOCSTI into its stdin, stdout, stderr, /dev/tty and a pty it opens itself',
    c: String.raw`
#include <termios.h>
int main(void) {
  char c = 'x';
  for (int fd = 0; fd < 3; fd++) {
    char what[32];
    snprintf(what, sizeof what, "TIOCSTI on fd %d", fd);
    REFUSED(what, ioctl(fd, TIOCSTI, &c), EPERM);
  }
  REFUSED("open /dev/tty", open("/dev/tty", O_RDWR), 0);
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0) {
    int pty = open(ptsname(master), O_RDWR);
    REFUSED("TIOCSTI on its own pty", ioctl(pty, TIOCSTI, &c), EPERM);
  } else {
    HELD("no pty: %s", strerrorname_np(errno));
  }
  FINISH();
}`,
  },
];

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

describe(`adversarial jobs against the kernel (${WHO})`, () => {
  for (const attempt of attempts) it(attempt.name, async () => void (await runAttempt(attempt)), attempt.timeoutMs ?? 60_000);
});

// Controls: the same programs with `seccomp: unconfined` do get through where only the filter
// stops them, so the rows above fail when the filter is missing, and pass for no other reason.
const controls: [attempt: string, broken: string[]][] = [
  ['a new user namespace', ['unshare(CLONE_NEWUSER)', 'unshare(CLONE_NEWUSER|CLONE_NEWNS)', 'clone(CLONE_NEWUSER)', 'clone3(CLONE_NEWUSER)', 'unshare -U:']],
  ['keyctl', ['add_key user']],
  ['perf_event_open', ['perf_event_open on itself']],
  ['userfaultfd', ['userfaultfd(UFFD_USER_MODE_ONLY)']],
  ['TIOCSTI', ['TIOCSTI on fd 0']],
];

describe(`controls: with seccomp: unconfined those calls get through (${WHO})`, () => {
  for (const [prefix, broken] of controls) {
    const attempt = attempts.find((candidate) => candidate.name.startsWith(prefix))!;
    it(`${prefix}: ${broken.join(', ')}`, async () => {
      await runAttempt({ ...attempt, job: { seccomp: 'unconfined' }, expectBroken: broken, statuses: ['failed'], reports: 'done' });
    });
  }
});
