"""The ``exoderm`` command line: a thin face over the library.

Each capability registers its own sub-command group from its own module here; the
commands parse options, call ``exoderm.<capability>`` and render the result.
"""
