//! `rho:ffi:wasm` end to end, through the real `rhoc` binary: modules
//! written in WAT are saved in a temporary directory granted with
//! `--allow-fs`, loaded with `--allow-ffi`, and called both ways under both
//! engines.

use std::fs;
use std::path::Path;
use std::time::Duration;

use rho_tests::run_rhoc;
use tempfile::TempDir;

const TIMEOUT: Duration = Duration::from_secs(60);

const ENGINES: [&str; 2] = ["wasm", "interp"];

/// A library with a bump allocator, Int and byte-array functions, a bounded
/// loop and an infinite one.
const LIBRARY: &str = r#"
(module
  (memory (export "memory") 1 1)
  (global $next (mut i32) (i32.const 1024))
  (func $alloc (export "rho_alloc") (param $len i32) (result i32)
    (local $ptr i32)
    global.get $next
    local.set $ptr
    global.get $next
    local.get $len
    i32.add
    global.set $next
    local.get $ptr)
  (func (export "add") (param i64 i64) (result i64)
    local.get 0
    local.get 1
    i64.add)
  (func (export "negate32") (param i32) (result i32)
    i32.const 0
    local.get 0
    i32.sub)
  (func (export "concat") (param $a i32) (param $a_len i32) (param $b i32) (param $b_len i32)
    (result i32 i32)
    (local $out i32)
    local.get $a_len
    local.get $b_len
    i32.add
    call $alloc
    local.tee $out
    local.get $a
    local.get $a_len
    memory.copy
    local.get $out
    local.get $a_len
    i32.add
    local.get $b
    local.get $b_len
    memory.copy
    local.get $out
    local.get $a_len
    local.get $b_len
    i32.add)
  (func (export "length") (param i32 i32) (result i64)
    local.get 1
    i64.extend_i32_u)
  (func (export "count") (param $n i64) (result i64)
    (local $i i64)
    loop $again
      local.get $i
      i64.const 1
      i64.add
      local.tee $i
      local.get $n
      i64.lt_s
      br_if $again
    end
    local.get $i)
  (func (export "spin")
    loop $forever
      br $forever
    end)
  (func (export "trap") (result i32)
    unreachable)
  (func $recurse (export "recurse") (result i32)
    call $recurse))
"#;

/// A directory with `lib.wasm` (from [`LIBRARY`]) and the programs.
struct Sandbox {
    dir: TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temporary directory");
        let sandbox = Sandbox { dir };
        sandbox.write_wat("lib.wasm", LIBRARY);
        sandbox
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write_wat(&self, name: &str, source: &str) {
        let wasm = wat::parse_str(source).expect("the test module parses");
        fs::write(self.path().join(name), wasm).expect("writable temporary file");
    }

    /// Runs `source` (saved as `NAME.rho`) with `args` before the file.
    fn rhoc(&self, name: &str, source: &str, args: &[&str]) -> (Option<i32>, String, String) {
        let program = self.path().join(format!("{name}.rho"));
        fs::write(&program, source).expect("writable temporary file");
        let program = program.to_string_lossy().into_owned();
        let mut all: Vec<&str> = args.to_vec();
        all.push(&program);
        let output = run_rhoc(&all, TIMEOUT);
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// Runs `source` under `engine`, granted files in the sandbox and the
    /// FFI.
    fn run(&self, engine: &str, source: &str) -> (Option<i32>, String, String) {
        let root = self.path().to_string_lossy().into_owned();
        self.rhoc(
            "main",
            source,
            &[
                "run",
                "--engine",
                engine,
                "--allow-fs",
                &root,
                "--allow-ffi",
            ],
        )
    }
}

fn sorted_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines
}

/// The hex of `bytes`, as Rholang's `hexToBytes` reads it.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The lines of a report that do not depend on timing or caches.
fn deterministic_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| {
            !["wall_ms:", "compile_ms:", "compile_cache:"]
                .iter()
                .any(|timing| line.starts_with(timing))
        })
        .collect()
}

/// The `--stats` line `phlo: N`.
fn phlo_of(stderr: &str) -> u64 {
    stderr
        .lines()
        .find_map(|line| line.strip_prefix("phlo: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no phlo line in {stderr}"))
}

#[test]
fn a_module_file_is_called_synchronously_and_by_message_with_ints_and_byte_arrays() {
    let sandbox = Sandbox::new();
    let source = r#"
new stdout(`rho:io:stdout`), ffi(`rho:ffi:wasm`), ret, sum, joined, neg, size in {
  ffi!("lib.wasm", *ret) |
  for (m <- ret) {
    stdout!(["sync", (*m).add(2, 3), (*m).concat("ab".toUtf8Bytes(), "cd".toUtf8Bytes())]) |
    stdout!(["sync i32", (*m).negate32(7), (*m).length("hello".toUtf8Bytes())]) |
    m!("add", *sum, 40, 2) |
    m!("concat", *joined, "x".toUtf8Bytes(), "yz".toUtf8Bytes()) |
    m!("negate32", *neg, -2147483647) |
    m!("length", *size, "".toUtf8Bytes()) |
    for (@s <- sum; @j <- joined; @n <- neg; @z <- size) {
      stdout!(["async", s, j, n, z])
    }
  }
}
"#;
    for engine in ENGINES {
        let (code, stdout, stderr) = sandbox.run(engine, source);
        assert_eq!(code, Some(0), "{engine}: {stderr}");
        assert_eq!(
            sorted_lines(&stdout),
            [
                "[\"async\", 42, 78797a, 2147483647, 0]",
                "[\"sync i32\", -7, 5]",
                "[\"sync\", 5, 61626364]",
            ],
            "{engine}: {stderr}"
        );
    }
}

#[test]
fn a_module_is_loaded_from_bytes_without_files_granted() {
    let sandbox = Sandbox::new();
    let wasm = wat::parse_str(LIBRARY).expect("the test module parses");
    let source = format!(
        r#"
new stdout(`rho:io:stdout`), ffi(`rho:ffi:wasm`), ret, sum in {{
  ffi!("{}".hexToBytes(), *ret) |
  for (m <- ret) {{
    m!("add", *sum, (*m).add(1, 2), 4) |
    for (@s <- sum) {{ stdout!(s) }}
  }}
}}
"#,
        hex(&wasm)
    );
    for engine in ENGINES {
        let (code, stdout, stderr) = sandbox.rhoc(
            "bytes",
            &source,
            &["run", "--engine", engine, "--allow-ffi"],
        );
        assert_eq!(
            (code, stdout.as_str()),
            (Some(0), "7\n"),
            "{engine}: {stderr}"
        );
    }
}

#[test]
fn calls_cost_phlo_deterministically_and_by_the_work_they_do() {
    let sandbox = Sandbox::new();
    let program = |n: u64| {
        format!(
            r#"
new stdout(`rho:io:stdout`), ffi(`rho:ffi:wasm`), ret in {{
  ffi!("lib.wasm", *ret) |
  for (m <- ret) {{ stdout!((*m).count({n})) }}
}}
"#
        )
    };
    let root = sandbox.path().to_string_lossy().into_owned();
    for engine in ENGINES {
        let cost = |n: u64| {
            let args = [
                "run",
                "--engine",
                engine,
                "--stats",
                "--allow-fs",
                &root,
                "--allow-ffi",
            ];
            let (code, stdout, stderr) = sandbox.rhoc("count", &program(n), &args);
            assert_eq!(code, Some(0), "{engine}: {stderr}");
            assert_eq!(stdout, format!("{n}\n"), "{engine}");
            phlo_of(&stderr)
        };
        let small = cost(10_000);
        assert_eq!(cost(10_000), small, "{engine}: the same run costs the same");
        let large = cost(110_000);
        assert!(
            large >= small + 100_000,
            "{engine}: 100,000 more iterations cost {small} -> {large}"
        );
        assert_eq!(cost(210_000) - large, large - small, "{engine}: linear");
    }
}

#[test]
fn an_infinite_loop_runs_out_of_phlo_at_a_repeatable_cost() {
    let sandbox = Sandbox::new();
    let root = sandbox.path().to_string_lossy().into_owned();
    let sync = r#"
new stdout(`rho:io:stdout`), ffi(`rho:ffi:wasm`), ret in {
  ffi!("lib.wasm", *ret) |
  for (m <- ret) { stdout!((*m).spin()) }
}
"#;
    let by_message = r#"
new stdout(`rho:io:stdout`), ffi(`rho:ffi:wasm`), ret, done in {
  ffi!("lib.wasm", *ret) |
  for (m <- ret) { m!("spin", *done) | for (_ <- done) { stdout!("finished") } }
}
"#;
    for engine in ENGINES {
        for source in [sync, by_message] {
            let args = [
                "run",
                "--engine",
                engine,
                "--stats",
                "--phlo-limit",
                "20000000",
                "--allow-fs",
                &root,
                "--allow-ffi",
            ];
            let (code, stdout, stderr) = sandbox.rhoc("spin", source, &args);
            assert_eq!(code, Some(4), "{engine}: {stderr}");
            assert_eq!(stdout, "", "{engine}");
            assert!(
                stderr.contains("ran out of phlogistons"),
                "{engine}: {stderr}"
            );
            assert_eq!(phlo_of(&stderr), 20_000_000, "{engine}: all of the limit");
            let (again, _, stderr_again) = sandbox.rhoc("spin", source, &args);
            assert_eq!(again, Some(4), "{engine}");
            assert_eq!(
                deterministic_lines(&stderr_again),
                deterministic_lines(&stderr),
                "{engine}: the same report twice"
            );
        }
    }
}

#[test]
fn modules_outside_the_policy_are_rejected_with_a_message_to_the_caller() {
    let sandbox = Sandbox::new();
    sandbox.write_wat(
        "imports.wasm",
        r#"(module (import "env" "clock" (func (result i64))))"#,
    );
    sandbox.write_wat(
        "floats.wasm",
        r#"(module (func (export "half") (param f64) (result f64)
             local.get 0 f64.const 2 f64.div))"#,
    );
    sandbox.write_wat("huge.wasm", r#"(module (memory 1 100000))"#);
    fs::write(sandbox.path().join("junk.wasm"), b"not wasm").expect("writable");
    let cases = [
        (
            "imports.wasm",
            "module rejected: it imports `env.clock`; a module loaded through the FFI may import nothing",
        ),
        (
            "floats.wasm",
            "module rejected: it uses a WebAssembly feature that rhoc does not accept: floating-point",
        ),
        (
            "huge.wasm",
            "module rejected: memory 0 may grow to 100000 pages, the limit is 256",
        ),
        ("junk.wasm", "module rejected: invalid WebAssembly"),
    ];
    for (file, expected) in cases {
        let source = format!(
            r#"
new stdout(`rho:io:stdout`), ffi(`rho:ffi:wasm`), ret, err in {{
  ffi!("{file}", *ret, *err) |
  for (_ <- ret) {{ stdout!("loaded") }} |
  for (@message <- err) {{ stdout!(["error", message]) }}
}}
"#
        );
        for engine in ENGINES {
            let (code, stdout, stderr) = sandbox.run(engine, &source);
            assert_eq!(
                code,
                Some(0),
                "{engine} {file}: the runtime goes on: {stderr}"
            );
            assert!(
                stdout.starts_with(&format!("[\"error\", \"{expected}")),
                "{engine} {file}: {stdout}"
            );
            assert!(
                stderr.contains(&format!("rho:ffi:wasm: {expected}")),
                "{engine} {file}: {stderr}"
            );
        }
    }
}

#[test]
fn wrong_calls_are_answered_with_errors() {
    let sandbox = Sandbox::new();
    let by_message = r#"
new stdout(`rho:io:stdout`), ffi(`rho:ffi:wasm`), ret, out, err in {
  ffi!("lib.wasm", *ret) |
  for (m <- ret) {
    m!("add", *out, *err, 1) |
    m!("add", *out, *err, "one", 2) |
    m!("add", *out, *err, 1, 2, 3) |
    m!("length", *out, *err, 5) |
    m!("negate32", *out, *err, 4294967296) |
    m!("mul", *out, *err, 1, 2) |
    m!("trap", *out, *err) |
    m!("recurse", *out, *err) |
    m!("add", *out, 1) |
    for (@r <- out) { stdout!(["unexpected", r]) } |
    for (@e <= err) { stdout!(e) }
  }
}
"#;
    let expected = [
        "\"`add` has type [i64 i64] -> [i64] but was given 1 value (Int); an Int fills one i32 or i64 parameter and a byte array fills two i32 parameters (pointer, length)\"",
        "\"`add` has type [i64 i64] -> [i64] but was given 3 values (Int, Int, Int); an Int fills one i32 or i64 parameter and a byte array fills two i32 parameters (pointer, length)\"",
        "\"`length` has type [i32 i32] -> [i64] but was given 1 value (Int); an Int fills one i32 or i64 parameter and a byte array fills two i32 parameters (pointer, length)\"",
        "\"`trap` trapped: wasm trap: wasm `unreachable` instruction executed\"",
        "\"argument 1 of `add` is a String; a Wasm function takes Ints and byte arrays\"",
        "\"argument 1 of `negate32` is 4294967296, which does not fit its i32 parameter\"",
        "\"call depth limit of 1000 exceeded\"",
        "\"the module exports no function `mul` (its functions: rho_alloc, add, negate32, concat, length, count, spin, trap, recurse)\"",
    ];
    for engine in ENGINES {
        let (code, stdout, stderr) = sandbox.run(engine, by_message);
        assert_eq!(code, Some(0), "{engine}: {stderr}");
        assert_eq!(sorted_lines(&stdout), expected, "{engine}: {stderr}");
        // Each failure is also on stderr, the one without an error channel
        // included.
        assert_eq!(
            stderr.matches("rho:ffi:wasm: ").count(),
            expected.len() + 1,
            "{engine}: {stderr}"
        );
    }

    let sync = r#"
new stdout(`rho:io:stdout`), ffi(`rho:ffi:wasm`), ret in {
  ffi!("lib.wasm", *ret) |
  for (m <- ret) { stdout!((*m).add(1)) | stdout!((*m).nope()) | stdout!((*m).add(1, 1)) }
}
"#;
    for engine in ENGINES {
        let (code, stdout, stderr) = sandbox.run(engine, sync);
        assert_eq!(code, Some(3), "{engine}: {stderr}");
        assert_eq!(stdout, "2\n", "{engine}: the other calls go on");
        assert!(
            stderr.contains(
                "error: rho:ffi:wasm: `add` has type [i64 i64] -> [i64] but was given 1 value (Int)"
            ),
            "{engine}: {stderr}"
        );
        assert!(
            stderr.contains("error: rho:ffi:wasm: the module exports no function `nope`"),
            "{engine}: {stderr}"
        );
    }
}

#[test]
fn the_ffi_and_module_files_need_their_grants() {
    let sandbox = Sandbox::new();
    let load = |path: &str| {
        format!(
            r#"
new stdout(`rho:io:stdout`), ffi(`rho:ffi:wasm`), ret, err in {{
  ffi!("{path}", *ret, *err) |
  for (_ <- ret) {{ stdout!("loaded") }} |
  for (@message <- err) {{ stdout!(message) }}
}}
"#
        )
    };
    for engine in ENGINES {
        // No --allow-ffi.
        let root = sandbox.path().to_string_lossy().into_owned();
        let (code, stdout, stderr) = sandbox.rhoc(
            "nogrant",
            &load("lib.wasm"),
            &["run", "--engine", engine, "--allow-fs", &root],
        );
        assert_eq!((code, stdout.as_str()), (Some(3), ""), "{engine}: {stderr}");
        assert!(
            stderr.contains(
                "`rho:ffi:wasm` is not granted to this run: run with --allow-ffi to grant loading Wasm modules"
            ),
            "{engine}: {stderr}"
        );

        // --allow-ffi without --allow-fs: files are refused.
        let (code, stdout, stderr) = sandbox.rhoc(
            "nofs",
            &load("lib.wasm"),
            &["run", "--engine", engine, "--allow-ffi"],
        );
        assert_eq!(code, Some(0), "{engine}: {stderr}");
        assert_eq!(
            stdout,
            "\"cannot load the module file `lib.wasm`: files are not granted to this run (run with --allow-fs DIR, or pass the module's bytes)\"\n",
            "{engine}"
        );
    }
}

#[test]
fn module_paths_cannot_escape_the_granted_directory() {
    let outside = tempfile::tempdir().expect("temporary directory");
    let wasm = wat::parse_str(LIBRARY).expect("the test module parses");
    fs::write(outside.path().join("lib.wasm"), &wasm).expect("writable");
    let sandbox = Sandbox::new();
    fs::create_dir(sandbox.path().join("sub")).expect("writable");
    std::os::unix::fs::symlink(
        outside.path().join("lib.wasm"),
        sandbox.path().join("sub/escape.wasm"),
    )
    .expect("symlink");
    std::os::unix::fs::symlink(
        sandbox.path().join("lib.wasm"),
        sandbox.path().join("sub/inside.wasm"),
    )
    .expect("symlink");
    let absolute = outside
        .path()
        .join("lib.wasm")
        .to_string_lossy()
        .into_owned();
    let cases = [
        ("sub/inside.wasm", "loaded".to_string()),
        ("./sub/../lib.wasm", "the module path `./sub/../lib.wasm` contains `..`".to_string()),
        ("../lib.wasm", "the module path `../lib.wasm` contains `..`".to_string()),
        (absolute.as_str(), format!("the module path `{absolute}` is absolute")),
        (
            "sub/escape.wasm",
            "the module path `sub/escape.wasm` leads outside the --allow-fs directory through a symbolic link".to_string(),
        ),
        ("missing.wasm", "cannot open the module `missing.wasm`".to_string()),
        ("sub", "the module path `sub` is not a file".to_string()),
    ];
    for (path, expected) in cases {
        let source = format!(
            r#"
new stdout(`rho:io:stdout`), ffi(`rho:ffi:wasm`), ret, err in {{
  ffi!("{path}", *ret, *err) |
  for (_ <- ret) {{ stdout!("loaded") }} |
  for (@message <- err) {{ stdout!(message) }}
}}
"#
        );
        let (code, stdout, stderr) = sandbox.run("wasm", &source);
        assert_eq!(code, Some(0), "{path}: {stderr}");
        assert!(stdout.contains(&expected), "{path}: {stdout}");
    }
}

#[test]
fn a_replay_takes_the_module_file_from_the_log() {
    let sandbox = Sandbox::new();
    let source = r#"
new stdout(`rho:io:stdout`), ffi(`rho:ffi:wasm`), ret in {
  ffi!("lib.wasm", *ret) |
  for (m <- ret) { stdout!((*m).concat("re".toUtf8Bytes(), "play".toUtf8Bytes())) }
}
"#;
    let root = sandbox.path().to_string_lossy().into_owned();
    for engine in ENGINES {
        sandbox.write_wat("lib.wasm", LIBRARY);
        let log = sandbox.path().join(format!("{engine}.log"));
        let log = log.to_string_lossy().into_owned();
        let args = [
            "run",
            "--engine",
            engine,
            "--record",
            &log,
            "--allow-fs",
            &root,
            "--allow-ffi",
        ];
        let (code, stdout, stderr) = sandbox.rhoc("replay", source, &args);
        assert_eq!(
            (code, stdout.as_str()),
            (Some(0), "7265706c6179\n"),
            "{engine}: {stderr}"
        );
        // The replay must not need the file.
        fs::remove_file(sandbox.path().join("lib.wasm")).expect("removable");
        let (code, stdout, stderr) = sandbox.rhoc(
            "replay",
            source,
            &["replay", "--engine", engine, "--log", &log],
        );
        assert_eq!(code, Some(0), "{engine}: {stderr}");
        assert_eq!(stdout, "7265706c6179\n", "{engine}");
        assert!(stderr.contains("replay: matched"), "{engine}: {stderr}");
    }
}

#[test]
fn the_example_runs_and_embeds_its_wat() {
    let examples = rho_tests::workspace_root().join("examples/ffi");
    let wat = fs::read_to_string(examples.join("library.wat")).expect("the example's WAT");
    let wasm = wat::parse_str(&wat).expect("the example's WAT parses");
    let program = examples.join("library.rho");
    let source = fs::read_to_string(&program).expect("the example");
    assert!(
        source.contains(&format!("\"{}\".hexToBytes()", hex(&wasm))),
        "examples/ffi/library.rho must embed the bytes of library.wat:\n{}",
        hex(&wasm)
    );
    let program = program.to_string_lossy();
    for engine in ENGINES {
        let output = run_rhoc(
            &["run", "--engine", engine, "--allow-ffi", &program],
            TIMEOUT,
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{engine}: {stderr}");
        assert_eq!(
            sorted_lines(&stdout),
            [
                "[\"2 + 3 =\", 5]",
                "[\"error\", \"`add` has type [i64 i64] -> [i64] but was given 1 value (Int); an Int fills one i32 or i64 parameter and a byte array fills two i32 parameters (pointer, length)\"]",
                "[\"reversed\", 6465737365727473]",
            ],
            "{engine}"
        );
        let refused = run_rhoc(&["run", "--engine", engine, &program], TIMEOUT);
        assert_eq!(refused.status.code(), Some(3), "{engine}");
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("run with --allow-ffi"),
            "{engine}"
        );
    }
}
