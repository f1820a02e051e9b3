#!/usr/bin/env python3
"""The digest of digest.c, written again from its documented format with hashlib:
python3 test-digest.py DIR [DIR...] prints sha256:HEX, which must equal `cubicle-layer digest`."""
import hashlib
import os
import stat
import sys

TYPES = {stat.S_IFREG: b"f", stat.S_IFDIR: b"d", stat.S_IFLNK: b"l", stat.S_IFCHR: b"c",
         stat.S_IFBLK: b"b", stat.S_IFIFO: b"p", stat.S_IFSOCK: b"s"}


def field(value):
    return (value if isinstance(value, bytes) else str(value).encode()) + b"\0"


def xattrs(path):
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        names = []
    wanted = sorted(n.encode() for n in names if n.startswith(("user.", "trusted.overlay.")))
    out = field(len(wanted))
    for name in wanted:
        value = os.getxattr(path, name, follow_symlinks=False)
        out += field(name) + field(len(value)) + value
    return out


def walk(sha, index, root, relative):
    root = os.fsencode(root)
    directory = os.path.join(root, relative) if relative else root
    for name in sorted(os.listdir(directory)):
        rel = os.path.join(relative, name) if relative else name
        path = os.path.join(root, rel)
        st = os.lstat(path)
        kind = TYPES[stat.S_IFMT(st.st_mode)]
        sha.update(field(f"{index}/".encode() + rel) + field(kind) + field(format(st.st_mode & 0o7777, "o")))
        sha.update(field(st.st_uid) + field(st.st_gid))
        if kind == b"f":
            sha.update(field(st.st_size))
            with open(path, "rb") as f:
                sha.update(f.read())
        elif kind == b"l":
            sha.update(field(os.readlink(path)))
        elif kind in (b"c", b"b"):
            sha.update(field(f"{os.major(st.st_rdev)},{os.minor(st.st_rdev)}"))
        sha.update(xattrs(path))
        if kind == b"d":
            walk(sha, index, root, rel)


def main():
    sha = hashlib.sha256()
    for index, root in enumerate(sys.argv[1:]):
        walk(sha, index, root, b"")
    print("sha256:" + sha.hexdigest())


if __name__ == "__main__":
    main()
