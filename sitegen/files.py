"""The site's files on disk: regular files and folders only, read and copied within a bound.

An editor controls a folder of a repository the whole city builds from. A symbolic link, a named
pipe or a device committed there would make the build read (and publish) something outside that
folder, or never finish reading. So every file is opened without following links and without
blocking, checked to be a regular file on the opened descriptor, and read only up to its bound.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path
from typing import Iterator

from .errors import Problem, shown

# The trees sitegen reads, beside site.yaml: each is walked in full and may hold only regular
# files and folders. (The site root itself also holds build/, .git and the like: not read.)
TREES = ("content", "departments", "themes", "templates", "static")
REGULAR = "a regular file or folder (not a symbolic link, pipe or device: copy the file itself in)"
_OPEN = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 20
# C0 controls other than tab, newline and carriage return; DEL; C1 controls. Invisible in most
# editors, they end up in titles, feeds and file names that browsers and readers mangle.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def kind(mode: int) -> str | None:
    """What a special file is, in words; None for a regular file or a folder."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def special(path: Path, rel: str, mode: int) -> Problem:
    what = kind(mode) or "a special file"
    if stat.S_ISLNK(mode):
        try:
            what += f" to {shown(os.readlink(path))}"
        except OSError:
            pass
    return Problem(rel, None, "(file)", REGULAR, what)


def relative(path: Path, root: Path) -> str:
    """``path.relative_to(root).as_posix()`` for a path under ``root``, without pathlib's parsing
    (which was a tenth of the time it took to read a page)."""
    text, base = os.fspath(path), os.fspath(root)
    if text.startswith(base) and text[len(base):len(base) + 1] == os.sep:
        return text[len(base) + 1:].replace(os.sep, "/")
    return path.relative_to(root).as_posix()


def stat_line(st: os.stat_result) -> str:
    """What a build compares of a file or folder between builds: its kind ("d" or "f"), size, times and inode."""
    return f"{'d' if stat.S_ISDIR(st.st_mode) else 'f'}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}"


def stat_mtime(line: str) -> float:
    """The modification time, in seconds, that a stat_line() records."""
    return int(line.split("\0")[2]) / 1e9


def walk(top: Path) -> Iterator[os.DirEntry[str]]:
    """Every entry under ``top`` except folders, sorted, never following a link (iterative: no depth limit).

    Entries, not stats: whether an entry is a file, a folder or neither comes from the folder
    listing itself (no system call per file on the filesystems sitegen runs on), and a caller
    asks for the rest of a stat only where it needs it.
    """
    stack = [os.fspath(top)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(entry.path)
                    continue
            except OSError:
                continue
            yield entry
        stack.extend(reversed(subfolders))


def regular(entry: os.DirEntry[str]) -> bool:
    """A regular file, as walk() lists it (False too when it has gone meanwhile)."""
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def scan(root: Path) -> list[Problem]:
    """A problem for every special file in site.yaml's place and the trees sitegen reads."""
    problems = []
    for name in ("site.yaml",) + TREES:
        path = root / name
        try:
            st = path.lstat()
        except OSError:
            continue
        if kind(st.st_mode):
            problems.append(special(path, name, st.st_mode))
        elif stat.S_ISDIR(st.st_mode):
            for entry in walk(path):
                if not regular(entry):
                    try:
                        mode = entry.stat(follow_symlinks=False).st_mode
                    except OSError:
                        continue
                    sub = Path(entry.path)
                    problems.append(special(sub, sub.relative_to(root).as_posix(), mode))
    return problems


def read_bounded(path: Path, rel: str, limit: int) -> tuple[bytes | None, list[Problem]]:
    """A regular file's bytes, at most ``limit`` of them; a problem for anything else."""
    try:
        fd = os.open(path, _OPEN)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return None, [special(path, rel, stat.S_IFLNK)]
        return None, [Problem(rel, None, "(file)", "a readable file", e.strerror or str(e))]
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            return None, [Problem(rel, None, "(file)", "a file", "a folder")]
        if not stat.S_ISREG(st.st_mode):
            return None, [special(path, rel, st.st_mode)]
        if st.st_size > limit:
            return None, [_too_big(rel, limit, st.st_size)]
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:     # the file grew while it was read
            return None, [_too_big(rel, limit, total)]
        return b"".join(chunks), []
    except OSError as e:
        return None, [Problem(rel, None, "(file)", "a readable file", e.strerror or str(e))]
    finally:
        os.close(fd)


def _too_big(rel: str, limit: int, size: int) -> Problem:
    if limit > 4 * 2**20:
        return Problem(rel, None, "(file)", f"at most {limit // 2**20} MiB", f"{size // 2**20} MiB")
    return Problem(rel, None, "(file)", f"at most {limit // 1024} KiB", f"{size // 1024} KiB")


def copy_regular(source: Path, target: Path | str, limit: int) -> int:
    """Copy a regular file, never through a link, at most ``limit`` bytes; OSError otherwise.

    For the writer: the loader checked the file, and this keeps the copy to what was checked
    even if the path changed since (a link or a pipe put in its place, or the file grown).
    """
    fd = os.open(source, _OPEN)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, f"not a regular file ({kind(st.st_mode)})", str(source))
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
                      0o644)
        total = 0
        try:
            while chunk := os.read(fd, _CHUNK):
                total += len(chunk)
                if total > limit:
                    raise OSError(errno.EFBIG, f"larger than {limit} bytes", str(source))
                view = memoryview(chunk)
                while view:
                    view = view[os.write(out, view):]
        finally:
            os.close(out)
        return total
    finally:
        os.close(fd)


# ---------------------------------------------------------------- names of published files

# Names Windows reserves for devices, whatever the extension; characters Windows refuses in a
# name, and # and % that a URL reads as a fragment or an escape.
_DEVICES = re.compile(r"(?i)(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?")
_UNSAFE = re.compile(r'[<>:"\\|?*#%\x00-\x1f\x7f-\x9f]')
PORTABLE = ("a name Windows and every web server can serve (no < > : \" \\ | ? * # % or control characters, "
            "no dot or space at the end, not CON, PRN, AUX, NUL, COM1-9 or LPT1-9, at most 200 bytes)")


def unportable(name: str) -> str | None:
    """Why one path component cannot be published as it is, with a name to use instead; None if it can."""
    stem, dot, ext = name.partition(".")
    if _DEVICES.fullmatch(name):
        why, fix = "a device name on Windows", f"{stem}-1{dot}{ext}"
    elif unsafe := _UNSAFE.search(name):
        why, fix = f"the character {shown(unsafe.group())}", _UNSAFE.sub("-", name)
    elif name != name.rstrip(". ") or name != name.lstrip(" "):
        why, fix = "a dot or space at an end", name.strip(" ").rstrip(". ") or "file"
    elif len(name.encode()) > 200:
        why, fix = f"{len(name.encode())} bytes", name[:40] + (dot + name.rpartition(".")[2] if dot else "")
    else:
        return None
    return f"{shown(name)}, {why}: rename it, such as {shown(fix)}"


def published_names(files: dict[str, str]) -> list[Problem]:
    """Problems with the names of published files (URL -> source path): unportable, or equal but for case."""
    problems = []
    seen: dict[str, str] = {}
    for url, rel in sorted(files.items()):
        for part in url.strip("/").split("/"):
            why = unportable(part)
            if why:
                problems.append(Problem(rel, None, "(file name)", PORTABLE, why))
                break
        other = seen.setdefault(url.casefold(), rel)
        if other != rel:
            problems.append(Problem(rel, None, "(file name)", "a name that differs from every other published file "
                                    "in more than letter case (Windows and macOS keep one of the two)",
                                    f"{shown(rel.rpartition('/')[2])} beside {other}"))
    return problems
