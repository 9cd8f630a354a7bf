//! The spec source flags (argument, `-f FILE`, or `-` for standard input) and the value
//! parsers of enumerated flags and faces shared by several commands.

use super::CliError;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use prism::spec::{read_law, InputError, Source, Spec, SpectrumLaw};
use prism::values::Choice;

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
    /// The source given (None: no SPEC and no `-f FILE`).
    pub fn source(&self) -> Option<Source> {
        Source::from_flags(self.spec.as_deref(), self.file.as_deref())
    }

    /// Parse the spec and keep its `spectrum = LAW`, a `file("...")` law read relative to the
    /// spec file's directory (the working directory for an inline spec or standard input).
    pub fn parse_with_spectrum(&self) -> Result<Spec, InputError> {
        self.source().ok_or(InputError::Missing)?.parse_resolved()
    }
}

/// A spectral law given by a flag (`--limit-spectrum LAW`), a `file("...")` path relative to
/// the working directory; errors name the flag.
pub fn law_flag(flag: &str, text: &str) -> Result<SpectrumLaw, CliError> {
    read_law(text, None).map_err(|e| match e {
        InputError::Law(e) => CliError::user(format!("{flag}: {e}")),
        e => e.into(),
    })
}

/// The value parser of an enumerated flag (`--mode`, `--integrator`, `--sampler`,
/// `--format`): the library type's [`Choice`]s, each shown with its help in `--help`.
pub fn choice<T: Choice + Send + Sync>() -> impl TypedValueParser<Value = T> {
    let values = T::CHOICES
        .iter()
        .map(|&(name, help, _)| PossibleValue::new(name).help(help));
    PossibleValuesParser::new(values).try_map(|s| prism::values::choose::<T>(&s))
}

/// The flag parser for a face (`--face`, `--explain`, `--formula`): a name such as
/// `small-data+narrow-latent` (2-faces in any order), or a label F1..F5, E1..E9, V1..V6.
pub fn parse_face(s: &str) -> Result<prism::regimes::Regime, String> {
    s.parse()
        .map_err(|e: prism::regimes::UnknownFace| e.to_string())
}
