//! The standard library's contracts, written in Rholang and embedded in the
//! binary.
//!
//! Each library is a Rholang program that binds its own URI, e.g.
//!
//! ```rholang
//! new listOps(`rho:lang:listOps`) in {
//!   contract listOps(@"map", @list, f, ret) = { ... }
//! }
//! ```
//!
//! The powerbox binds each library URI to a fixed unforgeable channel
//! ([`rho_runtime::native::uri_channel`]), so the library and the programs
//! that use it meet on the same channel. A runner (the `rhoc` CLI) runs the
//! libraries a program mentions as preludes, before the program, in the same
//! tuplespace: see [`needed_by`].

use rho_runtime::native::{Powerbox, uri_channel};

/// One library contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Library {
    /// The URI it is reached through, e.g. `rho:lang:listOps`.
    pub uri: &'static str,
    /// Its file name under `stdlib/rholang/`, for messages.
    pub file: &'static str,
    /// Its Rholang source.
    pub source: &'static str,
}

/// Every library, in the order preludes run: a library comes after the ones
/// it uses, so their contracts are in place when its own code runs.
pub const LIBRARIES: &[Library] = &[
    Library {
        uri: "rho:lang:listOps",
        file: "listOps.rho",
        source: include_str!("../rholang/listOps.rho"),
    },
    Library {
        uri: "rho:lang:either",
        file: "either.rho",
        source: include_str!("../rholang/either.rho"),
    },
    Library {
        uri: "rho:lang:hashMap",
        file: "hashMap.rho",
        source: include_str!("../rholang/hashMap.rho"),
    },
];

/// Binds the library's URIs.
pub fn install(powerbox: &mut Powerbox) {
    for library in LIBRARIES {
        powerbox.bind_value(library.uri, uri_channel(library.uri));
    }
}

/// The libraries a program needs: those whose URI its text mentions (in
/// Rholang source, a compiled module's bytes or a normalized Par's
/// encoding, a URI appears verbatim), and the ones those need, in
/// [`LIBRARIES`] order. Mentioning a URI in a comment loads a library that
/// is not used, which costs time but changes nothing else.
pub fn needed_by(program: &[u8]) -> Vec<&'static Library> {
    let mut needed = vec![false; LIBRARIES.len()];
    let mut pending = vec![program];
    while let Some(text) = pending.pop() {
        for (index, library) in LIBRARIES.iter().enumerate() {
            if !needed[index] && mentions(text, library.uri) {
                needed[index] = true;
                pending.push(library.source.as_bytes());
            }
        }
    }
    LIBRARIES
        .iter()
        .zip(needed)
        .filter_map(|(library, needed)| needed.then_some(library))
        .collect()
}

fn mentions(text: &[u8], uri: &str) -> bool {
    let uri = uri.as_bytes();
    text.windows(uri.len()).enumerate().any(|(at, window)| {
        window == uri
            && !text
                .get(at + uri.len())
                .is_some_and(|next| next.is_ascii_alphanumeric())
    })
}
