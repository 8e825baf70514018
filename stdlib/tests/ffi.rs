//! `rho:ffi:wasm` in the powerbox, and the module paths it accepts.

use std::fs;
use std::path::Path;

use rho_runtime::RuntimeError;
use rho_stdlib::ffi::{URI, path};
use rho_stdlib::{Grants, PowerboxOptions, powerbox};

fn options(grants: Grants) -> PowerboxOptions {
    PowerboxOptions {
        grants,
        ..PowerboxOptions::default()
    }
}

#[test]
fn the_ffi_is_bound_only_when_granted() {
    let withheld = powerbox(&options(Grants::default()));
    assert!(!withheld.contains(URI));
    assert_eq!(
        withheld.resolve(URI),
        Err(RuntimeError::UriNotGranted {
            uri: URI.to_string(),
            reason: "run with --allow-ffi to grant loading Wasm modules".to_string(),
        })
    );
    let granted = powerbox(&options(Grants {
        ffi: true,
        ..Grants::default()
    }));
    assert!(granted.contains(URI));
    assert!(granted.resolve(URI).is_ok());
    assert!(granted.grants().iter().any(|grant| grant == "ffi"));
}

#[test]
fn relative_paths_are_checked_before_touching_files() {
    assert_eq!(path::check_relative("lib.wasm"), Ok(()));
    assert_eq!(path::check_relative("./a/b/lib.wasm"), Ok(()));
    for bad in ["", "../lib.wasm", "a/../../lib.wasm", "a/..", "/etc/passwd"] {
        assert!(path::check_relative(bad).is_err(), "{bad:?}");
    }
    let err = path::check_relative("/etc/passwd").unwrap_err();
    assert!(err.contains("is absolute"), "{err}");
    let err = path::check_relative("a/../b").unwrap_err();
    assert!(err.contains("contains `..`"), "{err}");
}

fn write(path: &Path, bytes: &[u8]) {
    fs::write(path, bytes).expect("writable temporary file");
}

#[test]
fn module_files_are_read_inside_the_root_only() {
    let root = tempfile::tempdir().expect("temporary directory");
    let outside = tempfile::tempdir().expect("temporary directory");
    write(&root.path().join("lib.wasm"), b"\0asm inside");
    write(&outside.path().join("secret.wasm"), b"\0asm outside");
    fs::create_dir(root.path().join("dir")).expect("writable");
    let link = |target: &Path, name: &str| {
        std::os::unix::fs::symlink(target, root.path().join(name)).expect("symlink");
    };
    link(&root.path().join("lib.wasm"), "alias.wasm");
    link(&outside.path().join("secret.wasm"), "escape.wasm");
    link(outside.path(), "out");

    assert_eq!(
        path::read_module(root.path(), "lib.wasm", 1_000),
        Ok(b"\0asm inside".to_vec())
    );
    assert_eq!(
        path::read_module(root.path(), "alias.wasm", 1_000),
        Ok(b"\0asm inside".to_vec())
    );
    for escape in ["escape.wasm", "out/secret.wasm"] {
        let err = path::read_module(root.path(), escape, 1_000).unwrap_err();
        assert!(
            err.contains("leads outside the --allow-fs directory"),
            "{escape}: {err}"
        );
    }
    let err = path::read_module(root.path(), "dir", 1_000).unwrap_err();
    assert!(err.contains("is not a file"), "{err}");
    let err = path::read_module(root.path(), "missing.wasm", 1_000).unwrap_err();
    assert!(
        err.starts_with("cannot open the module `missing.wasm`"),
        "{err}"
    );
    let err = path::read_module(root.path(), "lib.wasm", 4).unwrap_err();
    assert_eq!(
        err,
        "the module `lib.wasm` is 11 bytes, more than the limit of 4"
    );
}
