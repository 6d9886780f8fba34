"""Evaluation: the Tests tab, its table of cases, the grid of results and baselines."""
