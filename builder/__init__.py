"""The briefing-book builder: structured notes → a cross-linked, cited site."""

__version__ = "0.1.0"
