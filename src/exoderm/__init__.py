"""exoderm — evidence, design, personalisation, quality control, NTA and simulation
for exosome (extracellular-vesicle) skin care.

The library is the product. Each capability (``evidence``, ``design``, ``clients``,
``qc``, ``nta``, ``simulate``, ``accounts``) has a ``service`` module whose verbs take a
database session, an actor and typed input; the CLI (``exoderm.cli``), the REST API
(``exoderm.api``) and the web application (``exoderm.web``) only translate to and from
those services, and ``exoderm.server`` mounts the last two side by side.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("exoderm")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
