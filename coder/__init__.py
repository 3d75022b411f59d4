"""eventcoder: code news text into CAMEO dyadic events (a fine-tuned transformer plus a rule layer).

Import is cheap: nothing is loaded until a function whose name says so is called (see ``coder.pipeline``).
"""

__version__ = "0.1.0"
