//! Reading a spec from an argument, a file (`-f FILE`) or standard input (`-`).
//!
//! Input is bounded: at most [`MAX_INPUT_BYTES`] are read (a spec is a few lines; `- <
//! /dev/zero` must not read gigabytes), it must be UTF-8, and a leading UTF-8 byte-order mark
//! is dropped.

use super::CliError;
use std::io::Read;
use std::path::Path;

/// Largest spec or claims input accepted: 1 MiB.
pub const MAX_INPUT_BYTES: u64 = 1 << 20;

/// `s` shortened to at most `max` characters, keeping its start and end: `abc…(5000 chars)…xyz`.
pub fn elide(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max * 2 / 3).collect();
    let tail: String = s.chars().skip(n - max / 4).collect();
    format!("{head}…({n} characters)…{tail}")
}

/// Read at most [`MAX_INPUT_BYTES`] from `r`; `what` names the source in errors.
pub fn read_bounded(mut r: impl Read, what: &str) -> Result<String, CliError> {
    let mut buf = Vec::new();
    r.by_ref()
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::user(format!("cannot read {what}: {e}")))?;
    if buf.len() as u64 > MAX_INPUT_BYTES {
        return Err(CliError::user(format!(
            "{what} is larger than {} MiB: a spec or claims file is a few lines of text (is this the right file?)",
            MAX_INPUT_BYTES >> 20
        )));
    }
    let text = String::from_utf8(buf).map_err(|e| {
        CliError::user(format!(
            "{what} is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Read a spec or claims file, or standard input for `-`.
pub fn read_source(path: &Path) -> Result<String, CliError> {
    if path.as_os_str() == "-" {
        return read_bounded(std::io::stdin().lock(), "standard input");
    }
    let shown = path.display().to_string();
    if path.is_dir() {
        return Err(CliError::user(format!(
            "cannot read {shown}: it is a directory"
        )));
    }
    let f = std::fs::File::open(path)
        .map_err(|e| CliError::user(format!("cannot read {shown}: {e}")))?;
    read_bounded(f, &shown)
}

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
            return read_source(path).map(Some);
        }
        match self.spec.as_deref() {
            Some("-") => read_source(Path::new("-")).map(Some),
            Some(s) => {
                if s.len() as u64 > MAX_INPUT_BYTES {
                    return Err(CliError::user(format!(
                        "the SPEC argument is larger than {} MiB",
                        MAX_INPUT_BYTES >> 20
                    )));
                }
                Ok(Some(s.strip_prefix('\u{feff}').unwrap_or(s).to_string()))
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

    /// Parse the spec, rendering errors with their position. A `spectrum = LAW` other than
    /// the identity is refused ([`require_isotropic`]).
    pub fn parse(&self) -> Result<prism::spec::Spec, CliError> {
        let text = self.text()?;
        let spec = prism::spec::Spec::parse(&text)
            .map_err(|e| CliError::user(format!("invalid spec: {e}")))?;
        require_isotropic(&spec)?;
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_tokens_are_elided_and_bom_dropped() {
        let long = "x".repeat(5_000_000);
        let e = elide(&long, 40);
        assert!(e.len() < 100 && e.contains("5000000 characters"), "{e}");
        assert_eq!(elide("short", 40), "short");
        let t = read_bounded("\u{feff}p = n".as_bytes(), "t").unwrap();
        assert_eq!(t, "p = n");
        let big = vec![b' '; (MAX_INPUT_BYTES + 10) as usize];
        assert!(read_bounded(&big[..], "t")
            .unwrap_err()
            .message
            .contains("MiB"));
        assert!(read_bounded(&[0xff, 0xfe][..], "t").is_err());
    }
}
/// Refuse a spec with a non-identity `spectrum = LAW`: the commands that take a spec do not
/// use the covariance spectrum yet (THEORY 9; issue 14), and ignoring it would silently give
/// isotropic results.
pub fn require_isotropic(spec: &prism::spec::Spec) -> Result<(), CliError> {
    if spec.spectrum.is_identity() {
        return Ok(());
    }
    Err(CliError::user(format!(
        "`spectrum = {}` is parsed, but this command does not support anisotropic data yet \
         (classification, limits, simulation and checks with a covariance spectrum are not \
         implemented); remove the statement, or use `prism expand --anisotropic` for the exact \
         expansion with the spectral moments m_k = tr(Sigma^k)/p",
        spec.spectrum
    )))
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

/// `--spectrum` of `simulate`: the spectrum sampler of the fast mode.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum SpectrumArg {
    /// The bidiagonal (Dumitriu-Edelman) model.
    Bidiagonal,
    /// A dense Wishart matrix.
    Dense,
}

impl From<SpectrumArg> for prism::sim::SpectrumMethod {
    fn from(a: SpectrumArg) -> Self {
        match a {
            SpectrumArg::Bidiagonal => Self::Bidiagonal,
            SpectrumArg::Dense => Self::Dense,
        }
    }
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
