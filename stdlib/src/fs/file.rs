//! The process behind a file channel: one path under the granted
//! directory, and the operations on it (see [`crate::fs`] for the message
//! shapes).

use std::fs;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use rho_runtime::native::{NativeCall, NativeProcess, bad_arguments};
use rho_runtime::{RuntimeError, Value};

use super::path::{RelativePath, confine};
use super::reply::{Reply, charge_operation, data_bytes, describe, perform};

/// The largest file `read` and `readText` return, in bytes.
pub const MAX_READ_BYTES: u64 = 16 * 1024 * 1024;

/// The largest directory `list` returns, in entries.
pub const MAX_LIST_ENTRIES: usize = 100_000;

const EXPECTED: &str = "(\"read\" | \"readText\" | \"size\" | \"list\" | \"exists\" | \"mkdir\", \
     ret[, err]) or (\"write\" | \"append\", data, ack[, err]) with data a byte array or a string";

/// One operation on a file.
#[derive(Clone, Debug)]
enum Operation {
    /// The whole file, as bytes or as UTF-8 text.
    Read { text: bool },
    /// Replace the file's contents (creating it), or add to its end.
    Write { data: Arc<[u8]>, append: bool },
    /// The file's size in bytes.
    Size,
    /// A directory's entry names, sorted.
    List,
    /// Whether the path exists.
    Exists,
    /// Create the directory and any missing parents.
    Mkdir,
}

impl Operation {
    /// The operation's name in requests and messages.
    fn name(&self) -> &'static str {
        match self {
            Operation::Read { text: false } => "read",
            Operation::Read { text: true } => "readText",
            Operation::Write { append: false, .. } => "write",
            Operation::Write { append: true, .. } => "append",
            Operation::Size => "size",
            Operation::List => "list",
            Operation::Exists => "exists",
            Operation::Mkdir => "mkdir",
        }
    }

    /// The operation and its reply from a call's arguments.
    fn parse(args: &[Value]) -> Option<(Operation, Reply)> {
        let (Value::Str(name), rest) = args.split_first()? else {
            return None;
        };
        let operation = match &**name {
            "read" => Operation::Read { text: false },
            "readText" => Operation::Read { text: true },
            "size" => Operation::Size,
            "list" => Operation::List,
            "exists" => Operation::Exists,
            "mkdir" => Operation::Mkdir,
            "write" | "append" => {
                let (data, channels) = rest.split_first()?;
                let operation = Operation::Write {
                    data: data_bytes(data)?,
                    append: &**name == "append",
                };
                return Some((operation, Reply::from_channels(channels)?));
            }
            _ => return None,
        };
        Some((operation, Reply::from_channels(rest)?))
    }
}

/// A file channel's process: the granted root and a path under it.
#[derive(Debug)]
pub struct FileProcess {
    root: PathBuf,
    path: RelativePath,
    name: String,
}

impl FileProcess {
    /// The process for `path` under `root`.
    pub fn new(root: PathBuf, path: RelativePath) -> FileProcess {
        let name = format!("rho:io:fs file {path}");
        FileProcess { root, path, name }
    }

    /// Runs `operation` on the file system (only ever inside
    /// [`NativeCall::io`]).
    fn run(&self, operation: &Operation) -> Result<Value, String> {
        let location = confine(&self.root, &self.path)?;
        match operation {
            Operation::Read { text } => {
                let bytes = read_file(&location)?;
                if *text {
                    String::from_utf8(bytes)
                        .map(Value::string)
                        .map_err(|_| "the file is not valid UTF-8 text".to_string())
                } else {
                    Ok(Value::Bytes(bytes.into()))
                }
            }
            Operation::Write { data, append } => {
                if self.path.is_root() {
                    return Err("the granted directory is not a file".to_string());
                }
                let mut options = fs::OpenOptions::new();
                if *append {
                    options.append(true).create(true);
                } else {
                    options.write(true).create(true).truncate(true);
                }
                let mut file = options.open(&location).map_err(|e| describe(&e))?;
                file.write_all(data).map_err(|e| describe(&e))?;
                file.flush().map_err(|e| describe(&e))?;
                Ok(Value::Nil)
            }
            Operation::Size => {
                let metadata = fs::metadata(&location).map_err(|e| describe(&e))?;
                if metadata.is_dir() {
                    return Err("is a directory".to_string());
                }
                Ok(Value::Int(
                    i64::try_from(metadata.len()).unwrap_or(i64::MAX),
                ))
            }
            Operation::List => list_directory(&location),
            Operation::Exists => match fs::symlink_metadata(&location) {
                Ok(_) => Ok(Value::Bool(true)),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                    Ok(Value::Bool(false))
                }
                Err(error) => Err(describe(&error)),
            },
            Operation::Mkdir => fs::create_dir_all(&location)
                .map(|()| Value::Nil)
                .map_err(|e| describe(&e)),
        }
    }
}

impl NativeProcess for FileProcess {
    fn name(&self) -> &str {
        &self.name
    }

    fn arities(&self) -> &[usize] {
        &[2, 3, 4]
    }

    fn call(&self, call: &mut NativeCall<'_>, args: Vec<Value>) -> Result<(), RuntimeError> {
        let Some((operation, reply)) = Operation::parse(&args) else {
            return Err(bad_arguments(&self.name, EXPECTED, &args));
        };
        let request = match &operation {
            Operation::Write { data, .. } => {
                charge_operation(call, data.len())?;
                format!(
                    "fs {} {} ({} bytes)",
                    operation.name(),
                    self.path,
                    data.len()
                )
            }
            _ => {
                charge_operation(call, 0)?;
                format!("fs {} {}", operation.name(), self.path)
            }
        };
        perform(call, &request, reply, || self.run(&operation))
    }
}

/// A regular file's contents, up to [`MAX_READ_BYTES`].
fn read_file(location: &std::path::Path) -> Result<Vec<u8>, String> {
    let file = fs::File::open(location).map_err(|e| describe(&e))?;
    let metadata = file.metadata().map_err(|e| describe(&e))?;
    if metadata.is_dir() {
        return Err("is a directory (use \"list\")".to_string());
    }
    let mut bytes = Vec::new();
    file.take(MAX_READ_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| describe(&e))?;
    if bytes.len() as u64 > MAX_READ_BYTES {
        return Err(format!(
            "the file is larger than the {MAX_READ_BYTES}-byte read limit"
        ));
    }
    Ok(bytes)
}

/// A directory's entry names, sorted; names that are not UTF-8 are shown
/// with replacement characters.
fn list_directory(location: &std::path::Path) -> Result<Value, String> {
    let mut names = Vec::new();
    for entry in fs::read_dir(location).map_err(|e| describe(&e))? {
        let entry = entry.map_err(|e| describe(&e))?;
        if names.len() == MAX_LIST_ENTRIES {
            return Err(format!(
                "the directory has more than {MAX_LIST_ENTRIES} entries"
            ));
        }
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(Value::list(names.into_iter().map(Value::string)))
}
