"""dutyflow: party-building accountability, from periodic reports to issued notices."""

__version__ = "0.1.0"
