"""``eventcoder labels check``: validate the taxonomy, actor dictionaries, phrasing banks and label files.

With no paths it checks the project's own ``labels/`` folder and requires the corpus minimums of
:class:`coder.labelset.Minimums`; with paths it checks those label files for consistency (what users run on
their own labels) and prints the same coverage table.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from coder.codebook import ActorCodebook
from coder.errors import CoderError
from coder.labelset import CheckReport, Minimums, check_files, shortfalls
from coder.phrasings import load_banks
from coder.resources import repo_root
from coder.taxonomy import CameoTaxonomy

MAX_PROBLEMS_SHOWN = 50


def run_check(paths: list[Path], actors: Path | None, minimums: bool, out: TextIO) -> bool:
    """Run every check, print findings and the coverage table; True when all pass."""
    ok = True
    taxonomy = CameoTaxonomy.load()
    counts = taxonomy.counts()
    print(
        f"taxonomy: {len(taxonomy)} codes ({counts['root']} root, {counts['base']} base, {counts['leaf']} leaf) ok",
        file=out,
    )
    codebook = ActorCodebook.load()
    if actors is not None:
        codebook.add_user_dictionary(actors)
    print(
        f"actors: {len(codebook.countries)} countries/regions, {len(codebook.groups)} groups, "
        f"{len(codebook.roles)} roles, {len(codebook.role_nouns)} role nouns, {len(codebook.seats)} seats, "
        f"{sum(len(v) for v in codebook.officials.values())} official names ok",
        file=out,
    )
    project = not paths
    if project:
        root = repo_root()
        if root is None:
            raise CoderError("no label files given and no source checkout found: pass label files or folders")
        paths = [root / "labels"]
        minimums = True
        banks = load_banks(root / "labels" / "corpus" / "phrasings", taxonomy)
        missing = [c.code for c in taxonomy if c.code not in banks]
        n = sum(len(v) for v in banks.values())
        print(
            f"phrasing banks: {len(banks)} codes, {n} phrasings" + (f"; missing {missing[:10]}" if missing else " ok"),
            file=out,
        )
        ok &= not missing
    report = check_files(paths, taxonomy, codebook)
    for p in report.problems[:MAX_PROBLEMS_SHOWN]:
        print(f"problem: {p}", file=out)
    if len(report.problems) > MAX_PROBLEMS_SHOWN:
        print(f"... and {len(report.problems) - MAX_PROBLEMS_SHOWN} more problems", file=out)
    ok &= not report.problems
    cov = report.coverage(taxonomy, codebook)
    print_coverage(cov, report, taxonomy, out)
    if minimums:
        short = shortfalls(cov, Minimums())
        for s in short:
            print(f"below minimum: {s}", file=out)
        ok &= not short
    print("labels check: " + ("passed" if ok else "FAILED"), file=out)
    return ok


def print_coverage(cov: dict, report: CheckReport, taxonomy: CameoTaxonomy, out: TextIO) -> None:
    """The coverage table: per root, sentences and the thinnest code; then totals and balance."""
    print(f"{'root':<5}{'name':<38}{'sentences':>10}{'codes':>7}{'min/code':>10}", file=out)
    for root in taxonomy.roots():
        codes = [c.code for c in taxonomy if c.root == root]
        least = min(cov["per_code"][c] for c in codes)
        print(f"{root:<5}{taxonomy[root].name[:36]:<38}{cov['per_root'][root]:>10}{len(codes):>7}{least:>10}", file=out)
    print(
        f"total: {cov['sentences']} sentences ({cov['handwritten']} hand-written, {cov['generated']} generated), "
        f"{cov['events']} events, {cov['no_event']} without event; hard cases {cov['hard_fraction']:.1%}; "
        f"{cov['countries']} countries, top {', '.join(f'{c} {n}' for c, n in cov['top_countries'])} "
        f"(max share {cov['max_country_share']:.1%})",
        file=out,
    )
    print(f"problems: {len(report.problems)}", file=out)
