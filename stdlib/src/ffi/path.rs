//! Module files under the `--allow-fs` directory: a relative path may not
//! leave it, neither by `..`, nor by being absolute, nor through a symbolic
//! link.

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Checks the shape of `relative` without touching the file system:
/// non-empty, relative, and without `..`.
///
/// # Errors
///
/// A message naming the problem.
pub fn check_relative(relative: &str) -> Result<(), String> {
    if relative.is_empty() {
        return Err("the module path is empty".to_string());
    }
    for component in Path::new(relative).components() {
        match component {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => {
                return Err(format!(
                    "the module path `{relative}` contains `..`; it must stay inside the \
                     --allow-fs directory"
                ));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "the module path `{relative}` is absolute; it must be relative to the \
                     --allow-fs directory"
                ));
            }
        }
    }
    Ok(())
}

/// The file `relative` names under `root`, with every symbolic link
/// resolved.
///
/// # Errors
///
/// A message if the path has the wrong shape ([`check_relative`]), does not
/// exist, or leads outside `root` through a symbolic link.
pub fn resolve(root: &Path, relative: &str) -> Result<PathBuf, String> {
    check_relative(relative)?;
    let root = root
        .canonicalize()
        .map_err(|err| format!("the --allow-fs directory cannot be read: {err}"))?;
    let path = root
        .join(relative)
        .canonicalize()
        .map_err(|err| format!("cannot open the module `{relative}`: {err}"))?;
    if !path.starts_with(&root) {
        return Err(format!(
            "the module path `{relative}` leads outside the --allow-fs directory through a \
             symbolic link"
        ));
    }
    Ok(path)
}

/// Reads the module file `relative` under `root`, refusing one larger than
/// `max_bytes`.
///
/// # Errors
///
/// A message if [`resolve`] fails, if the path is not a file, cannot be
/// read, or is too large.
pub fn read_module(root: &Path, relative: &str, max_bytes: u64) -> Result<Vec<u8>, String> {
    let path = resolve(root, relative)?;
    let cannot_read = |err: std::io::Error| format!("cannot read the module `{relative}`: {err}");
    let file = File::open(&path).map_err(cannot_read)?;
    let metadata = file.metadata().map_err(cannot_read)?;
    if !metadata.is_file() {
        return Err(format!("the module path `{relative}` is not a file"));
    }
    let too_large = |len: u64| {
        format!("the module `{relative}` is {len} bytes, more than the limit of {max_bytes}")
    };
    if metadata.len() > max_bytes {
        return Err(too_large(metadata.len()));
    }
    // The file may grow while it is read: read at most one byte too many.
    let mut bytes = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if len > max_bytes {
        return Err(too_large(len));
    }
    Ok(bytes)
}
