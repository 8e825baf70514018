//! The runtime's own native processes: printing and hashing.
//!
//! Their channels are the reference's fixed unforgeable names (the one-byte
//! ids of its `FixedChannels`), so no Rholang term can forge them.

use blake2::Blake2b;
use blake2::digest::consts::U32;
use sha2::{Digest, Sha256};
use sha3::Keccak256;

use super::{FnProcess, NativeCall, Powerbox, bad_arguments, private_name};
use crate::error::RuntimeError;
use crate::value::Value;

/// Phlo per byte hashed (the reference charges hashing by input size).
pub const HASH_PHLO_PER_BYTE: u64 = 1;

/// The reference's fixed channel with one-byte id `id`.
pub fn fixed_channel(id: u8) -> Value {
    private_name(vec![id])
}

/// Binds the printing and hashing processes.
pub fn install(powerbox: &mut Powerbox) {
    let printers = [
        ("rho:io:stdout", 0, Stream::Stdout, false),
        ("rho:io:stdoutAck", 1, Stream::Stdout, true),
        ("rho:io:stderr", 2, Stream::Stderr, false),
        ("rho:io:stderrAck", 3, Stream::Stderr, true),
    ];
    for (uri, id, stream, ack) in printers {
        // The acknowledging printers take the channel to acknowledge on.
        let arities: &[usize] = if ack { &[2] } else { &[1] };
        powerbox.bind_process_at(
            uri,
            fixed_channel(id),
            FnProcess::shared(uri, arities, move |call, args| {
                print(call, args, stream, ack)
            }),
        );
    }
    hash_process(powerbox, "rho:crypto:sha256Hash", 5, |data| {
        Sha256::digest(data).to_vec()
    });
    hash_process(powerbox, "rho:crypto:keccak256Hash", 6, |data| {
        Keccak256::digest(data).to_vec()
    });
    hash_process(powerbox, "rho:crypto:blake2b256Hash", 7, |data| {
        Blake2b::<U32>::digest(data).to_vec()
    });
}

#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

fn print(
    call: &mut NativeCall<'_>,
    mut args: Vec<Value>,
    stream: Stream,
    ack: bool,
) -> Result<(), RuntimeError> {
    let ack_channel = if ack { args.pop() } else { None };
    let Some(value) = args.pop() else {
        return Ok(());
    };
    let line = value.print();
    match stream {
        Stream::Stdout => call.print_stdout(&line),
        Stream::Stderr => call.print_stderr(&line),
    }
    if let Some(ack_channel) = ack_channel {
        call.send(ack_channel, vec![Value::Nil]);
    }
    Ok(())
}

fn hash_process(powerbox: &mut Powerbox, uri: &'static str, id: u8, digest: fn(&[u8]) -> Vec<u8>) {
    let process = FnProcess::shared(uri, &[2], move |call, args| match args.as_slice() {
        [Value::Bytes(data), ret] => {
            call.charge(data.len() as u64 * HASH_PHLO_PER_BYTE)?;
            call.send(ret.clone(), vec![Value::Bytes(digest(data).into())]);
            Ok(())
        }
        _ => Err(bad_arguments(
            uri,
            "a byte array and a return channel",
            &args,
        )),
    });
    powerbox.bind_process_at(uri, fixed_channel(id), process);
}
