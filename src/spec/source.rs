//! Reading a spec or claims file: bounded, UTF-8, without a leading byte-order mark.
//!
//! At most [`MAX_INPUT_BYTES`] are read (a spec is a few lines; `- < /dev/zero` must not read
//! gigabytes), the text must be UTF-8, and a leading UTF-8 byte-order mark is dropped.

use std::io::Read;
use std::path::Path;

use super::spectrum::{SpectrumError, SpectrumLaw};

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
