//! Times `compile_source` on a file, for quick profiling.
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        return;
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    for _ in 0..rounds {
        let start = std::time::Instant::now();
        let result = rhoc::frontend::compile_source(&path, &text);
        let elapsed = start.elapsed();
        let entries = result.as_ref().map(|n| n.source_map.len()).unwrap_or(0);
        println!(
            "{elapsed:?} ok={} entries={entries} {:.2} MB/s",
            result.is_ok(),
            text.len() as f64 / 1e6 / elapsed.as_secs_f64()
        );
    }
}
