//! Side-effect stub: filled in by its issue.
