"""The only writer of build/site: releases written beside it, unchanged files linked, one atomic switch.

    build/site -> releases/r000012     a symbolic link, replaced in one rename: readers see one or the other
    build/releases/r000012/            the web root of a release
    build/releases/r000012.json        its manifest: output path -> cache key, and what changed

A new release starts from the oldest release when its commit would prune that one anyway, or else
from the spare a long-lived caller made between changes (a linked copy of the live release), or else
empty: what it already holds with the right key stays, every other output whose key equals the key
of the same path in the live release is hard-linked from it, the rest are written. A failure before
the switch leaves the live release as it was; the newest ``keep`` releases stay for `sitegen rollback`.

Starting from the oldest release is what makes a publish cost what changed: a tree built from
nothing costs a folder per page (about 0.1 ms each on this kind of disk, 2 s at 20,000 pages),
while the oldest release differs from the new one only by the edits of the last ``keep`` publishes.
Files are never written in place there: each changed one is unlinked first, as its inode may be
shared with every other release.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .content import MAX_ATTACHMENT_BYTES
from .errors import OutputError
from .files import copy_regular

RELEASES = "releases"
RELEASE = re.compile(r"^r(\d{6})$")
LEFTOVER = re.compile(r"^\.[^/]+\.(?:tmp|staging|old)-(\d+)$")
SHOWN_CHANGES = 200      # changed URLs a manifest names; the counts are always whole
SPARE = ".spare"         # in the releases folder: make_spare()'s copy of the live release, with .spare.json


@dataclass(frozen=True)
class ReleaseInfo:
    id: str
    time: float              # seconds since the epoch
    pages: int
    files: int
    written: int
    linked: int
    removed: int
    changed: tuple[str, ...]     # output paths written or removed (at most SHOWN_CHANGES)
    held: tuple[str, ...]        # departments whose pages were kept from the previous release
    search: str | None           # the search index version built with it
    current: bool = False
    owners: tuple[tuple[str, str, int], ...] = ()    # (slug, name, pages), portal first


def releases_dir(out: Path) -> Path:
    """Where the releases of a web root live: beside it (build/site → build/releases; any other
    web root, such as --out public → public-releases, has its own)."""
    return out.parent / (RELEASES if out.name == "site" else f"{out.name}-{RELEASES}")


def live(out: Path) -> Path | None:
    """The release folder ``out`` points to, if it is a release."""
    try:
        target = (out.parent / os.readlink(out)).resolve()
    except OSError:
        return None
    return target if RELEASE.match(target.name) and target.parent == releases_dir(out).resolve() else None


def manifest(release: Path) -> dict[str, Any] | None:
    """A release's manifest, or None when it is missing or unreadable (then nothing is linked from it)."""
    try:
        data = json.loads(release.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("files"), dict) else None


def previous_keys(out: Path) -> dict[str, str]:
    """Output path -> key in the live release: the output cache."""
    release = live(out.absolute())
    data = manifest(release) if release else None
    return data["files"] if data else {}


class Release:
    """A release being written. ``commit()`` makes it live; leaving without it removes it."""

    previous_keys = staticmethod(previous_keys)

    def __init__(self, out: Path, keep: int = 10):
        self.out = out.absolute()
        self.dir = releases_dir(self.out)
        self.keep = keep
        try:
            self._lock = lock(self.out)
        except OSError as e:
            raise OutputError(f"could not start a release in {self.dir}: {e.strerror or e}") from e
        try:
            clean_leftovers(self.out)
            self.previous = live(self.out)
            old = manifest(self.previous) if self.previous else None
            self.old_keys: dict[str, str] = old["files"] if old else {}
            number = max((int(m.group(1)) for p in self.dir.iterdir() if (m := RELEASE.match(p.name))), default=0)
            self.id = f"r{number + 1:06d}"
            self.staging = self.dir / f".{self.id}.tmp-{os.getpid()}"
            self.present = self._recycle(keep)
        except OSError as e:
            os.close(self._lock)
            raise OutputError(f"could not start a release in {self.dir}: {e.strerror or e}") from e
        self.keys: dict[str, str] = {}
        self.written = self.linked = 0
        self._staging = os.fspath(self.staging)
        self._previous = os.fspath(self.previous) if self.previous else ""
        self._made: set[str] = {self._staging}

    def _recycle(self, keep: int) -> dict[str, str]:
        """Make the staging folder: the oldest release when this commit would prune it, else the
        spare (make_spare()), else a new one. Returns what the staging holds (output path -> key)."""
        due = _due(self.dir, self.previous, keep)
        if due:
            # A spare made while ``keep`` was higher would never be used, and it keeps old files alive.
            (self.dir / f"{SPARE}.json").unlink(missing_ok=True)
            shutil.rmtree(self.dir / SPARE, ignore_errors=True)
        start = self.dir / (due[0] if due else SPARE)
        data = manifest(start)
        if data is None:
            self.staging.mkdir()
            return {}
        # The manifest goes first: a release folder without one is a leftover to clean, so a build
        # that dies from here on loses only the release its commit was going to prune (or the spare).
        start.with_suffix(".json").unlink()
        os.rename(start, self.staging)
        return data["files"]

    def __enter__(self) -> Release:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)    # gone already after a commit
        os.close(self._lock)

    def unchanged(self, path: str, key: str) -> bool:
        """Keep ``path`` when the staging already holds it with this key, or link it from the live
        release when its key is the same there; False when it must be written."""
        if self.present.get(path) == key:
            self.keys[path] = key
            self.linked += 1
            return True
        if self.previous is None or self.old_keys.get(path) != key:
            return False
        target = self._target(path)
        source = os.path.join(self._previous, path)
        try:
            os.link(source, target)
        except FileNotFoundError:
            return False
        except OSError as e:
            if e.errno not in (18, 31, 38, 95):     # EXDEV, EMLINK, ENOSYS, EOPNOTSUPP: copy instead
                raise self._error(path, e) from e
            shutil.copyfile(source, target)
        self.present.pop(path, None)        # the recycled release's version of it is gone
        self.keys[path] = key
        self.linked += 1
        return True

    def put(self, path: str, data: bytes) -> None:
        """Write one output's bytes into the staging folder. A forked render worker calls this on its
        own copy of the release, so the parent is never handed the bytes: it calls ``wrote()``."""
        target = self._target(path)
        try:
            # os.open, not open(): no buffered file object for one write, 20,000 times a cold build.
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
        except OSError as e:
            raise self._error(path, e) from e

    def wrote(self, path: str, key: str) -> None:
        """Record an output ``put()`` wrote, perhaps in another process (or ``copy()`` did): the
        recycled release's version of it is gone."""
        self.present.pop(path, None)
        self.keys[path] = key
        self.written += 1

    def copy(self, path: str, key: str, source: Path) -> None:
        """Publish a file as it is: a regular file only, never through a link, within the size bound."""
        target = self._target(path)
        try:
            copy_regular(source, target, MAX_ATTACHMENT_BYTES)
        except OSError as e:
            raise self._error(path, e) from e
        self.wrote(path, key)

    def commit(self, owners: tuple[tuple[str, str, int], ...], held: tuple[str, ...] = (),
               inputs: str = "", due: datetime | None = None) -> ReleaseInfo:
        """Write the manifest, move the release into place and switch ``out`` to it in one rename.

        ``due`` is when the first page the build left for later comes due: a build then is not a no-op."""
        try:
            for path in self.present.keys() - self.keys.keys():
                self._remove(path)
        except OSError as e:
            raise OutputError(f"could not publish {self.out}: {e.strerror or e}") from e
        changed = sorted(p for p, k in self.keys.items() if self.old_keys.get(p) != k)
        removed = sorted(set(self.old_keys) - set(self.keys))
        info = ReleaseInfo(self.id, time.time(), sum(n for _, _, n in owners), len(self.keys), self.written,
                           self.linked, len(removed), tuple((changed + removed)[:SHOWN_CHANGES]), held, None, True,
                           owners)
        final = self.dir / self.id
        try:
            _write_json(final.with_suffix(".json"), _record(info, self.keys, inputs, due))
            os.rename(self.staging, final)
            switch(self.out, final)
        except OSError as e:
            final.with_suffix(".json").unlink(missing_ok=True)
            raise OutputError(f"could not publish {self.out}: {e.strerror or e}") from e
        prune(self.out, self.keep)
        self.info = info
        return info

    def set_search(self, version: str | None) -> None:
        """Record which search index version this release was built with (a rollback brings it back)."""
        path = self.dir / f"{self.id}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data["search"] = version
        _write_json(path, data)

    def _target(self, path: str) -> str:
        # Strings, not Paths: this runs for every output of every release, most of them links.
        target = os.path.join(self._staging, path)
        parent = os.path.dirname(target)
        if parent not in self._made:
            _folder(parent)
            self._made.add(parent)
        if path in self.present:
            # Another release's version, perhaps the very inode it serves (gone already if someone
            # deleted it by hand: the manifest is what the build trusts, never the files' contents).
            try:
                os.unlink(target)
            except FileNotFoundError:
                pass
        return target

    def _remove(self, path: str) -> None:
        """Delete a file the recycled release had and this one has not, and the folders it leaves empty."""
        try:
            os.unlink(os.path.join(self._staging, path))
        except FileNotFoundError:
            pass
        folder = os.path.dirname(path)
        while folder:
            try:
                os.rmdir(os.path.join(self._staging, folder))
            except OSError:
                return      # not empty: something of this release is still in it
            folder = os.path.dirname(folder)

    def _error(self, path: str, e: OSError) -> OutputError:
        return OutputError(f"could not write {self.out / path}: {e.strerror or e}")


def _folder(path: str) -> None:
    """Make a folder for outputs, and its parents when missing: one system call in the usual case,
    as most outputs are a page's index.html in a folder of its own."""
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(path, exist_ok=True)


def lock(out: Path) -> int:
    """Wait for, then hold, the right to change ``out``'s releases; closing the returned descriptor
    (or the process ending, however it ends) lets the next build or rollback in. Two builds at once
    would take the same release number and the same oldest release."""
    folder = releases_dir(out)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        os.close(fd)
        raise
    return fd


def switch(out: Path, release: Path) -> None:
    """Point ``out`` at ``release`` in one rename (a real folder left by an older sitegen is retired)."""
    temporary = out.with_name(f".{out.name}.link.tmp-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    os.symlink(os.path.relpath(release, out.parent), temporary)
    if out.is_dir() and not out.is_symlink():
        retired = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.rename(out, retired)
        os.replace(temporary, out)
        shutil.rmtree(retired, ignore_errors=True)
        return
    os.replace(temporary, out)


def releases(out: Path) -> tuple[ReleaseInfo, ...]:
    """Every kept release, oldest first."""
    out = out.absolute()
    current = live(out)
    found = []
    folder = releases_dir(out)
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if RELEASE.match(path.name) and path.is_dir():
            data = manifest(path)
            if data is not None:
                found.append(_info(data, path == current))
    return tuple(found)


def note_inputs(out: Path, inputs: str) -> None:
    """Record in the live release that these inputs make it (a build that changed nothing)."""
    release = live(out)
    data = manifest(release) if release else None
    if data is not None and release is not None and data.get("inputs") != inputs:
        data["inputs"] = inputs
        _write_json(release.with_suffix(".json"), data)


def prune(out: Path, keep: int) -> None:
    """Remove all but the newest ``keep`` releases; the live one always stays."""
    current = live(out)
    folder = releases_dir(out)
    kept = _kept(folder)
    for name in kept[:-keep] if keep else kept:
        path = folder / name
        if path != current:
            path.with_suffix(".json").unlink(missing_ok=True)
            shutil.rmtree(path, ignore_errors=True)


def make_spare(out: Path, keep: int) -> bool:
    """Ready the folder the next release starts from while nothing else runs: a copy of the live
    release, every file hard-linked, with its manifest. Returns whether it made one.

    Until ``keep`` releases exist, no release is due to be pruned and recycled, so each new one
    would start empty and link every unchanged file on the way to its switch (0.35 s at 20,000
    pages). A long-lived caller (`sitegen build --watch`) makes the spare between changes instead.
    Any spare is correct, however old: its manifest says what it holds, and the release brings it
    up to date as it would the oldest release.
    """
    out = out.absolute()
    folder = releases_dir(out)
    held = lock(out)
    try:
        current = live(out)
        data = manifest(current) if current else None
        if current is None or data is None or _due(folder, current, keep) or (folder / SPARE).exists():
            return False
        making = folder / f"{SPARE}.tmp-{os.getpid()}"
        source, target = os.fspath(current), os.fspath(making)
        made = {target}
        try:
            os.mkdir(target)
            for path in data["files"]:
                link = os.path.join(target, path)
                parent = os.path.dirname(link)
                if parent not in made:
                    _folder(parent)
                    made.add(parent)
                os.link(os.path.join(source, path), link)
            os.rename(making, folder / SPARE)
            _write_json(folder / f"{SPARE}.json", {"files": data["files"]})
        except BaseException as e:
            # A file system without hard links, a full disk, a release changed by hand, Ctrl+C: no
            # spare (what is there now is this one's), and the next release starts empty as it always could.
            shutil.rmtree(making, ignore_errors=True)
            shutil.rmtree(folder / SPARE, ignore_errors=True)
            if isinstance(e, OSError):
                return False
            raise
        return True
    finally:
        os.close(held)


def _due(folder: Path, live_release: Path | None, keep: int) -> list[str]:
    """The releases the next commit will prune, oldest first (never the live one)."""
    kept = _kept(folder)
    return [name for name in kept[:max(0, len(kept) + 1 - keep)] if live_release is None or name != live_release.name]


def _kept(folder: Path) -> list[str]:
    """The names of the releases in ``folder`` (those with a manifest), oldest first; by name only,
    as each manifest lists every output and reading ten of them costs a good part of a publish."""
    try:
        names = {entry.name for entry in os.scandir(folder)}
    except OSError:
        return []
    return sorted(n for n in names if RELEASE.match(n) and f"{n}.json" in names)


def clean_leftovers(out: Path) -> None:
    """Staging and retired folders of builds that died (kill -9, power loss) go; a running build's stay."""
    for folder in (out.parent, releases_dir(out)):
        for path in folder.iterdir() if folder.is_dir() else ():
            m = LEFTOVER.match(path.name)
            if m and not _alive(int(m.group(1))):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        # A release folder without its manifest was never switched to: a build died before committing
        # (or, for the spare, before taking it).
        if folder == releases_dir(out):
            for path in folder.iterdir() if folder.is_dir() else ():
                if (RELEASE.match(path.name) or path.name == SPARE) and not path.with_suffix(".json").exists():
                    shutil.rmtree(path, ignore_errors=True)
            spare = folder / SPARE
            if not spare.is_dir():
                spare.with_suffix(".json").unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _record(info: ReleaseInfo, keys: dict[str, str], inputs: str, due: datetime | None) -> dict[str, Any]:
    return {"id": info.id, "time": info.time, "pages": info.pages, "written": info.written, "linked": info.linked,
            "removed": info.removed, "changed": list(info.changed), "held": list(info.held), "search": info.search,
            "owners": [list(o) for o in info.owners], "inputs": inputs, "due": due.isoformat() if due else None,
            "files": keys}


def _info(data: dict[str, Any], current: bool) -> ReleaseInfo:
    return ReleaseInfo(data["id"], data["time"], data["pages"], len(data["files"]), data["written"], data["linked"],
                       data["removed"], tuple(data["changed"]), tuple(data["held"]), data.get("search"), current,
                       tuple((o[0], o[1], o[2]) for o in data.get("owners", ())))


def _write_json(path: Path, data: Any) -> None:
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, path)


# The preview's record of keys is rewritten by its build and by a glance, from two threads of the server.
_RECORD = threading.Lock()


class Preview:
    """The preview server's web root, updated in place: changed files replaced one by one, removed
    files deleted. Fast, and never a publish: it keeps no releases and offers no rollback."""

    def __init__(self, out: Path, keep: int = 0):
        self.out = out.absolute()
        self.record = self.out.with_name(f"{self.out.name}.json")
        self.old_keys = self.previous_keys(self.out)
        self.keys: dict[str, str] = {}
        self.written = self.linked = 0
        self._out = os.fspath(self.out)
        self._made: set[Path] = set()
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"could not write {self.out}: {e.strerror or e}") from e

    @staticmethod
    def previous_keys(out: Path) -> dict[str, str]:
        try:
            data = json.loads(out.absolute().with_name(f"{out.name}.json").read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    @staticmethod
    def glance(out: Path, pages: list[tuple[str, bytes]]) -> None:
        """Replace pages ahead of the build (the preview's glance), and forget their keys, so that
        the build that follows writes each as it should be, whatever the glance showed."""
        out = out.absolute()
        for path, data in pages:
            target = out / path
            temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}-glance")
            try:
                temporary.write_bytes(data)
                os.replace(temporary, target)
            except OSError as e:
                temporary.unlink(missing_ok=True)
                raise OutputError(f"could not write {target}: {e.strerror or e}") from e
        with _RECORD:
            keys = Preview.previous_keys(out)
            if any(path in keys for path, _ in pages):
                for path, _ in pages:
                    keys.pop(path, None)
                _write_json(out.with_name(f"{out.name}.json"), keys)

    def __enter__(self) -> Preview:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def unchanged(self, path: str, key: str) -> bool:
        if self.old_keys.get(path) == key and os.path.isfile(os.path.join(self._out, path)):
            self.keys[path] = key
            self.linked += 1
            return True
        return False

    def put(self, path: str, data: bytes) -> None:
        target = self._target(path)
        temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        try:
            temporary.write_bytes(data)
            os.replace(temporary, target)     # a browser reading it sees the old page or the new one
        except OSError as e:
            temporary.unlink(missing_ok=True)
            raise OutputError(f"could not write {target}: {e.strerror or e}") from e

    def wrote(self, path: str, key: str) -> None:
        self.keys[path] = key
        self.written += 1

    def copy(self, path: str, key: str, source: Path) -> None:
        target = self._target(path)
        temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        try:
            copy_regular(source, temporary, MAX_ATTACHMENT_BYTES)
            os.replace(temporary, target)
        except OSError as e:
            temporary.unlink(missing_ok=True)
            raise OutputError(f"could not write {target}: {e.strerror or e}") from e
        self.wrote(path, key)

    def commit(self, owners: tuple[tuple[str, str, int], ...], held: tuple[str, ...] = (),
               inputs: str = "", due: datetime | None = None) -> ReleaseInfo:
        removed = sorted(set(self.old_keys) - set(self.keys))
        for path in removed:
            (self.out / path).unlink(missing_ok=True)
            try:
                os.removedirs((self.out / path).parent)    # up to the first folder that still holds something
            except OSError:
                pass
        with _RECORD:
            _write_json(self.record, self.keys)
        changed = sorted(p for p, k in self.keys.items() if self.old_keys.get(p) != k)
        return ReleaseInfo("preview", time.time(), sum(n for _, _, n in owners), len(self.keys), self.written,
                           self.linked, len(removed), tuple((changed + removed)[:SHOWN_CHANGES]), held, None, True,
                           owners)

    def set_search(self, version: str | None) -> None:
        pass

    def _target(self, path: str) -> Path:
        target = self.out / path
        if target.parent not in self._made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(target.parent)
        return target

