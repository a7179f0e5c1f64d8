"""The staff workspace's pages (issue 10): pure functions of their arguments, English only."""
