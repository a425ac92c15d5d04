"""The ``lakepack`` console script: runs the C++ CLI shipped inside the package."""
import os
import sys


def cli_path() -> str:
    """The path of the bundled ``lakepack`` executable."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "lakepack")


def main() -> None:
    """Replaces this process with the C++ CLI (same arguments, exit status and signals)."""
    exe = cli_path()
    if not os.access(exe, os.X_OK):
        sys.exit(f"lakepack: the CLI binary is missing from the package ({exe})")
    os.execv(exe, [exe] + sys.argv[1:])


if __name__ == "__main__":
    main()
