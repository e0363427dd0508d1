"""Pairing's pure core: who fits whom and why (`fit`), the same scores for whole cohorts
(`fit_matrix`), and one optimal round (`rounds`). No Discord, no database."""
