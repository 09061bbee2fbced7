"""The foundation: settings, periods, errors and the domain vocabulary.

It imports nothing of the project; everything else may import it."""
