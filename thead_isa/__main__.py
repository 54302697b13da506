# `python -m thead_isa`: print the instruction classes of the table.
from . import summary

print(summary())
