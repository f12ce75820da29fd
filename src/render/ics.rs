//! Renderer stub: filled in by its issue.
