# Command-line tools: shared input reading, atomic output writing and one-line error reporting.
from __future__ import annotations

import os
import sys
import tempfile
from typing import Callable


class CliError(Exception):
    """A user-facing failure: printed as `<tool>: error: <message>` (nothing if the message is
    empty: diagnostics were already printed), exit status 1."""


def read_bytes(path: str) -> bytes:
    """The contents of a file (`-` is stdin); any OS error becomes a one-line CliError."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as f:
            return f.read()
    except IsADirectoryError:
        raise CliError(f"cannot read '{path}': it is a directory") from None
    except OSError as e:
        raise CliError(f"cannot read '{path}': {e.strerror or e}") from None


def read_text(path: str) -> str:
    data = read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CliError(f"'{path}' is not UTF-8 text (byte 0x{data[e.start]:02x} at offset "
                       f"{e.start})") from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_outputs(outputs: list[tuple[str, bytes]]) -> None:
    """Write every (path, data); `-` is stdout. Each file is written to a temporary file in its
    directory and renamed over the target only once all of them are complete, so an error never
    leaves a partial file."""
    staged: list[tuple[str, str]] = []
    try:
        for path, data in outputs:
            if path == "-":
                continue
            path = os.path.realpath(path) if os.path.islink(path) else path   # write through links
            directory = os.path.dirname(path) or "."
            try:
                fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.",
                                           suffix=".tmp")
            except OSError as e:
                raise CliError(f"cannot write '{path}': {e.strerror or e}") from None
            staged.append((tmp, path))
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    os.fchmod(f.fileno(), 0o666 & ~_umask())
            except OSError as e:
                raise CliError(f"cannot write '{path}': {e.strerror or e}") from None
        for tmp, path in staged:
            try:
                os.replace(tmp, path)
            except OSError as e:
                raise CliError(f"cannot write '{path}': {e.strerror or e}") from None
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
    for path, data in outputs:
        if path == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()


def remove_stale(path: str | None) -> None:
    """Remove an earlier output after a failed run (as GNU as does), if it is a regular file."""
    if path and path != "-" and os.path.isfile(path) and not os.path.islink(path):
        try:
            os.unlink(path)
        except OSError:
            pass


def run(prog: str, body: Callable[[], int]) -> int:
    """Run a tool's body: CliError -> one line on stderr and status 1; Ctrl-C -> 130; a closed
    stdout (`| head`) ends quietly."""
    try:
        return body()
    except CliError as e:
        if str(e):
            print(f"{prog}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        silence_stdout()
        return 141


def silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so that the interpreter's final flush
    does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
