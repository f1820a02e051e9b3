// Where `systemd-run --user` and `systemctl --user` find the user's manager.

/** XDG_RUNTIME_DIR, or /run/user/UID where a service, `sudo -u` or cron left it unset. */
export function userRuntimeDir(uid: number): string {
  return process.env.XDG_RUNTIME_DIR || `/run/user/${uid}`;
}
