# The compiled emulator core (Cython): bit-exact kernels shared by the engines.
