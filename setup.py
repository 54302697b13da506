# Cython build: every .pyx under thead_isa/ is compiled through cythonize; asm/ ships as package data.
import shutil
from pathlib import Path

import numpy
from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithAsm(build_py):
    """Copies the kernel library asm/ into the built package as thead_isa/_asm, where the
    runtime looks for it (thead_isa/runtime/device.py asm_dir)."""

    def run(self):
        super().run()
        dest = Path(self.build_lib) / "thead_isa" / "_asm"
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree("asm", dest, ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))

pyx = sorted(str(p) for p in Path("thead_isa").rglob("*.pyx"))
ext_modules = []
if pyx:
    from Cython.Build import cythonize
    from setuptools import Extension

    ext_modules = cythonize(
        [Extension(p[:-4].replace("/", "."), [p], include_dirs=[numpy.get_include()]) for p in pyx],
        compiler_directives={"language_level": "3", "boundscheck": False, "wraparound": False},
    )

setup(ext_modules=ext_modules, cmdclass={"build_py": BuildPyWithAsm})
