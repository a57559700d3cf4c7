//! Reads letters and prints the explain view: `cargo run -p mtus-letters --example read_letter -- FILE...`
fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let letter = if path.ends_with(".pdf") {
            mtus_letters::read_pdf(&bytes)
        } else {
            mtus_letters::read_text(&String::from_utf8_lossy(&bytes))
        };
        match letter {
            Ok(l) => {
                if std::env::var_os("LINES").is_some() {
                    for line in &l.lines {
                        println!("{} {}", line.place, line.text);
                    }
                }
                println!("== {path}\n{}", mtus_letters::explain(&l));
            }
            Err(e) => println!("== {path}\nerror: {e}"),
        }
    }
}
