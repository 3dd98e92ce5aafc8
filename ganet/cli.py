"""Command line: ``python -m ganet demo`` (the main job) and ``python -m ganet ga`` (§3.4 in 𝔾²)."""

import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="ganet", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the main demonstration")
    demo.add_argument("--png", default="ganet_demo.png", help="where to write the decision-region plot")
    sub.add_parser("ga", help="print the paper's §3.4 geometric-algebra worked example")
    args = parser.parse_args(argv)
    if args.command == "ga":
        from .worked_example import section_3_4_report

        print(section_3_4_report())
    elif args.command == "demo":
        from .demo import run

        run(png=args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
