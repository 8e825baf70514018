//! The capability-granted resolvers through the real `rhoc` binary:
//! `rho:io:fs` on a temporary directory, `rho:net:http`, `rho:net:tcp` and
//! `rho:net:udp` against servers on 127.0.0.1 that the tests start, the
//! grants that confine them, and replays that take every outcome from the
//! event log without touching files or sockets.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use rho_tests::run_rhoc;

const TIMEOUT: Duration = Duration::from_secs(60);

/// How long the test servers wait on a client before giving up on it.
const SERVER_TIMEOUT: Duration = Duration::from_secs(10);

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn rhoc(args: &[&str]) -> Run {
    let output = run_rhoc(args, TIMEOUT);
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn write_program(dir: &Path, name: &str, source: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, source).expect("writable temporary file");
    path.to_string_lossy().into_owned()
}

/// A temporary directory with a granted `root` (holding `notes.txt`) and,
/// beside it, an `outside` directory holding `secret.txt`.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temporary directory");
        fs::create_dir(dir.path().join("root")).expect("root");
        fs::create_dir(dir.path().join("outside")).expect("outside");
        fs::write(dir.path().join("root/notes.txt"), "first notes").expect("notes");
        fs::write(dir.path().join("outside/secret.txt"), "secret").expect("secret");
        Sandbox { dir }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    fn root_arg(&self) -> String {
        self.root().to_string_lossy().into_owned()
    }

    fn program(&self, name: &str, source: &str) -> String {
        write_program(self.dir.path(), name, source)
    }

    fn log(&self) -> String {
        self.dir
            .path()
            .join("run.log")
            .to_string_lossy()
            .into_owned()
    }
}

/// Reads, writes, appends, sizes and lists files, one step after another.
const FILES_PROGRAM: &str = r#"
new fs(`rho:io:fs`), stdout(`rho:io:stdout`), notes, made, out in {
  fs!("notes.txt", *notes) |
  for (notes <- notes) {
    new text, bytes in {
      notes!("readText", *text) |
      for (@text <- text) {
        notes!("read", *bytes) |
        for (@bytes <- bytes) {
          stdout!([text, bytes == "first notes".toUtf8Bytes()]) |
          fs!("out", *made) |
          for (dir <- made) {
            new ack in {
              dir!("mkdir", *ack) |
              for (_ <- ack) {
                fs!("out/new.txt", *out) |
                for (file <- out) {
                  new written, appended, size, again, listed in {
                    file!("write", "hello", *written) |
                    for (_ <- written) {
                      file!("append", " world".toUtf8Bytes(), *appended) |
                      for (_ <- appended) {
                        file!("size", *size) |
                        for (@size <- size) {
                          file!("readText", *again) |
                          for (@again <- again) {
                            stdout!([size, again]) |
                            new root in {
                              fs!(".", *root) |
                              for (root <- root) {
                                root!("list", *listed) |
                                for (@names <- listed) { stdout!(names) }
                              }
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
"#;

const FILES_OUTPUT: &str =
    "[\"first notes\", true]\n[11, \"hello world\"]\n[\"notes.txt\", \"out\"]\n";

#[test]
fn files_are_read_written_appended_sized_and_listed_under_the_granted_root() {
    for engine in ["wasm", "interp"] {
        let sandbox = Sandbox::new();
        let program = sandbox.program("files.rho", FILES_PROGRAM);
        let run = rhoc(&[
            "run",
            "--engine",
            engine,
            &program,
            "--allow-fs",
            &sandbox.root_arg(),
        ]);
        assert_eq!(run.code, Some(0), "{engine}: {}", run.stderr);
        assert_eq!(run.stdout, FILES_OUTPUT, "{engine}: {}", run.stderr);
        let written = fs::read_to_string(sandbox.root().join("out/new.txt")).expect("written file");
        assert_eq!(written, "hello world", "{engine}");
    }
}

#[test]
fn a_replay_takes_file_outcomes_from_the_log_and_touches_no_file() {
    let sandbox = Sandbox::new();
    let program = sandbox.program("files.rho", FILES_PROGRAM);
    let log = sandbox.log();
    let root = sandbox.root_arg();
    let recorded = rhoc(&["run", &program, "--allow-fs", &root, "--record", &log]);
    assert_eq!(recorded.code, Some(0), "{}", recorded.stderr);
    assert_eq!(recorded.stdout, FILES_OUTPUT);
    let text = fs::read_to_string(&log).expect("the event log");
    assert!(text.lines().any(|line| line.starts_with("G ")), "{text}");
    assert!(text.lines().any(|line| line.starts_with("I ")), "{text}");

    // Change a file, then remove the whole granted directory: a replay
    // that looked at the files would now print something else or fail.
    fs::write(sandbox.root().join("notes.txt"), "changed").expect("rewrite");
    fs::remove_dir_all(sandbox.root()).expect("remove the root");
    let replayed = rhoc(&["replay", &program, "--log", &log]);
    assert_eq!(replayed.code, Some(0), "{}", replayed.stderr);
    assert_eq!(replayed.stdout, recorded.stdout);
    assert!(
        replayed.stderr.contains("replay: matched the log"),
        "{}",
        replayed.stderr
    );
    assert!(!sandbox.root().exists(), "replay created files");
}

#[test]
fn paths_cannot_escape_the_root_by_dots_absolute_paths_or_symbolic_links() {
    let sandbox = Sandbox::new();
    let outside = sandbox.dir.path().join("outside");
    std::os::unix::fs::symlink(&outside, sandbox.root().join("out-dir")).expect("dir link");
    std::os::unix::fs::symlink(outside.join("secret.txt"), sandbox.root().join("out-file"))
        .expect("file link");
    std::os::unix::fs::symlink(outside.join("missing.txt"), sandbox.root().join("dangling"))
        .expect("dangling link");
    fs::create_dir(sandbox.root().join("sub")).expect("sub");
    std::os::unix::fs::symlink("../notes.txt", sandbox.root().join("sub/inside")).expect("inner");
    let program = sandbox.program(
        "escape.rho",
        r#"
new fs(`rho:io:fs`), stdout(`rho:io:stdout`), try in {
  contract try(@paths) = {
    match paths {
      [] => stdout!("done")
      [path ...rest] => {
        new file, err in {
          fs!(path, *file, *err) |
          for (file <- file) {
            new text in {
              file!("readText", *text, *err) |
              for (@text <- text) { stdout!(["read", path, text]) | try!(rest) }
            }
          } |
          for (@message <- err) { stdout!(message) | try!(rest) }
        }
      }
    }
  } |
  try!(["../outside/secret.txt", "sub/../../outside/secret.txt", "/etc/passwd",
        "out-dir/secret.txt", "out-file", "dangling", "sub/inside"])
}
"#,
    );
    let run = rhoc(&["run", &program, "--allow-fs", &sandbox.root_arg()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let expected = [
        "\"fs open ../outside/secret.txt: the path leaves the granted directory (`..`)\"",
        "\"fs open sub/../../outside/secret.txt: the path leaves the granted directory (`..`)\"",
        "\"fs open /etc/passwd: the path is absolute (paths are relative to the granted directory)\"",
        "\"fs open out-dir/secret.txt: the path leaves the granted directory (through a symbolic link)\"",
        "\"fs open out-file: the path leaves the granted directory (through a symbolic link)\"",
        "\"fs open dangling: `dangling` is a symbolic link to nowhere\"",
        "[\"read\", \"sub/inside\", \"first notes\"]",
        "\"done\"",
    ];
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        expected,
        "{}",
        run.stderr
    );
    // Every refusal is also on stderr.
    for line in &expected[..6] {
        assert!(
            run.stderr.contains(line.trim_matches('"')),
            "{}",
            run.stderr
        );
    }
    assert_eq!(
        fs::read_to_string(outside.join("secret.txt")).expect("secret"),
        "secret"
    );
    assert!(!outside.join("missing.txt").exists());
}

#[test]
fn failures_go_to_the_error_channel_and_stderr_and_the_run_goes_on() {
    let sandbox = Sandbox::new();
    let program = sandbox.program(
        "failures.rho",
        r#"
new fs(`rho:io:fs`), stdout(`rho:io:stdout`), missing, dir in {
  fs!("missing.txt", *missing) |
  for (missing <- missing) {
    new ret, err, quiet in {
      missing!("read", *ret, *err) |
      for (@message <- err) {
        stdout!(message) |
        missing!("size", *quiet) |
        fs!(".", *dir) |
        for (dir <- dir) {
          new size, err in {
            dir!("size", *size, *err) |
            for (@message <- err) { stdout!(message) }
          }
        }
      } |
      for (_ <- ret) { stdout!("unexpected") }
    }
  }
}
"#,
    );
    let run = rhoc(&["run", &program, "--allow-fs", &sandbox.root_arg()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "\"fs read missing.txt: no such file or directory\"\n\"fs size .: is a directory\"\n"
    );
    // The one without an error channel is reported on stderr only.
    for message in [
        "fs read missing.txt: no such file or directory",
        "fs size missing.txt: no such file or directory",
        "fs size .: is a directory",
    ] {
        assert!(run.stderr.contains(message), "{message}: {}", run.stderr);
    }
    assert!(!run.stderr.contains("runtime error"), "{}", run.stderr);
}

#[test]
fn a_call_with_the_wrong_shape_is_a_runtime_error_of_the_sender() {
    let sandbox = Sandbox::new();
    let program = sandbox.program(
        "shape.rho",
        r#"
new fs(`rho:io:fs`), stdout(`rho:io:stdout`), file in {
  fs!(42, *file) |
  fs!("notes.txt", *file) |
  for (file <- file) { file!("write", 7, *stdout) | stdout!("still running") }
}
"#,
    );
    let run = rhoc(&["run", &program, "--allow-fs", &sandbox.root_arg()]);
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert_eq!(run.stdout, "\"still running\"\n");
    assert!(
        run.stderr
            .contains("rho:io:fs expects a path string, a return channel"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("rho:io:fs file notes.txt expects"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("2 runtime error(s)"), "{}", run.stderr);
}

#[test]
fn without_grants_the_resolvers_are_withheld() {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (uri, flag) in [
        ("rho:io:fs", "--allow-fs DIR"),
        ("rho:net:http", "--allow-net HOST[:PORT]"),
        ("rho:net:tcp", "--allow-net HOST[:PORT]"),
        ("rho:net:udp", "--allow-net HOST[:PORT]"),
    ] {
        let program = write_program(
            dir.path(),
            "denied.rho",
            &format!(
                "new r(`{uri}`), stdout(`rho:io:stdout`) in {{ r!(\"x\", *stdout) | stdout!(\"sibling\") }}\n"
            ),
        );
        let run = rhoc(&["run", &program]);
        assert_eq!(run.code, Some(3), "{uri}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "`{uri}` is not granted to this run: run with {flag}"
            )),
            "{uri}: {}",
            run.stderr
        );
        assert_eq!(run.stdout, "", "{uri}: the body of the `new` never ran");
    }
    // A grant of the network does not grant files, and the reverse.
    let program = write_program(dir.path(), "fs.rho", "new fs(`rho:io:fs`) in { Nil }\n");
    let run = rhoc(&["run", &program, "--allow-net", "127.0.0.1"]);
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(
        run.stderr.contains("`rho:io:fs` is not granted"),
        "{}",
        run.stderr
    );
    let program = write_program(dir.path(), "net.rho", "new tcp(`rho:net:tcp`) in { Nil }\n");
    let run = rhoc(&["run", &program, "--allow-fs", &dir.path().to_string_lossy()]);
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(
        run.stderr.contains("`rho:net:tcp` is not granted"),
        "{}",
        run.stderr
    );
}

/// Servers on 127.0.0.1, counting the connections and datagrams they see.
struct Servers {
    http_port: u16,
    tcp_port: u16,
    udp_port: u16,
    http_connections: Arc<AtomicUsize>,
    tcp_connections: Arc<AtomicUsize>,
    udp_datagrams: Arc<AtomicUsize>,
}

impl Servers {
    fn start() -> Servers {
        let http = TcpListener::bind("127.0.0.1:0").expect("http listener");
        let tcp = TcpListener::bind("127.0.0.1:0").expect("tcp listener");
        let udp = UdpSocket::bind("127.0.0.1:0").expect("udp socket");
        let servers = Servers {
            http_port: http.local_addr().expect("addr").port(),
            tcp_port: tcp.local_addr().expect("addr").port(),
            udp_port: udp.local_addr().expect("addr").port(),
            http_connections: Arc::default(),
            tcp_connections: Arc::default(),
            udp_datagrams: Arc::default(),
        };
        let (port, count) = (servers.http_port, servers.http_connections.clone());
        thread::spawn(move || serve(http, count, move |stream| respond_http(stream, port)));
        let count = servers.tcp_connections.clone();
        thread::spawn(move || serve(tcp, count, echo_tcp));
        let count = servers.udp_datagrams.clone();
        thread::spawn(move || echo_udp(&udp, &count));
        servers
    }

    fn counts(&self) -> [usize; 3] {
        [
            self.http_connections.load(Ordering::SeqCst),
            self.tcp_connections.load(Ordering::SeqCst),
            self.udp_datagrams.load(Ordering::SeqCst),
        ]
    }

    /// The `--allow-net` grants of the three servers.
    fn grants(&self) -> [String; 6] {
        [
            "--allow-net".to_string(),
            format!("127.0.0.1:{}", self.http_port),
            "--allow-net".to_string(),
            format!("127.0.0.1:{}", self.tcp_port),
            "--allow-net".to_string(),
            format!("127.0.0.1:{}", self.udp_port),
        ]
    }
}

fn serve(
    listener: TcpListener,
    count: Arc<AtomicUsize>,
    handle: impl Fn(TcpStream) -> std::io::Result<()> + Send + 'static,
) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        count.fetch_add(1, Ordering::SeqCst);
        let _ = stream.set_read_timeout(Some(SERVER_TIMEOUT));
        let _ = stream.set_write_timeout(Some(SERVER_TIMEOUT));
        let _ = handle(stream);
    }
}

/// A tiny HTTP/1.1 responder: one request per connection.
fn respond_http(stream: TcpStream, port: u16) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            content_length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; content_length.min(1 << 20)];
    reader.read_exact(&mut body)?;
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (status, location, reply): (&str, Option<String>, Vec<u8>) = match (method, path) {
        ("GET", "/hello") => ("200 OK", None, b"hello from the test server".to_vec()),
        ("POST", "/echo") => ("200 OK", None, body),
        ("GET", "/redirect-in") => ("302 Found", Some("/hello".to_string()), Vec::new()),
        ("GET", "/redirect-out") => (
            "302 Found",
            Some(format!("http://localhost:{port}/hello")),
            Vec::new(),
        ),
        _ => ("404 Not Found", None, b"not found".to_vec()),
    };
    let mut response = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.len()
    );
    if let Some(location) = location {
        response.push_str(&format!("Location: {location}\r\n"));
    }
    response.push_str("\r\n");
    let mut stream = stream;
    stream.write_all(response.as_bytes())?;
    stream.write_all(&reply)?;
    stream.flush()
}

/// Echoes what a TCP client sends until it closes.
fn echo_tcp(mut stream: TcpStream) -> std::io::Result<()> {
    let mut buffer = [0; 4096];
    loop {
        let read = stream.read(&mut buffer)?;
        if read == 0 {
            return Ok(());
        }
        stream.write_all(&buffer[..read])?;
    }
}

/// Echoes every datagram to its sender.
fn echo_udp(socket: &UdpSocket, count: &AtomicUsize) {
    let mut buffer = [0; 2048];
    while let Ok((read, from)) = socket.recv_from(&mut buffer) {
        count.fetch_add(1, Ordering::SeqCst);
        let _ = socket.send_to(&buffer[..read], from);
    }
}

fn network_program(servers: &Servers) -> String {
    let (h, t, u) = (servers.http_port, servers.tcp_port, servers.udp_port);
    format!(
        r#"
new http(`rho:net:http`), tcp(`rho:net:tcp`), udp(`rho:net:udp`), stdout(`rho:io:stdout`),
    step1, step2, step3, step4, step5 in {{
  new ret in {{
    http!({{"url": "http://127.0.0.1:{h}/hello", "text": true}}, *ret) |
    for (@(status, body) <- ret) {{ stdout!(["http get", status, body]) | step1!(Nil) }}
  }} |
  for (_ <- step1) {{
    new ret in {{
      http!({{"url": "http://127.0.0.1:{h}/echo", "method": "POST", "body": "ping"}}, *ret) |
      for (@(status, body) <- ret) {{
        stdout!(["http post", status, body == "ping".toUtf8Bytes()]) | step2!(Nil)
      }}
    }}
  }} |
  for (_ <- step2) {{
    new ret, missing in {{
      http!("http://127.0.0.1:{h}/missing", *missing) |
      for (@(status, _) <- missing) {{
        http!({{"url": "http://127.0.0.1:{h}/redirect-in", "text": true}}, *ret) |
        for (@(moved, body) <- ret) {{
          stdout!(["http status", status, "redirected", moved, body]) | step3!(Nil)
        }}
      }}
    }}
  }} |
  for (_ <- step3) {{
    new conn, err in {{
      tcp!("127.0.0.1:{t}", *conn, *err) |
      for (conn <- conn) {{
        new sent, echoed, closed, late in {{
          conn!("send", "ping", *sent) |
          for (_ <- sent) {{
            conn!("receiveExact", 4, *echoed) |
            for (@data <- echoed) {{
              stdout!(["tcp echo", data == "ping".toUtf8Bytes(), data]) |
              new again, echoed in {{
                conn!("send", "pong".toUtf8Bytes(), *again) |
                for (_ <- again) {{
                  conn!("receive", 100, *echoed) |
                  for (@data <- echoed) {{
                    stdout!(["tcp receive", data == "pong".toUtf8Bytes()]) |
                    conn!("close", *closed) |
                    for (_ <- closed) {{
                      conn!("send", "late", *late, *err) |
                      for (@message <- err) {{ stdout!(message) | step4!(Nil) }}
                    }}
                  }}
                }}
              }}
            }}
          }}
        }}
      }}
    }}
  }} |
  for (_ <- step4) {{
    new sock in {{
      udp!("127.0.0.1:{u}", *sock) |
      for (sock <- sock) {{
        new sent, echoed in {{
          sock!("send", "ping".toUtf8Bytes(), *sent) |
          for (_ <- sent) {{
            sock!("receive", 100, *echoed) |
            for (@data <- echoed) {{ stdout!(["udp echo", data == "ping".toUtf8Bytes()]) | step5!(Nil) }}
          }}
        }}
      }}
    }}
  }} |
  for (_ <- step5) {{ stdout!("done") }}
}}
"#
    )
}

fn network_output(servers: &Servers) -> String {
    format!(
        "[\"http get\", 200, \"hello from the test server\"]\n\
         [\"http post\", 200, true]\n\
         [\"http status\", 404, \"redirected\", 200, \"hello from the test server\"]\n\
         [\"tcp echo\", true, 70696e67]\n\
         [\"tcp receive\", true]\n\
         \"tcp send 127.0.0.1:{} (4 bytes): the connection is closed\"\n\
         [\"udp echo\", true]\n\
         \"done\"\n",
        servers.tcp_port
    )
}

#[test]
fn http_tcp_and_udp_reach_granted_servers_and_replay_without_the_network() {
    let servers = Servers::start();
    let dir = tempfile::tempdir().expect("temporary directory");
    let program = write_program(dir.path(), "net.rho", &network_program(&servers));
    let log = dir.path().join("net.log").to_string_lossy().into_owned();
    let grants = servers.grants();
    let mut args = vec!["run", program.as_str(), "--record", log.as_str()];
    args.extend(grants.iter().map(String::as_str));
    let recorded = rhoc(&args);
    assert_eq!(recorded.code, Some(0), "{}", recorded.stderr);
    assert_eq!(
        recorded.stdout,
        network_output(&servers),
        "{}",
        recorded.stderr
    );
    let seen = servers.counts();
    // Four HTTP exchanges (one of them redirected: five connections), one
    // TCP connection, one datagram.
    assert_eq!(seen, [5, 1, 1]);

    let replayed = rhoc(&["replay", &program, "--log", &log]);
    assert_eq!(replayed.code, Some(0), "{}", replayed.stderr);
    assert_eq!(replayed.stdout, recorded.stdout);
    assert!(
        replayed.stderr.contains("replay: matched the log"),
        "{}",
        replayed.stderr
    );
    assert_eq!(servers.counts(), seen, "the replay reached the servers");
}

#[test]
fn hosts_and_redirects_that_were_not_granted_fail_on_the_error_channel() {
    let servers = Servers::start();
    let (h, t) = (servers.http_port, servers.tcp_port);
    let dir = tempfile::tempdir().expect("temporary directory");
    let program = write_program(
        dir.path(),
        "denied.rho",
        &format!(
            r#"
new http(`rho:net:http`), tcp(`rho:net:tcp`), udp(`rho:net:udp`), stdout(`rho:io:stdout`),
    next1, next2, next3 in {{
  new ret, err in {{
    http!("http://127.0.0.1:{h}/redirect-out", *ret, *err) |
    for (@message <- err) {{ stdout!(message) | next1!(Nil) }}
  }} |
  for (_ <- next1) {{
    new ret, err in {{
      tcp!("localhost:{t}", *ret, *err) |
      for (@message <- err) {{ stdout!(message) | next2!(Nil) }}
    }}
  }} |
  for (_ <- next2) {{
    new ret, err in {{
      http!("http://127.0.0.1:{t}/", *ret, *err) |
      for (@message <- err) {{ stdout!(message) | next3!(Nil) }}
    }}
  }} |
  for (_ <- next3) {{
    new ret, err in {{
      udp!("127.0.0.1:{t}", *ret, *err) |
      for (@message <- err) {{ stdout!(message) }}
    }}
  }}
}}
"#
        ),
    );
    let grant = format!("127.0.0.1:{h}");
    let run = rhoc(&["run", &program, "--allow-net", &grant]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let expected = [
        format!(
            "\"http GET http://127.0.0.1:{h}/redirect-out: redirected: localhost:{h} is not granted to this run (grant it with --allow-net localhost:{h})\""
        ),
        format!(
            "\"tcp connect localhost:{t}: localhost:{t} is not granted to this run (grant it with --allow-net localhost:{t})\""
        ),
        format!(
            "\"http GET http://127.0.0.1:{t}/: 127.0.0.1:{t} is not granted to this run (grant it with --allow-net 127.0.0.1:{t})\""
        ),
        format!(
            "\"udp connect 127.0.0.1:{t}: 127.0.0.1:{t} is not granted to this run (grant it with --allow-net 127.0.0.1:{t})\""
        ),
    ];
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        expected,
        "{}",
        run.stderr
    );
    for line in &expected {
        assert!(
            run.stderr.contains(line.trim_matches('"')),
            "{}",
            run.stderr
        );
    }
    // Only the redirecting exchange reached a server; the TCP server was
    // never contacted.
    assert_eq!(servers.counts(), [1, 0, 0]);
}

#[test]
fn a_refused_connection_is_an_error_on_the_channel_not_a_stop() {
    // A port that was just free: bind, note it, close.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let dir = tempfile::tempdir().expect("temporary directory");
    let program = write_program(
        dir.path(),
        "refused.rho",
        &format!(
            r#"
new tcp(`rho:net:tcp`), stdout(`rho:io:stdout`), ret, err in {{
  tcp!("127.0.0.1:{port}", *ret, *err) |
  for (@message <- err) {{ stdout!(message) }} |
  stdout!("sibling")
}}
"#
        ),
    );
    let grant = format!("127.0.0.1:{port}");
    let run = rhoc(&["run", &program, "--allow-net", &grant]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let refused = format!("\"tcp connect 127.0.0.1:{port}: connection refused\"");
    assert!(
        run.stdout.lines().any(|line| line == refused),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\"sibling\""), "{}", run.stdout);
    assert!(
        run.stderr.contains(refused.trim_matches('"')),
        "{}",
        run.stderr
    );
}

#[test]
fn the_files_example_counts_its_runs_and_replays_from_its_log() {
    let sandbox = Sandbox::new();
    let example = rho_tests::workspace_root().join("examples/files.rho");
    let example = example.to_string_lossy();
    let root = sandbox.root_arg();
    let refusal = "\"fs open ../outside.txt: the path leaves the granted directory (`..`)\"\n";
    let first = rhoc(&["run", &example, "--allow-fs", &root]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert_eq!(first.stdout, format!("{refusal}[\"visits so far\", 1]\n"));
    let log = sandbox.log();
    let second = rhoc(&["run", &example, "--allow-fs", &root, "--record", &log]);
    assert_eq!(second.stdout, format!("{refusal}[\"visits so far\", 2]\n"));
    assert_eq!(
        fs::read_to_string(sandbox.root().join("visits.txt")).expect("visits"),
        "visit\nvisit\n"
    );
    fs::remove_file(sandbox.root().join("visits.txt")).expect("remove");
    let replayed = rhoc(&["replay", &example, "--log", &log]);
    assert_eq!(replayed.stdout, second.stdout, "{}", replayed.stderr);
    assert!(replayed.stderr.contains("replay: matched the log"));
    assert!(!sandbox.root().join("visits.txt").exists());
}

#[test]
fn bytes_read_and_written_are_paid_for_in_phlo() {
    let sandbox = Sandbox::new();
    fs::write(sandbox.root().join("big.bin"), vec![7u8; 200_000]).expect("big file");
    fs::write(sandbox.root().join("small.bin"), [7u8; 10]).expect("small file");
    let read = |name: &str| {
        format!(
            "new fs(`rho:io:fs`), stdout(`rho:io:stdout`), f, r in {{\n  \
             fs!(\"{name}\", *f) | for (file <- f) {{ file!(\"read\", *r) | for (_ <- r) {{ stdout!(\"read\") }} }}\n}}\n"
        )
    };
    let root = sandbox.root_arg();
    let spent = |program: &str, limit: &str| {
        let run = rhoc(&[
            "run",
            program,
            "--allow-fs",
            &root,
            "--phlo-limit",
            limit,
            "--stats",
        ]);
        let phlo = run
            .stderr
            .lines()
            .find_map(|line| line.strip_prefix("phlo: "))
            .and_then(|phlo| phlo.parse::<u64>().ok());
        (run.code, phlo, run.stderr)
    };
    let small = sandbox.program("small.rho", &read("small.bin"));
    let big = sandbox.program("big.rho", &read("big.bin"));
    let (code, small_phlo, stderr) = spent(&small, "100000");
    assert_eq!(code, Some(0), "{stderr}");
    let small_phlo = small_phlo.expect("phlo in --stats");
    let (code, big_phlo, stderr) = spent(&big, "1000000");
    assert_eq!(code, Some(0), "{stderr}");
    let extra = big_phlo.expect("phlo in --stats") - small_phlo;
    assert!(
        (199_990..200_100).contains(&extra),
        "{extra} more phlo for 199,990 more bytes"
    );
    // Under a limit that the small read fits in, the big one runs out.
    let (code, _, stderr) = spent(&big, "100000");
    assert_eq!(code, Some(4), "{stderr}");
    assert!(
        stderr.contains("Computation ran out of phlogistons"),
        "{stderr}"
    );
}
