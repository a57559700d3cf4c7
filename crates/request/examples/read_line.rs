//! Reads request lines (arguments, or one a line on standard input) and
//! prints what was read: `cargo run --example read_line -- "Norco 10/325 mg #120"`.

use mtus_request::{NoVocabulary, read, render};
use std::io::BufRead;

fn show(line: &str) {
    let r = read(line, &NoVocabulary);
    println!("{line}\n{}  render: {}\n", r.summary(true), render(&r));
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            show(&line);
        }
    } else {
        args.iter().for_each(|l| show(l));
    }
}
