"""Whether an ELF executable can run here: its architecture, its loader and the glibc it needs.

The kernel's and the loader's own failures say too little: a binary for another architecture
gives "Exec format error" (and Node's spawn, through execvp's ENOEXEC fallback, runs it as a shell
script), and a missing loader, as on musl-based Linux, gives "No such file or directory" for a file
that exists. So the clients read the ELF header (the System V ABI's generic ELF format: ``e_ident``,
``e_machine``, the ``PT_INTERP`` program header) before starting the bridge and say what is wrong.
``clients/node/lib/elf.js`` is the same code, with the same wording (``clients/PARITY.md``).
"""

from __future__ import annotations

import os
import re
import struct
from typing import Optional, Tuple

#: e_machine -> the architecture's name as ``uname -m`` spells it (the names both clients use).
_MACHINES = {
    3: "x86",
    8: "mips",
    20: "ppc",
    21: "ppc64",
    22: "s390x",
    40: "arm",
    62: "x86_64",
    183: "aarch64",
    243: "riscv64",
    258: "loongarch64",
}
#: Architectures a machine runs besides its own (the kernel's 32-bit compatibility modes).
_ALSO_RUNS = {"x86_64": {"x86"}, "aarch64": {"arm"}, "ppc64": {"ppc"}}

_PT_INTERP = 3
_GLIBC_NEED = re.compile(rb"GLIBC_2\.(\d+)(?:\.\d+)?\x00")


def machine_name(uname_machine: str) -> str:
    """``uname -m`` (``x86_64``, ``arm64``, ``i686``, ``armv7l``) in the names of ``_MACHINES``."""
    name = uname_machine.lower()
    if name in ("amd64", "x64"):
        return "x86_64"
    if name == "arm64":
        return "aarch64"
    if re.fullmatch(r"i[3-6]86|ia32", name):
        return "x86"
    if name.startswith("armv") or name == "arm":
        return "arm"
    if name == "ppc64le":
        return "ppc64le"
    return name


def read_header(path: str) -> Optional[Tuple[str, Optional[str]]]:
    """(architecture, loader path or None) of an ELF file; None when it is not one (a script)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if len(head) < 52 or head[:4] != b"\x7fELF":
                return None
            is64 = head[4] == 2
            order = "<" if head[5] == 1 else ">"
            (e_machine,) = struct.unpack_from(order + "H", head, 18)
            arch = _MACHINES.get(e_machine, f"machine {e_machine}")
            if e_machine == 21 and order == "<":
                arch = "ppc64le"
            if is64:
                phoff, = struct.unpack_from(order + "Q", head, 32)
                phentsize, phnum = struct.unpack_from(order + "HH", head, 54)
            else:
                phoff, = struct.unpack_from(order + "I", head, 28)
                phentsize, phnum = struct.unpack_from(order + "HH", head, 42)
            f.seek(phoff)
            table = f.read(phentsize * phnum)
            for index in range(phnum):
                entry = table[index * phentsize:(index + 1) * phentsize]
                if len(entry) < phentsize:
                    break
                if struct.unpack_from(order + "I", entry, 0)[0] != _PT_INTERP:
                    continue
                if is64:
                    offset, = struct.unpack_from(order + "Q", entry, 8)
                    size, = struct.unpack_from(order + "Q", entry, 32)
                else:
                    offset, = struct.unpack_from(order + "I", entry, 4)
                    size, = struct.unpack_from(order + "I", entry, 16)
                f.seek(offset)
                return arch, f.read(size).split(b"\x00", 1)[0].decode("utf-8", "replace")
            return arch, None
    except (OSError, struct.error):
        return None


def glibc_needed(path: str) -> Optional[str]:
    """The newest ``GLIBC_2.N`` symbol version the file names, as ``2.N``; None when it names none.

    Read from the whole file, so only on the way to an error, never on a normal start.
    """
    try:
        with open(path, "rb") as f:
            minors = [int(m) for m in _GLIBC_NEED.findall(f.read())]
    except OSError:
        return None
    return f"2.{max(minors)}" if minors else None


def running_glibc() -> Optional[str]:
    """This process's glibc version (``2.39``), or None when the C library is not glibc."""
    try:
        value = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError, AttributeError):
        return None
    if not value or not value.startswith("glibc "):
        return None
    return value.split(" ", 1)[1]


def version_tuple(version: str) -> Tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def why_it_cannot_run(binary: str, glibc_min: Optional[str], machine: Optional[str] = None) -> Optional[str]:
    """The reason ``binary`` cannot run on this machine (a clause), or None when nothing is known wrong.

    ``glibc_min`` is the glibc the binary needs when its package recorded it; ``machine`` (``uname -m``)
    exists for tests.
    """
    header = read_header(binary)
    if header is None:
        return None
    arch, loader = header
    here = machine_name(machine if machine is not None else os.uname().machine)
    if arch != here and arch not in _ALSO_RUNS.get(here, set()):
        return f"is built for {arch}, and this machine is {here}: it is not a medusa-auth-bridge for this platform"
    if loader is not None and not os.path.exists(loader):
        needs = glibc_min or glibc_needed(binary)
        version = f" {needs} or newer" if needs else ""
        return (
            f"cannot start: its loader {loader} is missing; this binary needs glibc{version} "
            "(musl-based Linux, such as Alpine, is not supported)"
        )
    if glibc_min:
        have = running_glibc()
        if have is not None and version_tuple(have) < version_tuple(glibc_min):
            return f"needs glibc {glibc_min} or newer, and this system has glibc {have}"
    return None
