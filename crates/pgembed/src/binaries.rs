//! Finding the PostgreSQL server binaries, and the version an existing cluster needs.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::EmbeddedError;
use crate::error::io_at;

/// The major version of an existing cluster (`pg/PG_VERSION`), if any.
pub(crate) fn read_cluster_version(pg_dir: &Path) -> Result<Option<String>, EmbeddedError> {
    let path = pg_dir.join("PG_VERSION");
    match fs::read_to_string(&path) {
        Ok(v) => Ok(Some(v.trim().to_owned())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_at(&path, e)),
    }
}

fn has_server_binaries(dir: &Path) -> bool {
    ["pg_ctl", "initdb", "postgres"]
        .iter()
        .all(|b| dir.join(b).is_file())
}

/// Directories holding PostgreSQL server binaries: those on PATH first, then
/// `/usr/lib/postgresql/*/bin`, highest version first.
fn candidate_bin_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.is_absolute() && has_server_binaries(d))
        .collect();
    let mut versioned: Vec<(Vec<u32>, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = version_key(&entry.file_name().to_string_lossy())?;
            let bin = entry.path().join("bin");
            has_server_binaries(&bin).then_some((version, bin))
        })
        .collect();
    versioned.sort_by(|a, b| b.0.cmp(&a.0));
    for (_, dir) in versioned {
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    dirs
}

/// "15" → [15], "9.6" → [9, 6]; None for anything else.
fn version_key(s: &str) -> Option<Vec<u32>> {
    s.split('.').map(|p| p.parse().ok()).collect()
}

/// Major version as PG_VERSION spells it ("15", "9.6"), from
/// `postgres --version` ("postgres (PostgreSQL) 15.14 (Debian ...)").
fn parse_server_version(output: &str) -> Option<String> {
    let rest = output.split("(PostgreSQL)").nth(1)?;
    let full = rest.split_whitespace().next()?;
    let parts: Vec<&str> = full
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let major: u32 = parts.first()?.parse().ok()?;
    if major >= 10 {
        Some(major.to_string())
    } else {
        Some(format!("{major}.{}", parts.get(1)?))
    }
}

async fn bin_version(dir: &Path) -> Option<String> {
    let output = tokio::process::Command::new(dir.join("postgres"))
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .await
        .ok()?;
    parse_server_version(&String::from_utf8_lossy(&output.stdout))
}

/// Picks the binaries: for an existing cluster, those of its version.
pub(crate) async fn find_bin_dir(
    pg_dir: &Path,
    cluster: Option<&str>,
) -> Result<PathBuf, EmbeddedError> {
    let candidates = candidate_bin_dirs();
    let Some(cluster) = cluster else {
        return candidates
            .into_iter()
            .next()
            .ok_or(EmbeddedError::BinariesNotFound);
    };
    if candidates.is_empty() {
        return Err(EmbeddedError::BinariesNotFound);
    }
    let mut found = Vec::new();
    for dir in candidates {
        match bin_version(&dir).await {
            Some(v) if v == cluster => return Ok(dir),
            Some(v) => found.push(v),
            None => {}
        }
    }
    found.dedup();
    Err(EmbeddedError::VersionMismatch {
        dir: pg_dir.to_path_buf(),
        cluster: cluster.to_owned(),
        found: if found.is_empty() {
            "unknown-version".to_owned()
        } else {
            found.join(", ")
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(
            parse_server_version("postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)\n"),
            Some("15".to_owned())
        );
        assert_eq!(
            parse_server_version("postgres (PostgreSQL) 9.6.24\n"),
            Some("9.6".to_owned())
        );
        assert_eq!(
            parse_server_version("postgres (PostgreSQL) 17beta1\n"),
            Some("17".to_owned())
        );
        assert_eq!(version_key("16"), Some(vec![16]));
        assert_eq!(version_key("9.6"), Some(vec![9, 6]));
        assert_eq!(version_key("common"), None);
    }
}
