//! Native timings of the same cases the Node script times in wasm: reads the case list
//! (JSON lines: label, transfer syntax, geometry, codestream file) from stdin, prints one JSON
//! line per case with min and median milliseconds per decode.

use std::io::BufRead;
use std::time::Instant;

use viewer_core_bench::decode_checksum;

fn field<'a>(line: &'a str, name: &str) -> &'a str {
    let key = format!("\"{name}\":");
    let start = line.find(&key).map(|i| i + key.len()).unwrap_or(line.len());
    let rest = line[start..].trim_start();
    let rest = rest.strip_prefix('"').unwrap_or(rest);
    let end = rest.find(['"', ',', '}']).unwrap_or(rest.len());
    &rest[..end]
}

fn main() {
    let runs: usize = std::env::var("N").ok().and_then(|n| n.parse().ok()).unwrap_or(30);
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("readable stdin");
        let (label, uid, file) = (field(&line, "label"), field(&line, "uid"), field(&line, "file"));
        let num = |name| field(&line, name).parse::<u16>().expect("number");
        let bytes = std::fs::read(file).expect("codestream file");
        let run = || {
            decode_checksum(uid, num("rows"), num("columns"), num("spp"), num("bits"), field(&line, "signed") == "true", field(&line, "photometric"), &bytes)
        };
        let checksum = run();
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(run());
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "{{\"label\":\"{label}\",\"checksum\":{checksum},\"min_ms\":{:.3},\"median_ms\":{:.3}}}",
            times[0],
            times[runs / 2]
        );
    }
}
