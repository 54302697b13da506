# placeholder: semantics of the TE (being written)
from . import defines  # noqa: F401
