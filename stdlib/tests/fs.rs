//! Path confinement on a real directory tree: what `rho:io:fs` lets a
//! program reach under its granted root, and what it refuses.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use rho_stdlib::fs::path::{RelativePath, confine};

/// A temporary directory holding `root/` (with `a/b.txt`) and `outside/`
/// (with `secret.txt`); the root is returned canonical, as the CLI grants
/// it.
fn tree() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let root = dir.path().join("root");
    let outside = dir.path().join("outside");
    fs::create_dir_all(root.join("a")).expect("root/a");
    fs::create_dir(&outside).expect("outside");
    fs::write(root.join("a/b.txt"), "b").expect("b.txt");
    fs::write(outside.join("secret.txt"), "secret").expect("secret");
    let root = root.canonicalize().expect("canonical root");
    let outside = outside.canonicalize().expect("canonical outside");
    (dir, root, outside)
}

fn resolve(root: &Path, text: &str) -> Result<PathBuf, String> {
    confine(root, &RelativePath::parse(text)?)
}

#[test]
fn existing_and_new_paths_resolve_inside_the_root() {
    let (_dir, root, _) = tree();
    assert_eq!(resolve(&root, "a/b.txt").unwrap(), root.join("a/b.txt"));
    assert_eq!(resolve(&root, "./a//b.txt").unwrap(), root.join("a/b.txt"));
    assert_eq!(resolve(&root, "").unwrap(), root);
    // Paths that do not exist yet (to be written) resolve too.
    assert_eq!(
        resolve(&root, "a/new/c.txt").unwrap(),
        root.join("a/new/c.txt")
    );
    // A path through a file is not refused here; the operation fails.
    assert_eq!(resolve(&root, "a/b.txt/x").unwrap(), root.join("a/b.txt/x"));
}

#[test]
fn dots_and_absolute_paths_are_refused_before_the_file_system_is_asked() {
    let (_dir, root, outside) = tree();
    for text in ["../outside/secret.txt", "a/../../outside", ".."] {
        let error = resolve(&root, text).unwrap_err();
        assert!(error.contains("`..`"), "{text}: {error}");
    }
    let absolute = outside.join("secret.txt");
    let error = resolve(&root, &absolute.to_string_lossy()).unwrap_err();
    assert!(error.contains("absolute"), "{error}");
}

#[test]
fn symbolic_links_may_not_lead_outside() {
    let (_dir, root, outside) = tree();
    symlink(&outside, root.join("out-dir")).expect("link");
    symlink(outside.join("secret.txt"), root.join("out-file")).expect("link");
    symlink(outside.join("nothing"), root.join("dangling")).expect("link");
    symlink("a/b.txt", root.join("inside")).expect("link");
    symlink(&root, root.join("a/self")).expect("link");
    for text in [
        "out-dir",
        "out-dir/secret.txt",
        "out-dir/new.txt",
        "out-file",
    ] {
        let error = resolve(&root, text).unwrap_err();
        assert!(error.contains("through a symbolic link"), "{text}: {error}");
    }
    let error = resolve(&root, "dangling").unwrap_err();
    assert!(error.contains("symbolic link to nowhere"), "{error}");
    // Links that stay inside are followed.
    assert_eq!(resolve(&root, "inside").unwrap(), root.join("a/b.txt"));
    assert_eq!(
        resolve(&root, "a/self/a/b.txt").unwrap(),
        root.join("a/b.txt")
    );
}

#[test]
fn a_link_planted_after_a_check_is_caught_by_the_next_one() {
    let (_dir, root, outside) = tree();
    let later = RelativePath::parse("later").expect("plain path");
    assert_eq!(confine(&root, &later).unwrap(), root.join("later"));
    symlink(outside.join("secret.txt"), root.join("later")).expect("link");
    assert!(confine(&root, &later).is_err());
}

#[test]
fn a_root_that_is_itself_reached_through_a_link_still_confines() {
    let (dir, root, outside) = tree();
    let alias = dir.path().join("alias");
    symlink(&root, &alias).expect("link to the root");
    assert_eq!(resolve(&alias, "a/b.txt").unwrap(), root.join("a/b.txt"));
    symlink(&outside, root.join("out")).expect("link");
    assert!(resolve(&alias, "out/secret.txt").is_err());
}

#[test]
fn a_vanished_root_is_an_error() {
    let (dir, root, _) = tree();
    fs::remove_dir_all(dir.path().join("root")).expect("remove root");
    let error = resolve(&root, "a/b.txt").unwrap_err();
    assert!(
        error.contains("granted directory is unavailable"),
        "{error}"
    );
}
