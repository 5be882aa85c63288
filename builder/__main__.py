import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the builder's modules load: nothing was written yet
    print("interrupted while starting; nothing was written", file=sys.stderr)
    raise SystemExit(130)

raise SystemExit(main())
