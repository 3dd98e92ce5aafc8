"""Command line: ``python -m ganet demo`` (the main job) and ``python -m ganet ga``."""

import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="ganet", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="run the main demonstration")
    sub.add_parser("ga", help="print the paper's §3.4 geometric-algebra worked example")
    args = parser.parse_args(argv)
    if args.command in ("demo", "ga"):
        from .worked_example import section_3_4_report

        print(section_3_4_report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
