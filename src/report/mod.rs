//! Output types: the schema of every `--json` output, one documented serde type per command.
//!
//! The CLI and the Python package (`python/`) both build these types through the functions of
//! this module and serialize them, so the two fronts emit the same schema (the way ripgrep's
//! `printer/json.rs` documents its messages). Each type's doc comment states the schema; field
//! docs state the meaning and units.
//!
//! | command | type |
//! |---|---|
//! | `prism classify --json` | [`ClassifyReport`] (a [`Classification`] and its spectrum) |
//! | `prism faces --json` | `Vec<`[`FaceEntry`]`>` |
//! | `prism hierarchy --json` | [`HierarchyReport`] |
//! | `prism expand --json` | `Vec<`[`ExpandEntry`]`>` |
//! | `prism limit --json` | [`LimitReport`] |
//! | `prism simulate --json` | [`SimulateReport`] |
//! | `prism check --json` | [`CheckReport`] |
//! | `prism check-claims --json` | [`ClaimsReport`] |
//!
//! Serialization: [`to_json`] prints a report the way the CLI does. Objects of the reports built
//! here ([`FaceEntry`] ... [`ClaimsReport`]) are printed with their keys in sorted order (they go
//! through [`serde_json::Value`], whose maps are sorted); [`Classification`] and
//! [`CheckReport`] keep their declaration order. Non-finite floats print as `null`.
//!
//! The tidy CSV shared by `simulate --csv`, `limit --csv` and `check --csv` is [`tidy`].

pub mod classify;
pub mod expand;
pub mod faces;
pub mod hierarchy;
pub mod limit;
pub mod simulate;
pub mod text;
pub mod tidy;

pub use crate::check::run::CheckReport;
pub use crate::polytope::Classification;
pub use classify::ClassifyReport;
pub use expand::{ExpandEntry, ExpandTerm};
pub use faces::{faces, FaceEntry};
pub use hierarchy::{HierarchyReport, PrismFitReport, SupportOrder};
pub use limit::{compute_limit, LimitOutcome, LimitReport, LimitRequest};
pub use simulate::{Normalized, SimMeta, SimulateReport, SpecMeta};

use serde::{Serialize, Serializer};

use crate::check::claims_file::ClaimOutcome;

/// Errors while building a report (the phases it calls into).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A face, constant or curve could not be evaluated.
    #[error(transparent)]
    Regime(#[from] crate::regimes::RegimeError),
    /// The exact expansion failed.
    #[error(transparent)]
    Expansion(#[from] crate::expansion::ExpansionError),
    /// The spec could not be classified.
    #[error(transparent)]
    Classify(#[from] crate::polytope::ClassifyError),
}

/// An output file or directory that cannot be used (refused before the work starts, or a
/// failed write after it).
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output directory exists and is not a directory.
    #[error("{0}: exists and is not a directory")]
    NotADirectory(String),
    /// The output directory cannot be created.
    #[error("{0}: cannot create it: {1}")]
    Create(String, std::io::Error),
    /// Nothing can be written into the output directory.
    #[error("{0}: cannot write into it: {1}")]
    Unwritable(String, std::io::Error),
    /// A file could not be written.
    #[error("cannot write {0}: {1}")]
    Write(String, std::io::Error),
}

/// Make sure `dir` exists (created with its parents) and is writable, before minutes of work
/// are spent on what goes into it: a probe file is written and removed.
pub fn check_out_dir(dir: &std::path::Path) -> Result<(), OutputError> {
    let shown = dir.display().to_string();
    if dir.exists() && !dir.is_dir() {
        return Err(OutputError::NotADirectory(shown));
    }
    std::fs::create_dir_all(dir).map_err(|e| OutputError::Create(shown.clone(), e))?;
    let probe = dir.join(".prism-write-test");
    std::fs::write(&probe, b"")
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|e| OutputError::Unwritable(shown, e))
}

/// Write `files` (name, contents) into the directory `dir`, naming the file that fails.
pub fn write_files<S: AsRef<[u8]>>(
    dir: &std::path::Path,
    files: impl IntoIterator<Item = (&'static str, S)>,
) -> Result<(), OutputError> {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text)
            .map_err(|e| OutputError::Write(path.display().to_string(), e))?;
    }
    Ok(())
}

/// How a command's result is rendered: the readable text, `--json` or the tidy `--csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The readable report.
    Text,
    /// One JSON object (the command's report type).
    Json,
    /// The tidy CSV ([`tidy`]), header first.
    Csv,
}

impl Format {
    /// From the `--json` and `--csv` flags (JSON when both are set; the CLI refuses that).
    pub fn from_flags(json: bool, csv: bool) -> Format {
        match (json, csv) {
            (true, _) => Format::Json,
            (false, true) => Format::Csv,
            (false, false) => Format::Text,
        }
    }
}

/// The output of `prism check`: the [`CheckReport`] as JSON (declaration order, trailing new
/// line), its tidy CSV rows (the limit, then each size's means), or the readable report.
pub fn render_check(report: &CheckReport, format: Format) -> serde_json::Result<String> {
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(report)? + "\n",
        Format::Csv => format!("{}\n{}", tidy::HEADER, tidy::check_rows(report)),
        Format::Text => text::check(report),
    })
}

/// The CLI's `--json` text of a report: pretty-printed, keys of the report objects sorted.
pub fn to_json<T: Serialize>(v: &T) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&serde_json::to_value(v)?)
}

/// A count or size that may be infinite: serializes as the number, or as the string `"inf"`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OrInf<T> {
    /// A finite value.
    Finite(T),
    /// Infinity (N = inf, alpha = inf).
    Inf,
}

impl<T> From<Option<T>> for OrInf<T> {
    fn from(o: Option<T>) -> Self {
        o.map_or(OrInf::Inf, OrInf::Finite)
    }
}

impl<T: Serialize> Serialize for OrInf<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            OrInf::Finite(v) => v.serialize(s),
            OrInf::Inf => s.serialize_str("inf"),
        }
    }
}

/// `prism check-claims --json`: `{"claims": [ClaimOutcome...], "failed": k, "unchecked": u}`.
#[derive(Clone, Debug, Serialize)]
pub struct ClaimsReport {
    /// One outcome per `expect` line, in file order (`line`, `col`, `text`, `holds`, `status`,
    /// `detail`).
    pub claims: Vec<ClaimOutcome>,
    /// How many claims are false.
    pub failed: usize,
    /// How many claims could not be checked (never counted as false).
    pub unchecked: usize,
}

impl ClaimsReport {
    /// Wrap the outcomes, counting the false and the unchecked claims.
    pub fn new(claims: Vec<ClaimOutcome>) -> Self {
        use crate::check::claims_file::ClaimStatus;
        let count = |s: ClaimStatus| claims.iter().filter(|o| o.status == s).count();
        let (failed, unchecked) = (count(ClaimStatus::False), count(ClaimStatus::Unchecked));
        ClaimsReport {
            claims,
            failed,
            unchecked,
        }
    }
}
