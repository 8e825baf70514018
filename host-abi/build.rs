//! Generates the Par data model from `proto/RhoTypes.proto` (and the Wasm
//! module constant pool from `proto/Abi.proto`) with a pure-Rust
//! protobuf compiler (protox), so no `protoc` binary is needed.

use std::{env, fs, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = ["proto/RhoTypes.proto", "proto/Abi.proto"];
    for proto in protos {
        println!("cargo:rerun-if-changed={proto}");
    }
    let descriptors = protox::compile(protos, ["proto"])?;
    let mut config = prost_build::Config::new();
    config.btree_map(["."]);
    config.compile_fds(descriptors)?;

    // prost derives `Eq` and `Hash` only for messages that are not
    // recursive. Pars are compared and hashed structurally everywhere
    // (canonical form makes structural equality the same as equivalence),
    // so every message gets them.
    let generated = PathBuf::from(env::var("OUT_DIR")?).join("rho.rs");
    let source = fs::read_to_string(&generated)?
        .replace(
            "#[derive(Clone, PartialEq, ::prost::Message)]",
            "#[derive(Clone, PartialEq, Eq, Hash, ::prost::Message)]",
        )
        .replace(
            "#[derive(Clone, PartialEq, ::prost::Oneof)]",
            "#[derive(Clone, PartialEq, Eq, Hash, ::prost::Oneof)]",
        );
    fs::write(&generated, source)?;
    Ok(())
}
