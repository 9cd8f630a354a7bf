//! The spec source flags (argument, `-f FILE`, or `-` for standard input) and the value
//! enums shared by several commands.

use super::CliError;
use prism::spec::{read_source, strip_bom, MAX_INPUT_BYTES};
use std::path::Path;

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
            return Ok(Some(read_source(path)?));
        }
        match self.spec.as_deref() {
            Some("-") => Ok(Some(read_source(Path::new("-"))?)),
            Some(s) => {
                if s.len() as u64 > MAX_INPUT_BYTES {
                    return Err(CliError::user(format!(
                        "the SPEC argument is larger than {} MiB",
                        MAX_INPUT_BYTES >> 20
                    )));
                }
                Ok(Some(strip_bom(s).to_string()))
            }
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

    /// Parse the spec and keep its `spectrum = LAW`, a `file("...")` law read relative to the
    /// spec file's directory (the working directory for an inline spec or standard input).
    pub fn parse_with_spectrum(&self) -> Result<prism::spec::Spec, CliError> {
        let text = self.text()?;
        let mut spec = prism::spec::Spec::parse(&text)
            .map_err(|e| CliError::user(format!("invalid spec: {e}")))?;
        let base = self
            .file
            .as_deref()
            .and_then(Path::parent)
            .filter(|d| !d.as_os_str().is_empty());
        spec.spectrum = resolve_spectrum(spec.spectrum, base)?;
        Ok(spec)
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
    s.parse()
        .map_err(|e: prism::regimes::UnknownFace| e.to_string())
}

/// `--integrator` of `simulate`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum IntegratorArg {
    /// Gradient descent (THEORY 1).
    Euler,
    /// The flow, classical Runge-Kutta with a fixed step.
    Rk4,
    /// The flow, Dormand-Prince 5(4) with error control.
    Adaptive,
}

impl From<IntegratorArg> for prism::sim::Integrator {
    fn from(a: IntegratorArg) -> Self {
        match a {
            IntegratorArg::Euler => Self::Euler,
            IntegratorArg::Rk4 => Self::Rk4,
            IntegratorArg::Adaptive => Self::Adaptive,
        }
    }
}

/// `--sampler` of `simulate`: how the fast mode draws the spectrum of S when Sigma = I.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum SamplerArg {
    /// The bidiagonal (Dumitriu-Edelman) model.
    Bidiagonal,
    /// A dense Wishart matrix.
    Dense,
}

impl From<SamplerArg> for prism::sim::SpectrumMethod {
    fn from(a: SamplerArg) -> Self {
        match a {
            SamplerArg::Bidiagonal => Self::Bidiagonal,
            SamplerArg::Dense => Self::Dense,
        }
    }
}

/// Read a `file("...")` law (relative to `base`, the spec file's directory; `None`: the
/// working directory); other laws unchanged. Errors carry the file, line and a hint.
pub fn resolve_spectrum(
    law: prism::spec::SpectrumLaw,
    base: Option<&Path>,
) -> Result<prism::spec::SpectrumLaw, CliError> {
    prism::spec::resolve_spectrum(law, base)
        .map_err(|e| CliError::user(format!("{e}\nhint: {}", e.hint())))
}

/// `--format`: how exact coefficients are printed.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    /// Plain text (`3/2*q^2*r`).
    Text,
    /// LaTeX (`\frac{3}{2} q^{2} r`).
    Latex,
    /// SymPy (`Rational(3, 2)*q**2*r`).
    Sympy,
}

impl From<FormatArg> for prism::poly::PolyFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Text => Self::Text,
            FormatArg::Latex => Self::Latex,
            FormatArg::Sympy => Self::Sympy,
        }
    }
}
