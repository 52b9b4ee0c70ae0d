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
def build_command(root: Path, out: Path | None) -> None:
    """Validate everything, then build the site into the web root.

    Nothing is published unless the whole build succeeds: a failed build leaves the
    previous web root exactly as it was.
    """
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
@click.argument("title")
def new_page_command(root: Path, department: str, column: str, slug: str | None, title: str) -> None:
    """Create content/DEPARTMENT/COLUMN/<slug>.md titled TITLE, dated now."""
    try:
        path = new_page(root, department, column, title, datetime.now().replace(second=0, microsecond=0), slug)
    except ScaffoldError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"created {path.relative_to(root) if not path.is_absolute() else path}")


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


def _problems(e: BuildFailed) -> None:
    errors = errors_in(e.problems)
    for p in e.problems:
        click.echo(str(p), err=True)
    click.echo(f"{len(errors)} problem{'s' if len(errors) != 1 else ''}; nothing was published "
               "(the previous site is unchanged).", err=True)


def _summary(report: BuildReport, root: Path) -> None:
    for w in report.warnings:
        click.echo(str(w), err=True)
    width = max(_width(name) for _, name, _ in report.pages)
    for slug, name, count in report.pages:
        click.echo(f"  {name}{' ' * (width - _width(name))}  {slug:<10} {count:>6} pages")
    stages = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in report.timings)
    rate = report.total_pages / report.seconds if report.seconds else 0
    click.echo(f"built {report.total_pages} pages ({report.files} files) into {report.out} "
               f"in {report.seconds:.2f}s ({rate:.0f} pages/s; {stages})")


def _width(text: str) -> int:
    # CJK characters take two terminal columns; pad by display width so the table lines up.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


if __name__ == "__main__":  # pragma: no cover
    main()
