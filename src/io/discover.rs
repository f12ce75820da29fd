//! Finding the config file when no path is given.

use std::path::{Path, PathBuf};

/// `name` in `cwd` or the nearest folder above it, as a path relative to `cwd`
/// (`rotation.toml`, `../rotation.toml`), so messages stay short and point at the file from
/// where the user stands. Otherwise every folder looked in.
pub fn config_file(
    cwd: &Path,
    name: &str,
    exists: impl Fn(&Path) -> bool,
) -> Result<PathBuf, Vec<PathBuf>> {
    let mut looked = Vec::new();
    for (up, folder) in cwd.ancestors().enumerate() {
        if exists(&folder.join(name)) {
            let mut path: PathBuf = std::iter::repeat_n("..", up).collect();
            path.push(name);
            return Ok(path);
        }
        looked.push(folder.to_path_buf());
    }
    Err(looked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_folder_above_wins_and_the_path_is_relative() {
        let exists =
            |p: &Path| p == Path::new("/team/rotation.toml") || p == Path::new("/rotation.toml");
        assert_eq!(
            config_file(Path::new("/team/a/b"), "rotation.toml", exists),
            Ok(PathBuf::from("../../rotation.toml"))
        );
        assert_eq!(
            config_file(Path::new("/team"), "rotation.toml", exists),
            Ok(PathBuf::from("rotation.toml"))
        );
    }

    #[test]
    fn every_folder_looked_in_is_named_when_none_has_it() {
        let looked = config_file(Path::new("/a/b"), "rotation.toml", |_| false).unwrap_err();
        assert_eq!(
            looked,
            vec![
                PathBuf::from("/a/b"),
                PathBuf::from("/a"),
                PathBuf::from("/")
            ]
        );
    }
}
