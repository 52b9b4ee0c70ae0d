"""The `sitegen` command: the only place that prints or exits."""

from __future__ import annotations

import gc
import os
import sys
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Callable

import click

from .build import BuildReport, build
from .errors import BuildFailed, OutputError, errors_in
from .model import china_now
from .scaffold import ScaffoldError, new_department, new_page

PROGRESS_FROM = 1000   # pages; smaller builds finish before a bar would help

root_option = click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
                           show_default=True, help="The site: the folder holding site.yaml.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sitegen")
def main() -> None:
    """Build a government website cluster: the portal and every department's sub-site."""


def run() -> None:
    """The `sitegen` command as installed: main(), then an exit that frees nothing.

    A build holds its whole cluster in memory until it returns; the interpreter freeing those
    objects one by one as it shuts down took 2 s at 20,000 pages, after the work was done and
    said. Output is flushed first; the pools, files and databases are closed by then.
    """
    try:
        main()
        code: int | str | None = 0
    except SystemExit as e:     # click ends every command so, with its exit status
        code = e.code if isinstance(e.code, (int, str)) else None
    if isinstance(code, str):
        click.echo(code, err=True)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:     # `sitegen releases | head`: the reader has gone; nothing to tell it
        pass
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)


@main.command("build")
@root_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Web root to publish into.  [default: ROOT/build/site]")
@click.option("--assign", "assign_numbers", is_flag=True,
              help="First give new disclosure items their 索引号 (as `sitegen disclosure assign`).")
@click.option("--keep-going", is_flag=True,
              help="Publish every department without errors; keep those with errors as the live release has them.")
@click.option("--watch", is_flag=True,
              help="Keep running: publish a new release whenever the sources change (Ctrl+C to stop).")
def build_command(root: Path, out: Path | None, assign_numbers: bool, keep_going: bool, watch: bool) -> None:
    """Validate everything, then publish the site as a new release of the web root.

    Only outputs that changed are rendered and written; the rest are linked from the live
    release, and the web root switches to the new release in one step. Nothing is published
    unless the build succeeds (with --keep-going: unless the cluster-wide files are sound).
    A disclosure item without a 索引号 fails the build unless --assign is given.

    With --watch the command stays, watches the sources as `sitegen serve` does and publishes
    after every burst of changes; it keeps what it read, so an edit to a page's text is live in
    a fraction of a second however large the cluster.
    """
    if assign_numbers:
        _assigned(root, repair=False, out=out)
    if watch:
        _watch(root, out, keep_going)
        return
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if total < PROGRESS_FROM:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="rendering", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done == total:
            bar.__exit__(None, None, None)

    # The command ends once the build is said (run()). With the collector back on, the first
    # collection after the build would walk the millions of objects it made: 0.3 s at 20,000 pages,
    # to free nothing the exit does not.
    gc.disable()
    try:
        report = build(root, out, progress, keep_going=keep_going)
    except BuildFailed as e:
        _problems(e)
        sys.exit(1)
    except OutputError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    _summary(report, root)


def _watch(root: Path, out: Path | None, keep_going: bool) -> None:
    from .watch import watch

    def line(result: BuildReport) -> str:
        stages = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in result.timings)
        if result.release is None:
            return f"nothing changed: {result.total_pages} pages in {result.out}"
        r = result.release
        return (f"release {r.id} is live: {result.total_pages} pages, {result.rendered} rendered, {r.written} written, "
                f"{r.linked} unchanged, {r.removed} removed in {result.seconds:.2f}s ({stages})")

    click.echo(f"Watching {root.resolve()}: a new release after every change (Ctrl+C to stop)")
    watch(root, out, _stamped("build failed; the live release stays", line), keep_going=keep_going)


def _stamped(failed: str, line: Callable[[BuildReport], str]) -> Callable[[BuildReport | Exception], None]:
    """What a command that keeps running (serve, build --watch) prints after each build, timed."""

    def report(result: BuildReport | Exception) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        if isinstance(result, BuildFailed):
            click.echo(f"[{stamp}] {failed}", err=True)
            _problems(result)
        elif isinstance(result, Exception):
            click.echo(f"[{stamp}] error: {result}", err=True)
        else:
            click.echo(f"[{stamp}] {line(result)}")
            for w in result.warnings:
                click.echo(f"  {w}", err=True)
            for slug, problems in result.held:
                click.echo(f"  held back {slug}: its last good pages stay; fix:", err=True)
                for p in problems:
                    click.echo(f"    {p}", err=True)
    return report


out_option = click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
                          help="The web root.  [default: ROOT/build/site]")


@main.command("releases")
@root_option
@out_option
def releases_command(root: Path, out: Path | None) -> None:
    """List the kept releases of the web root: when, how many pages, what changed."""
    from .output import releases

    kept = releases(out or root / "build" / "site")
    if not kept:
        click.echo("no releases yet: `sitegen build` makes the first")
        return
    for r in kept:
        when = datetime.fromtimestamp(r.time).strftime("%Y-%m-%d %H:%M:%S")
        held = f"  held back: {', '.join(r.held)}" if r.held else ""
        click.echo(f"{'*' if r.current else ' '} {r.id}  {when}  {r.pages:>6} pages  {r.files:>6} files  "
                   f"{r.written} written, {r.linked} unchanged, {r.removed} removed{held}")
        for path in r.changed[:5]:
            click.echo(f"      {path}")
        if r.written + r.removed > 5:
            click.echo(f"      … {r.written + r.removed - 5} more")
    click.echo("* the live release")


@main.command("rollback")
@root_option
@out_option
@click.argument("release", required=False)
def rollback_command(root: Path, out: Path | None, release: str | None) -> None:
    """Make RELEASE (default: the one before the live one) live again, with its search index."""
    from .build import rollback

    try:
        info, index_back = rollback(out or root / "build" / "site", release)
    except OutputError as e:
        raise click.ClickException(str(e)) from None
    when = datetime.fromtimestamp(info.time).strftime("%Y-%m-%d %H:%M:%S")
    click.echo(f"{info.id} (built {when}, {info.pages} pages) is live again"
               + ("" if index_back else "; its search index is no longer kept, so search answers from the newest"))


@main.command()
@root_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to build the preview into.  [default: ROOT/build/preview]")
def serve(root: Path, host: str, port: int, out: Path | None) -> None:
    """Build, serve on HOST:PORT, and rebuild and reload the browser on every change.

    Watches site.yaml, departments/, content/, themes/, templates/ and static/; a burst of saves
    is one rebuild, and only what changed is rendered again. A department with problems keeps
    its last good pages, with the problems shown on top of every page and in this terminal.
    The preview is its own folder: it never publishes (`sitegen build` does).
    """
    from .serve import serve as run

    def line(result: BuildReport) -> str:
        changed = f"{result.release.written} changed" if result.release else "nothing changed"
        return f"built {result.total_pages} pages in {result.seconds:.2f}s ({changed})"

    report = _stamped("build failed; still serving the last good site", line)

    from .letters.store import StoreError

    click.echo(f"Serving {root.resolve()} on http://{host}:{port}/  (Ctrl+C to stop)")
    try:
        run(root, host, port, out, report)
    except StoreError as e:
        raise click.ClickException(f"the letters store: {e}") from None


@main.group()
def new() -> None:
    """Scaffold a page or a department."""


@new.command("page")
@root_option
@click.option("--department", "-d", required=True, help="Department slug (or 'portal').")
@click.option("--column", "-c", required=True, help="Column slug, as declared for the department.")
@click.option("--slug", default=None, help="File name without .md.  [default: today's date and a number]")
@click.option("--topic", default=None, help="主题分类, for a disclosure column (a name from site.yaml).")
@click.option("--genre", default=None, help="体裁分类, for a disclosure column (a name from site.yaml).")
@click.argument("title")
def new_page_command(root: Path, department: str, column: str, slug: str | None, topic: str | None,
                     genre: str | None, title: str) -> None:
    """Create content/DEPARTMENT/COLUMN/<slug>.md titled TITLE, dated now."""
    try:
        path = new_page(root, department, column, title, china_now(), slug, topic, genre)
    except ScaffoldError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"created {path.relative_to(root) if not path.is_absolute() else path}")
    if "disclosure:" in path.read_text(encoding="utf-8"):
        click.echo("It is a 政府信息公开 item: `sitegen disclosure assign` gives it its 索引号.")


@new.command("department")
@root_option
@click.argument("slug")
@click.option("--name", prompt="部门全称 (name)", help="Full name, e.g. 临江市交通运输局.")
@click.option("--short-name", prompt="部门简称 (short name)", help="Short name, e.g. 市交通运输局.")
@click.option("--code", prompt="统一社会信用代码 (18 characters)", help="18-character unified social credit code.")
def new_department_command(root: Path, slug: str, name: str, short_name: str, code: str) -> None:
    """Create departments/SLUG.yaml and a content folder for each of its columns."""
    try:
        made = new_department(root, slug, name, short_name, code)
    except ScaffoldError as e:
        raise click.ClickException(str(e)) from None
    for path in made:
        click.echo(f"created {path}")
    click.echo("Edit the YAML (contact, columns, accent), then run: sitegen build")


@main.group()
def disclosure() -> None:
    """政府信息公开: assign 索引号, repair conflicts, report on interpretations."""


@disclosure.command("assign")
@root_option
def assign_command(root: Path) -> None:
    """Give each disclosure item without a 索引号 the next number of its department and year.

    Numbers are recorded in content/<dept>/xxgk/index-numbers.tsv and never change or get reused.
    """
    _assigned(root, repair=False)


@disclosure.command("repair")
@root_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The published web root, to tell which page a contested number was published for.  "
                   "[default: ROOT/build/site]")
def repair_command(root: Path, out: Path | None) -> None:
    """Resolve 索引号 conflicts without touching published numbers.

    A number edited by hand gets its recorded number back; of two pages showing one number
    (two branches merged), the published one keeps it and the other gets a new number.
    """
    _assigned(root, repair=True, out=out)


@disclosure.command("report")
@root_option
def report_command(root: Path) -> None:
    """Per department: policies without an interpretation, and the share that have one (解读比例)."""
    from .assemble import assemble
    from .load import load
    from .disclosure import interpretation_coverage

    records, problems = load(root.resolve())
    if records is None:
        _problems(BuildFailed(problems))
        sys.exit(1)
    cluster, found = assemble(records)
    if errors_in(problems + found):
        _problems(BuildFailed(problems + found))
        sys.exit(1)
    policies = interpreted = 0
    for c in interpretation_coverage(cluster):
        policies, interpreted = policies + c.policies, interpreted + c.interpreted
        click.echo(f"{c.department}（{c.owner}）：政策文件 {c.policies} 件，已解读 {c.interpreted} 件，"
                   f"解读比例 {c.share:.0%}")
        for page in c.missing:
            click.echo(f"  未解读  {page.date:%Y-%m-%d}  {page.title}  {page.source}")
    share = interpreted / policies if policies else 1.0
    click.echo(f"全市：政策文件 {policies} 件，已解读 {interpreted} 件，解读比例 {share:.0%}")


def _assigned(root: Path, repair: bool, out: Path | None = None) -> None:
    from .build import assign
    from .ledger import LedgerError

    try:
        plan = assign(root, repair, out)
    except BuildFailed as e:
        _problems(e, published=False)
        sys.exit(1)
    except LedgerError as e:
        raise click.ClickException(str(e)) from None
    for c in plan.changes:
        click.echo(f"{c.source}: 索引号 {c.new}" + (f" (was {c.old})" if c.old else ""))
    if plan.moved:
        click.echo(f"updated {plan.moved} ledger line{'s' if plan.moved != 1 else ''} for moved pages")
    click.echo(f"{len(plan.changes)} number{'s' if len(plan.changes) != 1 else ''} written"
               if plan.changes else "every item already has its number")


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        # The whole day counts: an item dated that day at 17:00 is due on it.
        return datetime.strptime(value, "%Y-%m-%d").replace(hour=23, minute=59)
    except ValueError:
        raise click.BadParameter(f"expected a date as YYYY-MM-DD (such as 2026-11-30), found '{value}'") from None


@main.command("check")
@root_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The built web root to read.  [default: ROOT/build/site]")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True,
              help="text and json go to stdout; html writes the scorecard to --report.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where the HTML scorecard goes, outside the web root.  [default: ROOT/build/reports/check.html]")
@click.option("--strict", is_flag=True, help="Exit with status 1 when any finding is a veto (单项否决), for CI.")
@click.option("--as-of", "as_of", callback=_as_of, metavar="YYYY-MM-DD",
              help="Check as of the end of that day (China time).  [default: now]")
@click.option("--external", is_flag=True, help="Also check links to other sites (cached for 7 days in "
              "ROOT/build/reports/links.json).")
def check_command(root: Path, out: Path | None, fmt: str, report: Path | None, strict: bool,
                  as_of: datetime | None, external: bool) -> None:
    """Check the site against the national inspection rules before the inspectors do.

    Reads the sources and the built web root (run `sitegen build` first); renders nothing.
    Each finding names its rule, level (单项否决 / 扣分 / 预警), threshold, department, column,
    file and line, and what to do. Thresholds for early warnings are in site.yaml's check block.
    """
    from . import check
    from .check import cluster as clusters
    from .check import report as reports

    root = root.resolve()
    named = (out or root / "build" / "site").absolute()     # as the admin knows it: build/site
    web_root = named.resolve()                               # the live release it links to
    when = as_of or china_now()
    cluster, later, problems = clusters.load(root, when)
    if cluster is None or errors_in(problems):
        _problems(BuildFailed(problems), published=False)
        sys.exit(1)
    cache = root / "build" / "reports" / "links.json" if external else None
    findings = check.run(cluster, web_root, when, root=root, scheduled=later, external_cache=cache)
    if fmt == "text":
        click.echo(reports.to_text(cluster, findings, when))
    elif fmt == "json":
        click.echo(reports.to_json(cluster, findings, when))
    else:
        path = (report or root / "build" / "reports" / "check.html").resolve()
        if path.is_relative_to(web_root):
            raise click.ClickException(f"the report {named / path.relative_to(web_root)} would be published: "
                                       f"write it outside {named}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(reports.to_html(cluster, findings, when), encoding="utf-8")
        click.echo(f"wrote {path}")
    if strict and any(f.level == "veto" for f in findings):
        sys.exit(1)


@main.group()
def search() -> None:
    """The cluster-wide search service (the index is written by `sitegen build`)."""


@search.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("build/search"),
              show_default=True, help="The index folder that `sitegen build` writes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
def search_serve(host: str, port: int, index_dir: Path, threads: int) -> None:
    """Answer /search/ (results page) and /search/api (JSON) on HOST:PORT, with waitress.

    Put it behind the web server that serves build/site (see deploy/nginx.conf). A new build
    is picked up at the next request, without a restart.
    """
    from .search.index import current_version
    from .search.server import serve
    from .search.service import SearchService

    index_dir = index_dir.resolve()
    if current_version(index_dir) is None:
        click.echo(f"warning: no index in {index_dir} yet; searches answer 503 until `sitegen build` writes one",
                   err=True)
    click.echo(f"Search service for {index_dir} on http://{host}:{port}/search/  (Ctrl+C to stop)")
    serve(SearchService(index_dir), host, port, threads)

@main.group("rights")
def rights_group() -> None:
    """Department rights: who may change which folder (CODEOWNERS, and a check for CI and git hooks)."""


@rights_group.command("codeowners")
@root_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the file here (such as CODEOWNERS) instead of printing it.")
def codeowners_command(root: Path, out: Path | None) -> None:
    """Print a CODEOWNERS file (GitHub, GitLab, Gitea) made from site.yaml and departments/*.yaml."""
    from .config import load_departments, load_site
    from .rights import codeowners, problems, rights_of

    site, found = load_site(root)
    departments, files, more = load_departments(root)
    found += more + (problems(site, departments, files) if site else [])
    if site is None or errors_in(found):
        _problems(BuildFailed(found), published=False)
        sys.exit(1)
    text = codeowners(rights_of(site.rights, {slug: d.editors for slug, d in departments.items()}))
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}")


@rights_group.command("check")
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="The git repository (a work tree or a bare repository).")
@click.argument("base")
@click.argument("head")
def rights_check_command(repo: Path, base: str, head: str) -> None:
    """Check every commit in BASE..HEAD: each changed path must be its author's to change.

    The rights are read from BASE, so a push cannot grant itself rights. Exits 1 naming each
    path, its commit and author, and who may change it.
    """
    from .rights import GitError, check

    try:
        found = check(repo, base, head)
    except GitError as e:
        raise click.ClickException(str(e)) from None
    for p in found:
        click.echo(str(p), err=True)
    if errors_in(found):
        click.echo(f"{len(errors_in(found))} change{'s' if len(errors_in(found)) != 1 else ''} refused", err=True)
        sys.exit(1)
    click.echo(f"every change in {base[:10]}..{head[:10]} is its author's to make")


@main.group()
def letters() -> None:
    """互动交流: the letters service, its staff accounts, and backups of the letters store.

    The store is $SITEGEN_LETTERS_DB (a file, or a postgresql:// DSN), or ROOT/build/letters.sqlite.
    """


def _letter_store(root: Path):
    from .letters import store_address
    from .letters.store import StoreError, open_store
    try:
        return open_store(store_address(root.resolve()))
    except StoreError as e:
        raise click.ClickException(str(e)) from None


@letters.command("serve")
@root_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8002, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--site", "web_root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The web root `sitegen build` publishes (for the themed frames).  [default: ROOT/build/site]")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
def letters_serve(root: Path, host: str, port: int, web_root: Path | None, threads: int) -> None:
    """Answer /letters/ (write, look up, staff) on HOST:PORT with waitress, behind nginx."""
    import waitress

    from .letters.app import LettersApp

    store = _letter_store(root)
    web_root = (web_root or root / "build" / "site").absolute()
    click.echo(f"Letters service on http://{host}:{port}/letters/ (store {store.safe_address()})  (Ctrl+C to stop)")
    # proxied: nginx in front gives the client's address in X-Forwarded-For (see deploy/nginx.conf).
    waitress.serve(LettersApp(store, web_root, proxied=True), host=host, port=port, threads=threads,
                   ident="sitegen-letters", _quiet=True, max_request_body_size=1024 * 1024)


@letters.group("user")
def letters_user() -> None:
    """Staff accounts: each answers one mailbox (a department, or portal for 市长信箱); admins all."""


@letters_user.command("add")
@root_option
@click.argument("name")
@click.option("--mailbox", help="The department slug (or portal) whose letters this person answers.")
@click.option("--admin", is_flag=True, help="Sees and answers every mailbox.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
def letters_user_add(root: Path, name: str, mailbox: str | None, admin: bool, password_stdin: bool) -> None:
    """Add a staff account NAME (or set its mailbox and password again)."""
    import re

    from .letters.security import hash_password
    from .letters.store import EVERY

    if not re.fullmatch(r"[A-Za-z0-9_.-]{2,40}", name):
        raise click.BadParameter("2 to 40 letters, digits, '.', '_' or '-'", param_hint="NAME")
    if admin == bool(mailbox):
        raise click.UsageError("give either --mailbox SLUG or --admin")
    if mailbox:
        from .config import load_departments
        specs, _, _ = load_departments(root)
        if mailbox != "portal" and mailbox not in specs:
            raise click.BadParameter(f"portal or a department slug ({', '.join(sorted(specs))}); found '{mailbox}'",
                                     param_hint="--mailbox")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else \
        click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 12:
        raise click.BadParameter("at least 12 characters", param_hint="password")
    store = _letter_store(root)
    store.add_user(name, EVERY if admin else mailbox, hash_password(password))
    click.echo(f"{name} answers {'every mailbox' if admin else mailbox}")


@letters_user.command("remove")
@root_option
@click.argument("name")
def letters_user_remove(root: Path, name: str) -> None:
    """Remove a staff account and end its sessions."""
    if not _letter_store(root).remove_user(name):
        raise click.ClickException(f"no staff account named {name}")
    click.echo(f"{name} removed")


@letters_user.command("list")
@root_option
def letters_user_list(root: Path) -> None:
    """Every staff account and its mailbox."""
    for user in _letter_store(root).users():
        click.echo(f"{user.name}\t{'(admin: every mailbox)' if user.admin else user.mailbox}")


@letters.command("export")
@root_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def letters_export(root: Path, file: Path) -> None:
    """Back up every letter, staff account and audit entry to FILE (JSON lines)."""
    import json

    rows = 0
    tmp = file.with_name(file.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for row in _letter_store(root).export():
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            rows += 1
    tmp.replace(file)
    click.echo(f"{rows} rows written to {file}")


@letters.command("import")
@root_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def letters_import(root: Path, file: Path) -> None:
    """Restore a backup from FILE into an empty store."""
    import json

    rows = []
    for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
        except ValueError:
            raise click.ClickException(f"{file}:{n}: not a JSON line of a letters export") from None
        if not isinstance(row, dict) or not isinstance(row.get("table"), str):
            raise click.ClickException(f"{file}:{n}: not a row of a letters export")
        rows.append(row)
    if not rows or rows[0] != {"table": "meta", "key": "format", "value": "sitegen-letters 1"}:
        raise click.ClickException(f"{file}:1: expected the header line of a letters export")
    store = _letter_store(root)
    try:
        count = store.import_rows(iter(rows[1:]))
    except store.errors() as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"{count} rows restored from {file}")


def _problems(e: BuildFailed, published: bool = True) -> None:
    errors = errors_in(e.problems)
    for p in e.problems:
        click.echo(str(p), err=True)
    click.echo(f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
               + ("; nothing was published (the previous site is unchanged)." if published else "; nothing was changed."),
               err=True)


def _summary(report: BuildReport, root: Path) -> None:
    for w in report.warnings:
        click.echo(str(w), err=True)
    for slug, problems in report.held:
        click.echo(f"held back {slug}: {len(problems)} problem{'s' if len(problems) != 1 else ''}; its pages stay "
                   "as the previous release had them:", err=True)
        for p in problems:
            click.echo(f"  {p}", err=True)
    width = max(_width(name) for _, name, _ in report.pages)
    for slug, name, count in report.pages:
        click.echo(f"  {name}{' ' * (width - _width(name))}  {slug:<10} {count:>6} pages")
    if report.search is not None:
        r = report.search
        how = "full index" if r.full else f"{r.added} added, {r.changed} changed, {r.removed} removed"
        click.echo(f"search index: {r.documents} pages ({how}) in {r.path}")
    stages = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in report.timings)
    if report.release is None:
        click.echo(f"nothing changed: {report.total_pages} pages ({report.files} files) in {report.out} as they were"
                   + (f" ({stages})" if stages else ""))
        return
    release = report.release
    click.echo(f"built {report.total_pages} pages ({report.files} files) in {report.seconds:.2f}s ({stages})")
    click.echo(f"release {release.id} is live at {report.out}: {report.rendered} rendered, {release.written} written, "
               f"{release.linked} unchanged, {release.removed} removed")


def _width(text: str) -> int:
    # CJK characters take two terminal columns; pad by display width so the table lines up.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


if __name__ == "__main__":  # pragma: no cover
    main()
