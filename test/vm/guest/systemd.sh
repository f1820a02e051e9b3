# Systemd mode of the cubicle test VM (run.sh --systemd), sourced by stage2.sh as PID 1 once
# the mounts, shares and output ports ($OUT, $ERR; systemd opens them as root) are in place.
# Turns the VM into what a GitHub-hosted runner is: Debian's own systemd as PID 1 on
# cgroup v2, a `runner` user with lingering and passwordless sudo, and the command running
# as `runner` in system.slice/runner.service (not delegated to it), as the runner's step
# scripts do. The command's output goes to run.sh's stdout and stderr; its end
# (ExecStopPost, as root) reports the exit status and powers the VM off. Never returns: it execs systemd.

[ -x /lib/systemd/systemd ] || fail "systemd is not installed in the host root (apt-get install systemd dbus-user-session)"
[ -x /usr/bin/sudo ] || fail "sudo is not installed in the host root (apt-get install sudo)"

# A fresh, writable /home (the host's homes are not the runner's) and a runner user, as on
# GitHub's images: an ordinary user with a subordinate id range, lingering, and sudo.
$BB mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /home || fail "tmpfs /home"
RUNNER=${CUB_USER:-runner}
if ! $BB grep -q "^$RUNNER:" /etc/passwd; then
  /usr/sbin/useradd -m -s /bin/bash "$RUNNER" || fail "useradd $RUNNER failed"
else
  rhome=$($BB awk -F: -v u="$RUNNER" '$1 == u {print $6}' /etc/passwd)
  $BB mkdir -p "$rhome" && $BB chown "$RUNNER:" "$rhome"
fi
for f in /etc/subuid /etc/subgid; do
  $BB grep -q "^$RUNNER:" "$f" 2>/dev/null || echo "$RUNNER:300000:65536" >> "$f"
done
echo "$RUNNER ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/cubicle-vm-runner
$BB chmod 440 /etc/sudoers.d/cubicle-vm-runner
$BB mkdir -p /var/lib/systemd/linger
[ "$CUB_LINGER" = 0 ] || : > "/var/lib/systemd/linger/$RUNNER"

# The command's environment: what a runner service has (no XDG_RUNTIME_DIR: services get
# none), plus --env values. systemd itself sets HOME, USER, LOGNAME and SHELL for User=.
{
  echo "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  echo "LANG=${CUB_LANG:-C.UTF-8}"
  echo "CUBICLE_VM=1"
  echo "CUBICLE_VM_SYSTEMD=1"
  [ -n "$CUB_ENV" ] && printf '%s\n' "$CUB_ENV"
} > /run/cubicle-vm/env

U=/etc/systemd/system
RUID=$(/usr/bin/id -u "$RUNNER")
$BB cat > "$U/runner.service" <<EOF
[Unit]
Description=The CI runner (cubicle test VM): runs the command as $RUNNER
After=basic.target systemd-user-sessions.service systemd-logind.service user@$RUID.service
Wants=systemd-logind.service

[Service]
Type=exec
User=$RUNNER
WorkingDirectory=$CUB_CWD
EnvironmentFile=/run/cubicle-vm/env
ExecStart=/bin/bash /run/cubicle-vm/ctl/step.sh
ExecStopPost=+/run/cubicle-vm/busybox sh /run/cubicle-vm/ctl/stage2.sh finish
StandardInput=null
StandardOutput=file:$OUT
StandardError=file:$ERR
KillMode=control-group
TimeoutStopSec=10
EOF
# The step script: the command, as run.sh wrote it.
$BB cat > "$CTL/step.sh" <<'EOF'
. /run/cubicle-vm/ctl/job
exec "$@"
EOF

# Boot only what a runner's jobs touch: basic.target (udev, journald, tmpfiles, dbus),
# logind (lingering starts user@UID.service) and runner.service. The host's own services
# (postgresql, redis, docker-registry, its timers) stay off.
$BB cat > "$U/cubicle-vm.target" <<EOF
[Unit]
Description=cubicle test VM
Requires=basic.target
Wants=dbus.service systemd-logind.service systemd-user-sessions.service runner.service
After=basic.target
AllowIsolate=yes
EOF

for unit in timers.target systemd-timesyncd.service systemd-pstore.service e2scrub_reap.service \
            $(cd "$U" && $BB ls sockets.target.wants timers.target.wants 2>/dev/null | $BB grep -v -e '^dbus' -e ':$'); do
  $BB ln -sfn /dev/null "$U/$unit"
done
# Debian's tmpfiles empty /tmp at boot (`D /tmp`): /tmp holds the shared checkout (CI
# clones into /tmp), so /tmp is only made, never cleaned (`d /tmp`).
$BB mkdir -p /etc/tmpfiles.d
echo 'd /tmp 1777 root root -' > /etc/tmpfiles.d/tmp.conf
[ -s /etc/machine-id ] || $BB cat /proc/sys/kernel/random/uuid | $BB tr -d - > /etc/machine-id

say "starting systemd"
exec /lib/systemd/systemd
