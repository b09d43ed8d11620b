"""exoderm — evidence, design, personalisation, quality control, NTA and simulation
for exosome (extracellular-vesicle) skin care.

The library is the product: the CLI (``exoderm.cli``), the REST API (``exoderm.api``)
and the web application (``exoderm.web``) only translate to and from it.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("exoderm")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
