"""vrhub: the Violence Reduction Knowledge Hub."""

__version__ = "0.1.0"
