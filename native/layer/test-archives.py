#!/usr/bin/env python3
"""Tar streams for test.sh, made with Python's tarfile: python3 test-archives.py NAME OUT.

Each NAME is one scenario; test.sh says what it expects of it."""
import io
import sys
import tarfile

LONG_DIR = "long-" + "d" * 150  # > 100: a GNU 'L' or pax path; with the file, > 255
LONG_FILE = "f" * 200
LONG_TARGET = "t" * 150


def entry(archive, name, kind=tarfile.REGTYPE, data=b"", **fields):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mtime = fields.pop("mtime", 1600000000)
    info.mode = fields.pop("mode", 0o755 if kind == tarfile.DIRTYPE else 0o644)
    for key, value in fields.items():
        setattr(info, key, value)
    if kind == tarfile.REGTYPE:
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    else:
        archive.addfile(info)


def common(archive, pax):
    """The same tree in every format: what test.sh checks after extracting basic-*."""
    entry(archive, "./", tarfile.DIRTYPE, mode=0o755)
    entry(archive, "etc", tarfile.DIRTYPE, mode=0o755, mtime=1500000000)
    entry(archive, "etc/hello", data=b"hello\n", mode=0o4755, uid=1000, gid=1001, mtime=1600000001)
    entry(archive, "etc/readonly", data=b"ro\n", mode=0o444)
    entry(archive, "etc/setgid", data=b"", mode=0o2711, uid=0, gid=50)
    entry(archive, "etc/link", tarfile.SYMTYPE, linkname="hello")
    entry(archive, "etc/abs-link", tarfile.SYMTYPE, linkname="/etc/passwd")
    entry(archive, "etc/hard", tarfile.LNKTYPE, linkname="etc/hello")
    entry(archive, "etc/" + LONG_DIR + "/" + LONG_FILE, data=b"long name\n")
    entry(archive, "etc/long-link", tarfile.SYMTYPE, linkname=LONG_TARGET)
    entry(archive, "etc/long-hard", tarfile.LNKTYPE, linkname="etc/" + LONG_DIR + "/" + LONG_FILE)
    entry(archive, "tmp", tarfile.DIRTYPE, mode=0o1777)
    entry(archive, "run/fifo", tarfile.FIFOTYPE, mode=0o620)
    entry(archive, "dev/null", tarfile.CHRTYPE, devmajor=1, devminor=3, mode=0o666)
    entry(archive, "dev/sda", tarfile.BLKTYPE, devmajor=8, devminor=0, mode=0o660)
    entry(archive, "big-uid", data=b"x", uid=3000000, gid=3000001)  # GNU: base-256; pax: records
    entry(archive, "locked", tarfile.DIRTYPE, mode=0o555)  # its content is written before its mode
    entry(archive, "locked/inside", data=b"in\n", mode=0o644)
    entry(archive, "random", data=bytes(range(256)) * 4099, mode=0o600)
    if pax:
        entry(archive, "xattrs", data=b"x\n", pax_headers={
            "mtime": "1600000000.123456789",
            "SCHILY.xattr.user.foo": "bar",
            "SCHILY.xattr.user.bin": "\x01\x02",
            "SCHILY.xattr.security.capability": "cap",
            "SCHILY.xattr.trusted.foo": "t",
        })
        entry(archive, "xdir", tarfile.DIRTYPE, mode=0o750, pax_headers={"SCHILY.xattr.user.d": "dir"})
        entry(archive, "xlink", tarfile.SYMTYPE, linkname="xattrs",
              pax_headers={"SCHILY.xattr.user.l": "no"})
        entry(archive, "p" * 200 + "/" + "q" * 200, data=b"pax path\n")
        entry(archive, "before-1970", data=b"", pax_headers={"mtime": "-1.25"})


def main():
    name, out = sys.argv[1], sys.argv[2]
    fmt = tarfile.GNU_FORMAT if name == "basic-gnu" or name.startswith("attack") else tarfile.PAX_FORMAT
    if name == "basic-ustar":
        fmt = tarfile.USTAR_FORMAT
    global_headers = {"comment": "global", "uid": "4242"} if name == "pax-global" else None
    with open(out, "wb") as stream:
        archive = tarfile.open(fileobj=stream, mode="w", format=fmt, pax_headers=global_headers)
        if name in ("basic-gnu", "basic-pax"):
            common(archive, pax=name == "basic-pax")
        elif name == "basic-ustar":
            entry(archive, "u/" + "n" * 90 + "/" + "m" * 90, data=b"prefix\n")  # the prefix field
            entry(archive, "u/plain", data=b"plain\n", mode=0o640)
        elif name == "pax-global":
            entry(archive, "a", data=b"a\n")  # uid from the global record
            entry(archive, "b", data=b"b\n", pax_headers={"uid": "77"})  # its own record wins
        elif name == "whiteouts":
            entry(archive, "w", tarfile.DIRTYPE)
            entry(archive, "w/.wh.gone")
            entry(archive, "w/.wh..wh..opq")
            entry(archive, "w/kept", data=b"kept\n")
            entry(archive, "w/dir", tarfile.DIRTYPE)
            entry(archive, "w/dir/child", data=b"child\n")
            entry(archive, "w/.wh.dir")  # replaces the directory of this same layer
            entry(archive, "w/.wh..wh.plnk")  # AUFS bookkeeping: ignored
            entry(archive, "w/dev00", tarfile.CHRTYPE, devmajor=0, devminor=0)  # already a whiteout
            entry(archive, ".wh.top")
            entry(archive, "o/.wh..wh..opq")  # before its directory entry
            entry(archive, "o", tarfile.DIRTYPE, mode=0o700)
        elif name == "replace":
            entry(archive, "x", data=b"file\n")
            entry(archive, "x", tarfile.DIRTYPE)
            entry(archive, "x/y", data=b"y\n")
            entry(archive, "d", tarfile.DIRTYPE)
            entry(archive, "d/f", data=b"f\n")
            entry(archive, "d", data=b"now a file\n")
            entry(archive, "m", tarfile.DIRTYPE, mode=0o755)
            entry(archive, "m/keep", data=b"keep\n")
            entry(archive, "m", tarfile.DIRTYPE, mode=0o700, mtime=1234567890)
            entry(archive, "s", tarfile.SYMTYPE, linkname=sys.argv[3])  # points outside
            entry(archive, "s", data=b"replaced the symlink\n")
            entry(archive, "same", data=b"one\n")
            entry(archive, "same", data=b"two\n")
        elif name == "attack-dotdot":
            entry(archive, "../x", data=b"escaped\n")
        elif name == "attack-dotdot-inner":
            entry(archive, "a/../../x", data=b"escaped\n")
        elif name == "attack-abs":
            entry(archive, "/abs/x", data=b"inside\n")
            entry(archive, "///abs/./y", data=b"inside\n")
        elif name == "attack-symlink-etc":
            entry(archive, "a", tarfile.SYMTYPE, linkname="/etc")
            entry(archive, "a/passwd", data=b"pwned\n")
        elif name == "attack-symlink-up":
            entry(archive, "b", tarfile.SYMTYPE, linkname="../../..")
            entry(archive, "b/x", data=b"pwned\n")
        elif name == "attack-symlink-deep":
            entry(archive, "c/d", tarfile.DIRTYPE)
            entry(archive, "c/d/e", tarfile.SYMTYPE, linkname="/tmp")
            entry(archive, "c/d/e/f/g", data=b"pwned\n")
        elif name == "attack-hardlink-dotdot":
            entry(archive, "h", tarfile.LNKTYPE, linkname="../../../etc/passwd")
        elif name == "attack-hardlink-abs":
            entry(archive, "h", tarfile.LNKTYPE, linkname="/etc/passwd")
        elif name == "attack-hardlink-symlink":
            entry(archive, "e", tarfile.SYMTYPE, linkname="/etc")
            entry(archive, "h", tarfile.LNKTYPE, linkname="e/passwd")
        elif name == "overlay":  # over a lower layer with "file", "dir/old" and "other"
            entry(archive, ".wh.file")
            entry(archive, "dir", tarfile.DIRTYPE)
            entry(archive, "dir/.wh..wh..opq")
            entry(archive, "dir/new", data=b"new\n")
        elif name == "owned":
            entry(archive, "mine", data=b"x\n", uid=int(sys.argv[3]), gid=int(sys.argv[3]))
        elif name == "empty":
            pass
        else:
            sys.exit(f"unknown archive {name}")
        archive.close()


if __name__ == "__main__":
    main()
