//! The terminal's width, for output fitted to it.

/// Used when neither the terminal nor `$COLUMNS` says.
const DEFAULT_WIDTH: usize = 80;

/// The width of the terminal standard output goes to; else `$COLUMNS` (so a pipe, or a test,
/// can ask for a width); else 80.
pub fn width() -> usize {
    if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size_of(std::io::stdout())
        && w > 0
    {
        return usize::from(w);
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&w| w > 0)
        .unwrap_or(DEFAULT_WIDTH)
}
