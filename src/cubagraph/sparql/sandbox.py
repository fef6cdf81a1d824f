"""The sandbox every process that evaluates a query enters first.

The SPARQL engine will fetch from the network for ``SERVICE``, and a scanner
that reads the query text can never agree with the engine's grammar in every
case. So the guarantee is kept where a connection would be opened: a seccomp
filter makes ``socket()`` fail with ``EACCES`` for every address family but
``AF_UNIX`` (what multiprocessing's pipes are made of), and ``io_uring``,
which could open sockets without that system call, fail with ``EPERM``. Once
installed it cannot be removed, and it holds for every thread of the process,
those started later included.

The filter is a few lines of classic BPF loaded through ``prctl``/``seccomp``
with ctypes, not libseccomp through pyseccomp: it costs no dependency, and
the whole program is readable here (see docs/queries.md for the figures).

Memory is bounded with ``RLIMIT_AS``: an allocation past the limit fails, and
the engine aborts the process; its parent turns the signal into an error that
names the limit.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import pickle
import platform
import resource
import select
import signal
import struct
import time
from collections.abc import Callable

DEFAULT_MEMORY = 1 << 30  # bytes of address space a query process may use

# Linux ABI constants (linux/seccomp.h, linux/filter.h, linux/audit.h).
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_BPF_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_BPF_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_BPF_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_BPF_RET_K = 0x06  # BPF_RET | BPF_K
_AF_UNIX = 1
# seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]
_NR, _ARCH, _ARG0 = 0, 4, 16  # args[0]: its low 32 bits, little-endian

# Per architecture: the audit arch, then the numbers of seccomp, socket, io_uring_setup.
_ARCHES = {
    "x86_64": (0xC000003E, 317, 41, 425),
    "aarch64": (0xC00000B7, 277, 198, 425),
}
_X32 = 0x40000000  # x86_64's x32 ABI numbers have this bit: refuse them all


class SandboxError(RuntimeError):
    """The sandbox could not be installed: no query may run then."""


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def program(arch: str | None = None) -> bytes:
    """The BPF program, for this machine's architecture unless ``arch`` is given."""
    machine = arch or platform.machine()
    if machine not in _ARCHES:
        raise SandboxError(f"no network sandbox for the {machine} architecture — queries run on x86_64 and aarch64")
    audit, _, socket_nr, uring_nr = _ARCHES[machine]
    deny_eacces = _SECCOMP_RET_ERRNO | errno.EACCES
    deny_eperm = _SECCOMP_RET_ERRNO | errno.EPERM
    return b"".join(
        [
            _insn(_BPF_LD_W_ABS, 0, 0, _ARCH),
            _insn(_BPF_JEQ_K, 1, 0, audit),  # another ABI (i386 on x86_64): refuse every call
            _insn(_BPF_RET_K, 0, 0, deny_eperm),
            _insn(_BPF_LD_W_ABS, 0, 0, _NR),
            _insn(_BPF_JGE_K, 0, 1, _X32 if machine == "x86_64" else 0xFFFFFFFF),
            _insn(_BPF_RET_K, 0, 0, deny_eperm),
            _insn(_BPF_JEQ_K, 0, 1, uring_nr),
            _insn(_BPF_RET_K, 0, 0, deny_eperm),
            _insn(_BPF_JEQ_K, 0, 3, socket_nr),
            _insn(_BPF_LD_W_ABS, 0, 0, _ARG0),
            _insn(_BPF_JEQ_K, 1, 0, _AF_UNIX),
            _insn(_BPF_RET_K, 0, 0, deny_eacces),
            _insn(_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW),
        ]
    )


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def deny_network() -> None:
    """Install the filter in this process, for all its threads; raise :class:`SandboxError` if it cannot be."""
    code = program()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxError(f"prctl(NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
    prog = _SockFprog(len(code) // 8, code)
    seccomp_nr = _ARCHES[platform.machine()][1]
    libc.syscall.argtypes = [ctypes.c_long, ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p]
    if libc.syscall(seccomp_nr, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(prog)) != 0:
        raise SandboxError(f"seccomp could not be installed: {os.strerror(ctypes.get_errno())}")


def limit_memory(max_bytes: int) -> None:
    """Bound this process's address space to ``max_bytes`` (it can only be lowered later)."""
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


def quiet_stderr() -> None:
    """Send this process's stderr to /dev/null: the engine prints a backtrace when it aborts, and the
    parent reports the death in one line instead."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def enter(max_bytes: int = DEFAULT_MEMORY) -> None:
    """What a query process does before it reads any query: no network, bounded memory."""
    deny_network()
    limit_memory(max_bytes)


def is_network_refusal(message: str) -> bool:
    """Whether an engine error is the sandbox refusing a socket (the query slipped past the scanner)."""
    return "os error 13" in message or "Permission denied" in message


def describe_exit(code: int) -> str:
    """How a query process that ended with ``code`` (negative: a signal, as multiprocessing gives it) ended."""
    if code >= 0:
        return f"the query process exited with status {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    return f"the query process was stopped by {name}"


def out_of_memory(code: int) -> bool:
    """Whether a query process that ended with ``code`` most likely ran out of memory.

    The engine aborts (SIGABRT) when an allocation fails under ``RLIMIT_AS``, and the kernel's
    OOM killer sends SIGKILL; anything else (SIGSEGV) is a crash of another kind.
    """
    return code in (-signal.SIGABRT, -signal.SIGKILL)


def size(n: int) -> str:
    """``1073741824`` -> ``1 GiB``; ``524288000`` -> ``500 MiB``; ``1000`` -> ``1,000 bytes``."""
    if n >= 1 << 30 and n % (1 << 30) == 0:
        return f"{n >> 30} GiB"
    if n >= 1 << 20:
        return f"{n / (1 << 20):g} MiB"
    return f"{n:,} bytes"


def run_isolated(
    work: Callable[[], bytes], max_bytes: int, timeout: float | None = None, shown: float | None = None
) -> bytes:
    """Run ``work`` in a forked child that has entered the sandbox; return what it returned.

    ``work`` enters the memory bound itself (:func:`limit_memory`) once it has
    opened what it needs, so that the bound is on the query. An exception it
    raises is raised here; a child that dies of a signal (the engine aborts
    when an allocation fails) becomes :class:`ChildDied`. A child that has not
    answered ``timeout`` seconds after it was forked is killed (the engine
    cannot be interrupted otherwise), and that becomes :class:`ChildTimedOut`
    (which names ``shown`` seconds, if given: the limit as the user set it).
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return from here
        status = 0
        try:
            os.close(read)
            deny_network()
            try:
                outcome: tuple[str, object] = ("ok", work())
            except Exception as exc:
                outcome = ("error", exc)
            try:
                data = pickle.dumps(outcome)
            except Exception:
                data = pickle.dumps(("error", RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}")))
            with os.fdopen(write, "wb") as out:
                out.write(data)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write)
    try:
        data = _read_until(read, None if timeout is None else time.monotonic() + timeout)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise ChildTimedOut(shown if shown is not None else timeout or 0.0) from None
    finally:
        os.close(read)
    _, wait = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(wait)
    if not data or code != 0:
        raise ChildDied(code)
    kind, value = pickle.loads(data)
    if kind == "error":
        assert isinstance(value, BaseException)
        raise value
    assert isinstance(value, bytes)
    return value


def process_age() -> float:
    """Seconds since this process started (from /proc; 0 where that cannot be read)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rpartition(")")[2].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime, in clock ticks since boot
        return max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - started)
    except (OSError, ValueError, IndexError):
        return 0.0


def _read_until(fd: int, deadline: float | None) -> bytes:
    """Everything the child writes to ``fd`` until it closes it; :class:`TimeoutError` past ``deadline``."""
    chunks: list[bytes] = []
    while True:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


class ChildTimedOut(Exception):
    """The sandboxed child did not answer within its time, and was killed."""

    def __init__(self, timeout: float):
        super().__init__(f"the query ran longer than {timeout:g} s and was stopped")
        self.timeout = timeout


class ChildDied(Exception):
    """The sandboxed child ended without an answer; ``code`` as :func:`describe_exit` takes it."""

    def __init__(self, code: int):
        super().__init__(describe_exit(code))
        self.code = code
