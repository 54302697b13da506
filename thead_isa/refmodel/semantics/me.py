# placeholder: semantics of the ME (being written)
from . import defines  # noqa: F401
