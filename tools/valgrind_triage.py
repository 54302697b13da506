# Split the errors of a valgrind memcheck log into those whose faulting frame (or its caller) is in
# thead_isa's
# compiled extensions (its Cython-generated .c files, the kernel headers, its .so files) and the
# CPython-internal ones. Prints "OURS NOISE" (numbers of error occurrences) and, on stderr, the
# first stack of each of ours. Used by tools/sanitize.sh.
import re
import sys

OURS = re.compile(r"thead_isa|(?:loop|engines|predecode|timing|requant|common|registry|me|te|ve|"
                  r"fastlane)\.c:|_core\.h:")


def main(path: str) -> None:
    text = open(path, errors="replace").read()
    blocks = re.split(r"\n==\d+== \n", text)
    ours = noise = 0
    for b in blocks:
        if not re.search(r"(Invalid|uninitialised|Conditional jump|Mismatched|overlap|free)", b):
            continue
        if "ERROR SUMMARY" in b or "HEAP SUMMARY" in b:
            continue
        frames = re.findall(r"==\d+==    (?:at|by) 0x[0-9A-F]+: (.*)", b)
        if any(OURS.search(f) for f in frames[:2]):     # the faulting frame or its caller
            ours += 1
            print(b[:3000], file=sys.stderr)
        else:
            noise += 1
    print(ours, noise)


if __name__ == "__main__":
    main(sys.argv[1])
