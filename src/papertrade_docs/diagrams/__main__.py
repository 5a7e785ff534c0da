"""python -m papertrade_docs.diagrams --refresh | --check | --svg KEY (see __init__.py)."""

from __future__ import annotations

import argparse
import sys

from papertrade_docs.diagrams import diagram, lab_diagram_html
from papertrade_docs.diagrams import lab as labs
from papertrade_docs.diagrams.compose import (
    ROOT,
    STACKS,
    DiagramError,
    load_snapshot,
    snapshot_of,
    stack,
    staleness,
    write_snapshot,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m papertrade_docs.diagrams")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--refresh", action="store_true",
                        help="rewrite every stack's snapshot from `docker compose config`")
    action.add_argument("--check", action="store_true",
                        help="exit 1 when a snapshot no longer matches its Compose file")
    action.add_argument("--svg", metavar="KEY", choices=sorted(STACKS) + sorted(labs.LABS),
                        help="print the figure of one stack or lab, from its snapshot")
    options = parser.parse_args(argv)
    try:
        if options.refresh:
            for spec in STACKS.values():
                path = write_snapshot(spec, snapshot_of(spec))
                print(f"{path.relative_to(ROOT)}: {' + '.join(spec.files)} with {spec.env_file}")
            for lab in labs.LABS.values():
                path = labs.write_snapshot(lab, labs.snapshot_of(lab))
                print(f"{path.relative_to(ROOT)}: {lab.probes_file} and {lab.compose_file}")
            return 0
        if options.check:
            problems = [p for p in (staleness(spec) for spec in STACKS.values()) if p]
            problems += [p for p in (labs.staleness(lab) for lab in labs.LABS.values()) if p]
            for problem in problems:
                print(problem, file=sys.stderr)
            if not problems:
                print(f"{len(STACKS)} stack snapshots match their Compose files, "
                      f"{len(labs.LABS)} lab snapshot{'s' if len(labs.LABS) > 1 else ''} "
                      "its files")
            return 1 if problems else 0
        if options.svg in labs.LABS:
            lab = labs.lab(options.svg)
            print(lab_diagram_html(lab, labs.load_snapshot(lab)))
            return 0
        spec = stack(options.svg)
        print(diagram(spec, load_snapshot(spec)))
        return 0
    except DiagramError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
