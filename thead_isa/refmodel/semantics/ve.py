# placeholder: semantics of the VE (being written)
from . import defines  # noqa: F401
