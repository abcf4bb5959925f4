//! The web crate's house rule (architecture.md): its sections stand side by side. A section
//! (meetings, agreements, budget, …) never names another section; what two of them share lives
//! one floor down in `shared`, which names no section; the route table and the application are
//! assembled above them. Read from the sources, so a new `use` that breaks the rule fails here.

use std::fs;
use std::path::{Path, PathBuf};

/// Modules of the crate root that are not sections: assembled above them, or below them.
const NOT_SECTIONS: &[&str] = &["app", "routes", "serve", "cli", "config", "shared"];

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The crate root's `pub mod` names.
fn modules() -> Vec<String> {
    let lib = fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect()
}

/// Every `.rs` file of a module: `name.rs` and everything under `name/`.
fn files_of(module: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let file = src().join(format!("{module}.rs"));
    if file.exists() {
        out.push(file);
    }
    collect(&src().join(module), &mut out);
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Code lines of `file` that name `crate::{target}` (comments may point the reader anywhere).
fn mentions(file: &Path, target: &str) -> Vec<String> {
    let text = fs::read_to_string(file).unwrap_or_default();
    let needle = format!("crate::{target}");
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .filter(|(_, l)| {
            l.match_indices(&needle).any(|(i, _)| {
                let after = l[i + needle.len()..].chars().next();
                !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
        })
        .map(|(n, l)| format!("{}:{}: {}", file.display(), n + 1, l.trim()))
        .collect()
}

#[test]
fn sections_never_import_each_other_and_shared_imports_no_section() {
    let modules = modules();
    let sections: Vec<&String> = modules
        .iter()
        .filter(|m| !NOT_SECTIONS.contains(&m.as_str()))
        .collect();
    assert!(
        sections.len() >= 8,
        "the sections were not found: {sections:?}"
    );
    let mut found = Vec::new();
    for section in &sections {
        for file in files_of(section) {
            for other in sections.iter().filter(|o| o != &section) {
                found.extend(mentions(&file, other));
            }
            for above in ["routes", "app"] {
                found.extend(mentions(&file, above));
            }
        }
    }
    for file in files_of("shared") {
        for target in sections.iter().map(|s| s.as_str()).chain(["routes", "app"]) {
            found.extend(mentions(&file, target));
        }
    }
    assert!(
        found.is_empty(),
        "sections must not import each other (shared helpers go to crate::shared):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_a_violation() {
    let dir = std::env::temp_dir().join(format!("gg-arch-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join("probe.rs");
    fs::write(
        &file,
        "use crate::meetings::visible_meeting;\nuse crate::meetings_x::y;\n/// crate::meetings\n",
    )
    .unwrap();
    assert_eq!(mentions(&file, "meetings").len(), 1);
    let _ = fs::remove_dir_all(&dir);
}
