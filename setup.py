# Cython build: every .pyx under thead_isa/ is compiled through cythonize.
from pathlib import Path

import numpy
from setuptools import setup

pyx = sorted(str(p) for p in Path("thead_isa").rglob("*.pyx"))
ext_modules = []
if pyx:
    from Cython.Build import cythonize
    from setuptools import Extension

    ext_modules = cythonize(
        [Extension(p[:-4].replace("/", "."), [p], include_dirs=[numpy.get_include()]) for p in pyx],
        compiler_directives={"language_level": "3", "boundscheck": False, "wraparound": False},
    )

setup(ext_modules=ext_modules)
