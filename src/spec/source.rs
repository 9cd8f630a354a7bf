//! Reading a spec or claims file: bounded, UTF-8, without a leading byte-order mark.
//!
//! At most [`MAX_INPUT_BYTES`] are read (a spec is a few lines; `- < /dev/zero` must not read
//! gigabytes), the text must be UTF-8, and a leading UTF-8 byte-order mark is dropped.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::spectrum::{SpectrumError, SpectrumLaw};
use super::{Spec, SpecError};

/// Largest spec or claims input accepted: 1 MiB.
pub const MAX_INPUT_BYTES: u64 = 1 << 20;

/// A source that cannot be read as a spec (the message names it).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct SourceError(pub String);

/// Read at most [`MAX_INPUT_BYTES`] from `r`; `what` names the source in errors.
pub fn read_bounded(mut r: impl Read, what: &str) -> Result<String, SourceError> {
    let mut buf = Vec::new();
    r.by_ref()
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| SourceError(format!("cannot read {what}: {e}")))?;
    if buf.len() as u64 > MAX_INPUT_BYTES {
        return Err(SourceError(format!(
            "{what} is larger than {} MiB: a spec or claims file is a few lines of text (is this the right file?)",
            MAX_INPUT_BYTES >> 20
        )));
    }
    let text = String::from_utf8(buf).map_err(|e| {
        SourceError(format!(
            "{what} is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok(strip_bom(&text).to_string())
}

/// `text` without a leading UTF-8 byte-order mark.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Read a spec or claims file, or standard input for `-`.
pub fn read_source(path: &Path) -> Result<String, SourceError> {
    if path.as_os_str() == "-" {
        return read_bounded(std::io::stdin().lock(), "standard input");
    }
    let shown = path.display().to_string();
    if path.is_dir() {
        return Err(SourceError(format!(
            "cannot read {shown}: it is a directory"
        )));
    }
    let f =
        std::fs::File::open(path).map_err(|e| SourceError(format!("cannot read {shown}: {e}")))?;
    read_bounded(f, &shown)
}

/// Read the eigenvalue file of a `file("...")` law: at most
/// [`crate::spec::spectrum::MAX_EIGENVALUE_FILE_BYTES`], UTF-8, byte-order mark dropped.
pub fn read_eigenvalue_file(path: &Path) -> Result<String, SourceError> {
    let shown = path.display().to_string();
    let cap = crate::spec::spectrum::MAX_EIGENVALUE_FILE_BYTES;
    if path.is_dir() {
        return Err(SourceError(format!("{shown} is a directory")));
    }
    let f = std::fs::File::open(path).map_err(|e| SourceError(format!("{shown}: {e}")))?;
    let mut buf = Vec::new();
    f.take(cap + 1)
        .read_to_end(&mut buf)
        .map_err(|e| SourceError(format!("{shown}: {e}")))?;
    if buf.len() as u64 > cap {
        return Err(SourceError(format!(
            "{shown} is larger than {} MiB",
            cap >> 20
        )));
    }
    let text = String::from_utf8(buf).map_err(|e| {
        SourceError(format!(
            "{shown} is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok(strip_bom(&text).to_string())
}

/// Read the eigenvalue file of a `file("...")` law, its path taken relative to `base` (the
/// directory of the spec file that names it; `None`: the working directory), and turn it into
/// the empirical law ([`SpectrumLaw::empirical`], errors with the line and a hint). Other laws
/// are returned unchanged.
pub fn resolve_spectrum(
    law: SpectrumLaw,
    base: Option<&Path>,
) -> Result<SpectrumLaw, SpectrumError> {
    law.resolve(|p| {
        let path = match base {
            Some(b) if !Path::new(p).is_absolute() => b.join(p),
            _ => Path::new(p).to_path_buf(),
        };
        read_eigenvalue_file(&path)
    })
}

/// Where a spec comes from: the text itself (a command-line argument, a Python string), a
/// file, or standard input. A `file("...")` law in the spec is read relative to the spec
/// file's directory ([`Source::base_dir`]), else relative to the working directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The spec text as given.
    Text(String),
    /// A spec file.
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
}

/// A spec that cannot be read, parsed or used; [`InputError::hint`] says what to do where the
/// message alone does not.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    /// No source was given.
    #[error("no spec given: pass it as an argument (\"p = n; H = n; sigma2 = n^-1\"), with -f FILE, or - for stdin")]
    Missing,
    /// The text given as an argument is over [`MAX_INPUT_BYTES`].
    #[error("the SPEC argument is larger than {} MiB", MAX_INPUT_BYTES >> 20)]
    TooLarge,
    /// The file or standard input cannot be read.
    #[error(transparent)]
    Read(#[from] SourceError),
    /// The text is not a valid spec.
    #[error("invalid spec: {0}")]
    Invalid(Box<SpecError>),
    /// A spectral law written on its own (`--spectrum LAW`) is not valid.
    #[error("{0}")]
    Law(Box<SpecError>),
    /// The `file("...")` law cannot be read or is not a law (the message ends with the
    /// law's hint, on a line `hint: ...`).
    #[error("{0}\nhint: {hint}", hint = .0.hint())]
    Spectrum(#[from] SpectrumError),
}

impl From<SpecError> for InputError {
    fn from(e: SpecError) -> Self {
        InputError::Invalid(Box::new(e))
    }
}

impl InputError {
    /// What to do about it, where the message does not say it already (a spectral law's
    /// error: the law's own hint).
    pub fn hint(&self) -> Option<String> {
        match self {
            InputError::Spectrum(e) => Some(e.hint()),
            _ => None,
        }
    }
}

impl Source {
    /// The source of the usual flags: `-f FILE`, else the argument (`-`: standard input).
    pub fn from_flags(spec: Option<&str>, file: Option<&Path>) -> Option<Source> {
        match (file, spec) {
            (Some(f), _) => Some(Source::File(f.to_path_buf())),
            (None, Some("-")) => Some(Source::Stdin),
            (None, Some(s)) => Some(Source::Text(s.to_string())),
            (None, None) => None,
        }
    }

    /// The source of a path argument: `-` is standard input.
    pub fn path(path: &Path) -> Source {
        match path.as_os_str() == "-" {
            true => Source::Stdin,
            false => Source::File(path.to_path_buf()),
        }
    }

    /// The directory `file("...")` laws are relative to: the spec file's (None: the working
    /// directory, for a text or standard input).
    pub fn base_dir(&self) -> Option<&Path> {
        match self {
            Source::File(f) => f.parent().filter(|d| !d.as_os_str().is_empty()),
            _ => None,
        }
    }

    /// The spec text: bounded by [`MAX_INPUT_BYTES`], UTF-8, without a byte-order mark.
    pub fn read(&self) -> Result<String, InputError> {
        match self {
            Source::File(path) => Ok(read_source(path)?),
            Source::Stdin => Ok(read_source(Path::new("-"))?),
            Source::Text(s) if s.len() as u64 > MAX_INPUT_BYTES => Err(InputError::TooLarge),
            Source::Text(s) => Ok(strip_bom(s).to_string()),
        }
    }

    /// The spec, with its `spectrum = LAW` kept as written (a `file("...")` law not read).
    pub fn parse(&self) -> Result<Spec, InputError> {
        Ok(Spec::parse(&self.read()?)?)
    }

    /// The spec with its `spectrum = LAW` resolved: a `file("...")` law is read relative to
    /// [`Source::base_dir`].
    pub fn parse_resolved(&self) -> Result<Spec, InputError> {
        let mut spec = self.parse()?;
        spec.spectrum = resolve_spectrum(spec.spectrum, self.base_dir())?;
        Ok(spec)
    }
}

/// A spectral law written on its own (`--spectrum LAW`, Python's `spectrum=`), a `file("...")`
/// law read relative to `base` (None: the working directory).
pub fn read_law(text: &str, base: Option<&Path>) -> Result<SpectrumLaw, InputError> {
    let law = SpectrumLaw::parse(text).map_err(|e| InputError::Law(Box::new(e)))?;
    Ok(resolve_spectrum(law, base)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_is_bounded_utf8_without_bom() {
        let t = read_bounded("\u{feff}p = n".as_bytes(), "t").unwrap();
        assert_eq!(t, "p = n");
        let big = vec![b' '; (MAX_INPUT_BYTES + 10) as usize];
        assert!(read_bounded(&big[..], "t").unwrap_err().0.contains("MiB"));
        assert!(read_bounded(&[0xff, 0xfe][..], "t").is_err());
    }

    #[test]
    fn eigenvalue_files_resolve_relative_to_the_base() {
        let dir = std::env::temp_dir().join(format!("prism-eigs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("e.txt"), "# pca\n2\n1\n").unwrap();
        let law = SpectrumLaw::File {
            path: "e.txt".into(),
        };
        let r = resolve_spectrum(law.clone(), Some(&dir)).unwrap();
        assert_eq!(r.mean().unwrap(), crate::poly::frac(3, 2));
        let e = resolve_spectrum(law, Some(&dir.join("nowhere"))).unwrap_err();
        assert!(matches!(e, SpectrumError::Unreadable { .. }), "{e}");
        std::fs::write(dir.join("bad.txt"), "1\n\n-3\n").unwrap();
        let e = resolve_spectrum(
            SpectrumLaw::File {
                path: "bad.txt".into(),
            },
            Some(&dir),
        )
        .unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[cfg(test)]
mod source_tests {
    use super::*;

    #[test]
    fn sources_read_parse_and_resolve_relative_to_the_spec_file() {
        let dir = std::env::temp_dir().join(format!("prism-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("e.txt"), "1\n3\n").unwrap();
        let file = dir.join("s.spec");
        std::fs::write(
            &file,
            "\u{feff}p = n; H = n; sigma2 = n^-1; spectrum = file(\"e.txt\")",
        )
        .unwrap();
        let src = Source::from_flags(None, Some(&file)).unwrap();
        assert_eq!(src.base_dir(), Some(dir.as_path()));
        let spec = src.parse_resolved().unwrap();
        assert_eq!(spec.spectrum.mean().unwrap(), crate::poly::frac(2, 1));
        // An inline spec reads the law relative to the working directory: not found here.
        let text = std::fs::read_to_string(&file).unwrap();
        let inline = Source::from_flags(Some(&text), None).unwrap();
        assert_eq!(inline.base_dir(), None);
        let e = inline.parse_resolved().unwrap_err();
        assert!(
            matches!(e, InputError::Spectrum(_)) && e.hint().is_some(),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_sources_are_typed_errors() {
        assert_eq!(Source::from_flags(Some("-"), None), Some(Source::Stdin));
        assert_eq!(Source::from_flags(None, None), None);
        let big = Source::Text("p".repeat(MAX_INPUT_BYTES as usize + 1));
        assert_eq!(big.read().unwrap_err(), InputError::TooLarge);
        let bad = Source::Text("p = n; H =".into()).parse().unwrap_err();
        assert!(bad.to_string().starts_with("invalid spec: "), "{bad}");
        let missing = read_law("file(\"/nonexistent/prism/e.txt\")", None);
        assert!(matches!(missing, Err(InputError::Spectrum(_))));
        assert!(matches!(
            read_law("nonsense(", None),
            Err(InputError::Law(_))
        ));
    }
}
