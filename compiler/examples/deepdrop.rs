//! Compiles `[[[...1...]]]` N deep on an 8 MiB thread and drops the result there.
fn main() {
    let depth: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let shape = std::env::args().nth(2).unwrap_or_else(|| "list".to_owned());
    let source = match shape.as_str() {
        "send" => format!(
            "new x in {{ {}Nil{} }}",
            "x!(".repeat(depth),
            ")".repeat(depth)
        ),
        "for" => format!(
            "new x in {{ {}Nil{} }}",
            "for (y <- x) { ".repeat(depth),
            " }".repeat(depth)
        ),
        _ => format!("{}1{}", "[".repeat(depth), "]".repeat(depth)),
    };
    let ok = std::thread::Builder::new()
        .stack_size(8 * 1024 * 1024)
        .spawn(move || rhoc::frontend::compile_source("deep.rho", &source).is_ok())
        .expect("thread")
        .join()
        .expect("no panic");
    println!("{shape} {depth}: ok={ok}");
}
