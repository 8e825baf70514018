//! Prints the normalized Par of a file (Debug and text), for debugging.
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        return;
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    match rhoc::frontend::compile_source(&path, &text) {
        Ok(normalized) => {
            println!("{:#?}", normalized.par);
            println!("{}", rho_host_abi::print_par(&normalized.par));
            println!("source map entries: {}", normalized.source_map.len());
        }
        Err(diagnostics) => print!(
            "{}",
            rhoc::diagnostic::SourceFile::new(&path, &text).render_all(&diagnostics)
        ),
    }
}
