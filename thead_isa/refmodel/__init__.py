# Reference model: executable program-order semantics of every instruction (the test oracle).
