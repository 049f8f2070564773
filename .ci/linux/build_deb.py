"""Builds the Debian package from the frozen bundle (run by `make dist`, after PyInstaller).

    python .ci/linux/build_deb.py BUNDLE_DIR ICON_DIR OUT_DIR VERSION

Installs under /opt/inference-planner, with /usr/bin/inference-planner, a desktop entry and
hicolor icons. Depends is worked out from the bundle itself: every shared library some bundled
binary needs but the bundle does not carry must map to a Debian package in SYSTEM_PACKAGES,
or the build fails naming it, so a new Qt plugin cannot silently need a library the package
does not pull in. libc6 gets the newest glibc symbol version any binary asks for, because the
bundle only runs on a glibc at least as new as the build machine's Python and Qt need.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

NAME = "inference-planner"
HERE = Path(__file__).resolve().parent

#: Libraries the bundle leaves to the system (PyInstaller never bundles glibc, libGL or libEGL,
#: which must match the machine's drivers), and the Debian/Ubuntu package shipping each.
SYSTEM_PACKAGES = {
    "libc.so.6": "libc6", "libm.so.6": "libc6", "libdl.so.2": "libc6",
    "libpthread.so.0": "libc6", "librt.so.1": "libc6", "libresolv.so.2": "libc6",
    "ld-linux-x86-64.so.2": "libc6", "ld-linux-aarch64.so.1": "libc6",
    "libGL.so.1": "libgl1", "libEGL.so.1": "libegl1",
    "libxcb.so.1": "libxcb1", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libdrm.so.2": "libdrm2",
}
#: Not linked by anything in the bundle, but read at run time: fontconfig needs a
#: configuration and at least one font to draw any text, and the bundled libxkbcommon needs
#: the keyboard maps its system package would have pulled in.
RUNTIME_PACKAGES = ["fontconfig-config", "fonts-dejavu-core", "xkb-data"]
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)


def _elf_files(root: Path):
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    yield path


def _objdump(path: Path) -> str:
    return subprocess.run(["objdump", "-p", str(path)], check=True, capture_output=True,
                          text=True).stdout


def depends(bundle: Path) -> str:
    """The Depends field for the bundle; raises SystemExit naming an unmapped library."""
    carried = {p.name for p in bundle.rglob("*") if ".so" in p.name}
    needed: dict[str, set[str]] = {}
    glibc = (2, 17)
    for elf in _elf_files(bundle):
        dump = _objdump(elf)
        for lib in re.findall(r"^\s+NEEDED\s+(\S+)", dump, re.MULTILINE):
            if lib not in carried:
                needed.setdefault(lib, set()).add(str(elf.relative_to(bundle)))
        for major, minor in re.findall(r"\bGLIBC_(\d+)\.(\d+)", dump):
            glibc = max(glibc, (int(major), int(minor)))
    unknown = sorted(set(needed) - set(SYSTEM_PACKAGES))
    if unknown:
        lines = [f"  {lib} (needed by {', '.join(sorted(needed[lib])[:3])})" for lib in unknown]
        raise SystemExit("The bundle needs libraries it does not carry and build_deb.py has no "
                         "package for:\n" + "\n".join(lines) +
                         "\nAdd them to SYSTEM_PACKAGES, or leave their plugin out in build.spec.")
    packages = sorted({SYSTEM_PACKAGES[lib] for lib in needed} | set(RUNTIME_PACKAGES))
    return ", ".join(f"libc6 (>= {glibc[0]}.{glibc[1]})" if p == "libc6" else p
                     for p in packages)


def _control(version: str, arch: str, size_kb: int, deps: str) -> str:
    return (
        f"Package: {NAME}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        "Maintainer: Inference Planner developers <dev@inference-planner.invalid>\n"
        f"Installed-Size: {size_kb}\n"
        f"Depends: {deps}\n"
        "Section: science\n"
        "Priority: optional\n"
        "Description: what-if planner for AI-inference data centers\n"
        " Assemble racks of GPUs, LPUs or wafer-scale systems for the models you\n"
        " serve and see the power, latency, throughput, utilization and cost per\n"
        " million tokens, with scenarios, charts, CSV and PDF reports.\n"
    )


def build(bundle: Path, icons: Path, out_dir: Path, version: str) -> Path:
    if not (bundle / NAME).is_file():
        raise SystemExit(f"{bundle}: no {NAME} executable; run PyInstaller first (make dist)")
    for tool in ("dpkg-deb", "objdump"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found: building the .deb needs Debian's dpkg and "
                             "binutils (apt-get install dpkg binutils)")
    arch = subprocess.run(["dpkg", "--print-architecture"], check=True, capture_output=True,
                          text=True).stdout.strip()
    deps = depends(bundle)
    with tempfile.TemporaryDirectory(prefix="deb-") as tmp:
        root = Path(tmp) / f"{NAME}_{version}_{arch}"
        shutil.copytree(bundle, root / "opt" / NAME, symlinks=True)
        (root / "usr" / "bin").mkdir(parents=True)
        # An absolute link: the bootloader follows it to find its _internal folder.
        os.symlink(f"/opt/{NAME}/{NAME}", root / "usr" / "bin" / NAME)
        apps = root / "usr" / "share" / "applications"
        apps.mkdir(parents=True)
        shutil.copy(HERE / f"{NAME}.desktop", apps / f"{NAME}.desktop")
        hicolor = root / "usr" / "share" / "icons" / "hicolor"
        for size in ICON_SIZES:
            target = hicolor / f"{size}x{size}" / "apps"
            target.mkdir(parents=True)
            shutil.copy(icons / f"app-{size}.png", target / f"{NAME}.png")
        (hicolor / "scalable" / "apps").mkdir(parents=True)
        shutil.copy(bundle / "_internal" / "resources" / "icons" / "app.svg",
                    hicolor / "scalable" / "apps" / f"{NAME}.svg")
        size_kb = sum(p.lstat().st_size for p in root.rglob("*")) // 1024
        (root / "DEBIAN").mkdir()
        (root / "DEBIAN" / "control").write_text(_control(version, arch, size_kb, deps),
                                                 encoding="utf-8")
        for path in [root, *root.rglob("*")]:  # umask-independent modes, as dpkg expects
            if not path.is_symlink():
                mode = 0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644
                path.chmod(mode)
        out_dir.mkdir(parents=True, exist_ok=True)
        deb = out_dir / f"{NAME}_{version}_{arch}.deb"
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "-z6", "--build", str(root),
                        str(deb)], check=True, stdout=subprocess.DEVNULL)
    print(f"Depends: {deps}")
    return deb


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    bundle, icons, out_dir, version = argv
    build(Path(bundle), Path(icons), Path(out_dir), version)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
