//! Generates the Rholang parser from `src/syntax/grammar.lalrpop` into
//! `OUT_DIR/syntax/grammar.rs`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=src/syntax/grammar.lalrpop");
    lalrpop::Configuration::new()
        .use_cargo_dir_conventions()
        .emit_rerun_directives(false)
        .process()
}
