//! Paths under the granted directory, and the check that keeps them there.
//!
//! A path is checked twice. [`RelativePath::parse`] refuses, without
//! touching the file system, anything that names a place outside the root
//! by its spelling: absolute paths, `..`, NUL characters, backslashes.
//! [`confine`] then resolves the part of the path that exists (following
//! symbolic links) and refuses the path unless that part is still inside the
//! canonical root; the rest of the path does not exist yet, so it holds no
//! links. [`confine`] touches the file system, so it runs inside the
//! operations' recorded I/O, every time a file is used: a link created
//! after a file channel was handed out is caught too.

use std::fmt;
use std::fs;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

use super::reply::describe;

/// The longest path accepted, in bytes.
pub const MAX_PATH_BYTES: usize = 4096;

/// The longest path component accepted, in bytes.
pub const MAX_COMPONENT_BYTES: usize = 255;

/// A path relative to the granted directory, spelled so that it cannot
/// leave it: plain components only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelativePath {
    components: Vec<String>,
}

impl RelativePath {
    /// The granted directory itself.
    pub fn root() -> RelativePath {
        RelativePath {
            components: Vec::new(),
        }
    }

    /// Parses a path written by a program: components separated by `/`;
    /// empty components and `.` are dropped (so `""` and `"."` name the
    /// root).
    ///
    /// # Errors
    ///
    /// A message for an absolute path, a `..` component, a NUL character, a
    /// backslash, or a path or component that is too long.
    pub fn parse(text: &str) -> Result<RelativePath, String> {
        if text.len() > MAX_PATH_BYTES {
            return Err(format!("the path is longer than {MAX_PATH_BYTES} bytes"));
        }
        if text.contains('\0') {
            return Err("the path contains a NUL character".to_string());
        }
        if text.contains('\\') {
            return Err("the path contains a backslash (separate components with `/`)".to_string());
        }
        if text.starts_with('/') {
            return Err(
                "the path is absolute (paths are relative to the granted directory)".to_string(),
            );
        }
        let mut components = Vec::new();
        for part in text.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    return Err("the path leaves the granted directory (`..`)".to_string());
                }
                _ if part.len() > MAX_COMPONENT_BYTES => {
                    return Err(format!(
                        "a path component is longer than {MAX_COMPONENT_BYTES} bytes"
                    ));
                }
                _ => {
                    // Whatever the platform reads as more than one plain
                    // component (a drive prefix, say) is refused.
                    let mut parsed = Path::new(part).components();
                    match (parsed.next(), parsed.next()) {
                        (Some(Component::Normal(_)), None) => components.push(part.to_string()),
                        _ => return Err(format!("`{part}` is not a plain file name")),
                    }
                }
            }
        }
        Ok(RelativePath { components })
    }

    /// Whether this is the granted directory itself.
    pub fn is_root(&self) -> bool {
        self.components.is_empty()
    }

    /// The path's components.
    pub fn components(&self) -> &[String] {
        &self.components
    }
}

impl fmt::Display for RelativePath {
    /// `a/b/c`, or `.` for the root.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.components.is_empty() {
            f.write_str(".")
        } else {
            f.write_str(&self.components.join("/"))
        }
    }
}

/// The real location of `path` under `root`, if it stays inside `root`.
///
/// The longest existing prefix of `root/path` is canonicalized (resolving
/// every symbolic link in it) and must lie inside the canonical `root`; the
/// components after it do not exist, and are appended as they are.
///
/// # Errors
///
/// A message when the root is unavailable, when the path leads outside the
/// root through a symbolic link, when it ends in a link to nowhere (writing
/// there would create a file wherever the link points), or when the file
/// system refuses to look.
pub fn confine(root: &Path, path: &RelativePath) -> Result<PathBuf, String> {
    let root = root
        .canonicalize()
        .map_err(|error| format!("the granted directory is unavailable: {}", describe(&error)))?;
    let components = path.components();
    for existing in (0..=components.len()).rev() {
        let mut prefix = root.clone();
        prefix.extend(&components[..existing]);
        match fs::symlink_metadata(&prefix) {
            Ok(_) => {
                let canonical = prefix.canonicalize().map_err(|error| match error.kind() {
                    ErrorKind::NotFound => format!(
                        "`{}` is a symbolic link to nowhere",
                        components[..existing].join("/")
                    ),
                    _ => describe(&error),
                })?;
                if !canonical.starts_with(&root) {
                    return Err(
                        "the path leaves the granted directory (through a symbolic link)"
                            .to_string(),
                    );
                }
                let mut full = canonical;
                full.extend(&components[existing..]);
                return Ok(full);
            }
            Err(error)
                if matches!(error.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {}
            Err(error) => return Err(describe(&error)),
        }
    }
    // The root exists (it was just canonicalized), so the loop returned at
    // `existing == 0` unless the root vanished in between.
    Err("the granted directory is unavailable".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_parse_to_their_components() {
        let path = RelativePath::parse("a//b/./c.txt").unwrap();
        assert_eq!(path.components(), ["a", "b", "c.txt"]);
        assert_eq!(path.to_string(), "a/b/c.txt");
        assert!(RelativePath::parse("").unwrap().is_root());
        assert_eq!(RelativePath::parse("./").unwrap().to_string(), ".");
        assert_eq!(RelativePath::parse("dir/").unwrap().to_string(), "dir");
    }

    #[test]
    fn escaping_spellings_are_refused() {
        for (text, reason) in [
            ("../x", "`..`"),
            ("a/../../x", "`..`"),
            ("a/..", "`..`"),
            ("/etc/passwd", "absolute"),
            ("a\\..\\b", "backslash"),
            ("a\0b", "NUL"),
        ] {
            let error = RelativePath::parse(text).unwrap_err();
            assert!(error.contains(reason), "{text:?}: {error}");
        }
        assert!(RelativePath::parse(&"a".repeat(MAX_COMPONENT_BYTES + 1)).is_err());
        assert!(RelativePath::parse(&"a/".repeat(MAX_PATH_BYTES)).is_err());
    }
}
