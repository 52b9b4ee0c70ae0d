"""The `sitegen` command: the only place that prints or exits."""

from __future__ import annotations

import sys
import unicodedata
from datetime import datetime
from pathlib import Path

import click

from .build import BuildReport, build
from .errors import BuildFailed, OutputError, errors_in
from .scaffold import ScaffoldError, new_department, new_page

PROGRESS_FROM = 1000   # pages; smaller builds finish before a bar would help

root_option = click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
                           show_default=True, help="The site: the folder holding site.yaml.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sitegen")
def main() -> None:
    """Build a government website cluster: the portal and every department's sub-site."""


@main.command("build")
@root_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Web root to publish into.  [default: ROOT/build/site]")
@click.option("--assign", "assign_numbers", is_flag=True,
              help="First give new disclosure items their 索引号 (as `sitegen disclosure assign`).")
def build_command(root: Path, out: Path | None, assign_numbers: bool) -> None:
    """Validate everything, then build the site into the web root.

    Nothing is published unless the whole build succeeds: a failed build leaves the
    previous web root exactly as it was. A disclosure item without a 索引号 fails the
    build unless --assign is given.
    """
    if assign_numbers:
        _assigned(root, repair=False, out=out)
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

    try:
        report = build(root, out, progress)
    except BuildFailed as e:
        _problems(e)
        sys.exit(1)
    except OutputError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    _summary(report, root)


@main.command()
@root_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Web root to build into.  [default: ROOT/build/site]")
def serve(root: Path, host: str, port: int, out: Path | None) -> None:
    """Build, serve on HOST:PORT, and rebuild and reload the browser on every change.

    Watches site.yaml, departments/, content/ and themes/. A build with problems keeps the
    last good site on screen, with the problems shown on top of it and in this terminal.
    """
    from .serve import serve as run

    def report(result: BuildReport | Exception) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        if isinstance(result, BuildFailed):
            click.echo(f"[{stamp}] build failed; still serving the last good site", err=True)
            _problems(result)
        elif isinstance(result, Exception):
            click.echo(f"[{stamp}] error: {result}", err=True)
        else:
            click.echo(f"[{stamp}] built {result.total_pages} pages in {result.seconds:.2f}s")
            for w in result.warnings:
                click.echo(f"  {w}", err=True)

    click.echo(f"Serving {root.resolve()} on http://{host}:{port}/  (Ctrl+C to stop)")
    run(root, host, port, out, report)


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
        path = new_page(root, department, column, title, datetime.now().replace(second=0, microsecond=0), slug,
                        topic, genre)
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
    from .build import load
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
    width = max(_width(name) for _, name, _ in report.pages)
    for slug, name, count in report.pages:
        click.echo(f"  {name}{' ' * (width - _width(name))}  {slug:<10} {count:>6} pages")
    if report.search is not None:
        r = report.search
        how = "full index" if r.full else f"{r.added} added, {r.changed} changed, {r.removed} removed"
        click.echo(f"search index: {r.documents} pages ({how}) in {r.path}")
    stages = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in report.timings)
    rate = report.total_pages / report.seconds if report.seconds else 0
    click.echo(f"built {report.total_pages} pages ({report.files} files) into {report.out} "
               f"in {report.seconds:.2f}s ({rate:.0f} pages/s; {stages})")


def _width(text: str) -> int:
    # CJK characters take two terminal columns; pad by display width so the table lines up.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


if __name__ == "__main__":  # pragma: no cover
    main()
