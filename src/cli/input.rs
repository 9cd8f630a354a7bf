//! Reading a spec from an argument, a file (`-f FILE`) or standard input (`-`).

use super::CliError;
use std::io::Read;

/// The spec source flags shared by commands that take a spec.
#[derive(clap::Args, Debug, Clone)]
pub struct SpecInput {
    /// The spec text, e.g. "p = n; H = n^2; sigma2 = n^-2", or `-` to read standard input.
    #[arg(value_name = "SPEC")]
    pub spec: Option<String>,
    /// Read the spec from a file.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "spec"
    )]
    pub file: Option<std::path::PathBuf>,
}

impl SpecInput {
    /// The spec text, if any source was given.
    pub fn text_opt(&self) -> Result<Option<String>, CliError> {
        if let Some(path) = &self.file {
            return std::fs::read_to_string(path)
                .map(Some)
                .map_err(|e| CliError::user(format!("cannot read {}: {e}", path.display())));
        }
        match self.spec.as_deref() {
            Some("-") => {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .map_err(|e| CliError::user(format!("cannot read standard input: {e}")))?;
                Ok(Some(s))
            }
            Some(s) => Ok(Some(s.to_string())),
            None => Ok(None),
        }
    }

    /// The spec text; an error if none was given.
    pub fn text(&self) -> Result<String, CliError> {
        self.text_opt()?.ok_or_else(|| {
            CliError::user(
                "no spec given: pass it as an argument (\"p = n; H = n; sigma2 = n^-1\"), with -f FILE, or - for stdin",
            )
        })
    }

    /// Parse the spec, rendering errors with their position.
    pub fn parse(&self) -> Result<prism::spec::Spec, CliError> {
        let text = self.text()?;
        prism::spec::Spec::parse(&text).map_err(|e| CliError::user(format!("invalid spec: {e}")))
    }
}

/// `--mode`: the simulation engine family (the same flag in `simulate` and `check`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModeArg {
    /// The rotation-reduced engines (default).
    Fast,
    /// The original basis.
    Physical,
}

impl From<ModeArg> for prism::sim::Mode {
    fn from(m: ModeArg) -> Self {
        match m {
            ModeArg::Fast => prism::sim::Mode::Fast,
            ModeArg::Physical => prism::sim::Mode::Physical,
        }
    }
}

/// The flag parser for a face (`--face`, `--explain`, `--formula`): a name such as
/// `small-data+narrow-latent` (2-faces in any order), or a label F1..F5, E1..E9, V1..V6.
pub fn parse_face(s: &str) -> Result<prism::regimes::Regime, String> {
    prism::regimes::Regime::from_name(s).map_err(|e| e.to_string())
}
