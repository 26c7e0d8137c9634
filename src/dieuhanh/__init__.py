"""dieuhanh: an open-source intelligent operations centre for Vietnamese provincial digital government."""

__version__ = "0.1.0"
