//! `mtus generate`: realistic synthetic cases for benchmarks and tests.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use mtus::RuleSet;
use mtus::generate::Generator;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GenerateFormat {
    /// One case per line.
    Jsonl,
    /// One YAML file per case, a thousand to a subfolder.
    YamlDir,
}

#[derive(clap::Args)]
pub struct GenerateArgs {
    /// The same seed gives the same cases.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How many cases.
    #[arg(long, default_value_t = 100)]
    pub count: u64,
    #[arg(long, value_enum, default_value_t = GenerateFormat::Jsonl)]
    pub format: GenerateFormat,
    /// Where to write: a file for jsonl (default: standard output), a
    /// folder for yaml-dir (required).
    #[arg(long, short, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Share of recorded determinations that agree with the rules (0 to 1).
    #[arg(long, default_value_t = 0.85)]
    pub agreement: f64,
    /// Write over an existing file (jsonl), or into a folder that is not
    /// empty (yaml-dir); without it, either is refused.
    #[arg(long)]
    pub force: bool,
    /// Share of cases (0 to 1) written with extreme numbers: zero, a
    /// fact's maximum and just past it, the rules' thresholds and just
    /// past them, huge, negative and non-finite values. Such cases test
    /// the loader: many of them are rejected, on purpose.
    #[arg(long, value_name = "SHARE", default_value_t = 0.0)]
    pub extremes: f64,
    /// Threads to generate on (default: one per core); the cases are the
    /// same whatever the number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

pub fn run(rules: &RuleSet, args: &GenerateArgs) -> Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.agreement) {
        bail!("--agreement is a share from 0 to 1, found {}", args.agreement);
    }
    if !(0.0..=1.0).contains(&args.extremes) {
        bail!("--extremes is a share from 0 to 1, found {}", args.extremes);
    }
    let mut g = Generator::new(rules, args.seed)?;
    g.options.agreement = args.agreement;
    g.options.extremes = args.extremes;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.map_or(0, usize::from))
        .build()
        .context("cannot start the worker threads")?;
    pool.install(|| -> Result<()> {
        match (args.format, &args.out) {
            (GenerateFormat::Jsonl, None) => {
                let mut out = std::io::stdout();
                match g.write_jsonl(args.count, &mut out, "standard output") {
                    Err(mtus::generate::GenerateError::Io { source, .. })
                        if source.kind() == std::io::ErrorKind::BrokenPipe =>
                    {
                        Ok(())
                    }
                    r => Ok(r?),
                }
            }
            (GenerateFormat::Jsonl, Some(path)) => {
                let mut f = super::common::create_output(path, args.force)?;
                Ok(g.write_jsonl(args.count, &mut f, &path.display().to_string())?)
            }
            (GenerateFormat::YamlDir, Some(dir)) => {
                let shown = mtus::report::escape_terminal(&dir.display().to_string()).into_owned();
                if !args.force {
                    if let Ok(mut entries) = std::fs::read_dir(dir) {
                        if entries.next().is_some() {
                            bail!("the folder {shown} is not empty; give --force to write into it");
                        }
                    } else if dir.exists() {
                        bail!("{shown} is not a folder that can be read");
                    }
                }
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {shown}"))?;
                Ok(g.write_yaml_dir(args.count, dir)?)
            }
            (GenerateFormat::YamlDir, None) => bail!("--format yaml-dir needs --out FOLDER"),
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
