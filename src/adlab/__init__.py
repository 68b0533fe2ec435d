"""adlab: reproducible e-commerce advertising analytics on your own exports."""

__version__ = "0.1.0"
