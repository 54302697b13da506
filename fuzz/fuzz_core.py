# atheris harness: the emulator core. Input bytes: the first 4 choose the mode and a random
# configuration (within the ranges, small memories), the rest are little-endian 64-bit words:
# Machine.run must halt, trap or stop at the watchdog, deterministically (two runs compared).
# Seeds are random programs from fuzzlib.random_program (registers and engine CSRs at boundary
# values, random valid instructions). See fuzz/common.py for usage.
import random
import struct

from common import fuzzlib, main


def test_one(data: bytes) -> None:
    if len(data) < 12:
        return
    head, body = data[:4], data[4:]
    words = list(struct.unpack(f"<{len(body) // 8}Q", body[:len(body) // 8 * 8]))[:512]
    mode = "cycle" if head[0] & 1 else "functional"
    config = fuzzlib.random_config(random.Random(head[1:4])) if head[0] & 2 else "small"
    fuzzlib.run_op("run", words, config, mode, 5000, 50000 if mode == "cycle" else None)


def _seeds() -> list[bytes]:
    rng = random.Random(0)
    out = []
    for i in range(64):
        words = fuzzlib.random_program(rng)
        out.append(bytes([i % 4, rng.randrange(256), rng.randrange(256), rng.randrange(256)])
                   + struct.pack(f"<{len(words)}Q", *words))
    return out


def _mutate(rng: random.Random, data: bytes, seeds: list[bytes]) -> bytes:
    """Word-level mutations: replace, insert, delete or duplicate words, tweak fields, splice;
    sometimes a fresh random program."""
    if rng.random() < 0.1 or len(data) < 12:
        words = fuzzlib.random_program(rng)
        return bytes([rng.randrange(256) for _ in range(4)]) + struct.pack(f"<{len(words)}Q", *words)
    head, body = bytearray(data[:4]), data[4:]
    words = list(struct.unpack(f"<{len(body) // 8}Q", body[:len(body) // 8 * 8]))
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        i = rng.randrange(len(words) + 1)
        if op == 0 and words:
            words[min(i, len(words) - 1)] ^= 1 << rng.randrange(64)
        elif op == 1:
            words.insert(i, fuzzlib.random_program(rng, 1)[-2])
        elif op == 2 and len(words) > 1:
            del words[min(i, len(words) - 1)]
        elif op == 3 and words:
            j = min(len(words), i + rng.randint(1, 8))
            words[i:i] = words[i:j]
        elif op == 4 and words:              # a boundary value into the immediate half
            k = min(i, len(words) - 1)
            words[k] = (words[k] & 0xFFFFFFFF) | (rng.choice(fuzzlib.INTERESTING32) << 32)
        elif op == 5:
            head[rng.randrange(4)] = rng.randrange(256)
        elif op == 6 and seeds:
            o = rng.choice(seeds)[4:]
            ow = list(struct.unpack(f"<{len(o) // 8}Q", o[:len(o) // 8 * 8]))
            words = words[:i] + ow[rng.randrange(len(ow) + 1):]
    return bytes(head) + struct.pack(f"<{len(words)}Q", *words[:512])


if __name__ == "__main__":
    main("core", test_one, _seeds(), _mutate, ".bin")
