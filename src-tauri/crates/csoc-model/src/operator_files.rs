//! Reading files the operator points at (values files, app.yaml, manifest.json, credentials,
//! profiles, inventory files): only regular files, never more than a bound, text only as UTF-8,
//! and nothing through a symbolic link that leaves the folder being imported.
//!
//! Why: a FIFO given as a file blocks a plain `read` forever, a link to `/dev/zero` grows memory
//! without end, and a gitops folder whose `values/fence.yaml` links to `~/.kube/config` would
//! otherwise be read into a draft and committed by a launch.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{CoreError, CoreResult};

/// Folders deeper than this under an imported folder are not walked (gitops folders are 3 deep).
const MAX_WALK_DEPTH: usize = 16;
/// Entries looked at when checking a folder's links; a commons folder holds a few dozen.
const MAX_WALK_ENTRIES: usize = 20_000;

/// Reads at most `max_bytes` of a regular file; `what` names the file's role in messages
/// ("inventory file", "credentials file").
pub fn read_bytes(path: &Path, max_bytes: u64, what: &str) -> CoreResult<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| CoreError::io("read", path, &e))?;
    refuse_special(path, &meta, what)?;
    let file = open_without_blocking(path).map_err(|e| CoreError::io("read", path, &e))?;
    // The path may have been swapped between the check and the open: check what was opened.
    let opened = file.metadata().map_err(|e| CoreError::io("read", path, &e))?;
    refuse_special(path, &opened, what)?;
    if opened.len() > max_bytes {
        return Err(too_large(path, max_bytes, what));
    }
    let mut bytes = Vec::new();
    file.take(max_bytes + 1).read_to_end(&mut bytes).map_err(|e| CoreError::io("read", path, &e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(path, max_bytes, what));
    }
    Ok(bytes)
}

/// [`read_bytes`], then decoded as UTF-8 (a UTF-8 byte-order mark is dropped; UTF-16 and other
/// encodings are refused with words that say so).
pub fn read_text(path: &Path, max_bytes: u64, what: &str) -> CoreResult<String> {
    let bytes = read_bytes(path, max_bytes, what)?;
    decode_text(bytes, &path.display().to_string(), what)
}

/// UTF-8 text from `bytes`; `shown` names the file in messages.
pub fn decode_text(bytes: Vec<u8>, shown: &str, what: &str) -> CoreResult<String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || looks_like_utf16(&bytes) {
        return Err(CoreError::invalid(format!(
            "{shown} is UTF-16 text, but a {what} must be UTF-8. Save it as UTF-8 (most editors offer \
             \"UTF-8\" under \"Save with encoding\") and try again."
        )));
    }
    let bytes = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        CoreError::invalid(format!(
            "{shown} is not UTF-8 text (the first bad byte is at offset {}), so it is not a {what}. Check that \
             this is the file you meant.",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// UTF-16 without a byte-order mark: ASCII text with a zero byte beside every character.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64)];
    let half_zero = head.chunks_exact(2).filter(|pair| (pair[0] == 0) != (pair[1] == 0)).count();
    head.len() >= 4 && half_zero * 4 >= head.len() / 2 * 3
}

/// Deepest nesting accepted in a YAML or JSON document. Gen3's deepest real values nest about 12
/// levels; serde's own recursion limit is 128.
pub(crate) const MAX_NESTING: usize = 100;
/// Deepest indentation accepted, in columns (a block nested 100 levels at 2 spaces each is 200).
const MAX_INDENT: usize = 1_000;

/// Fails, naming the line, on a document nested deeper than [`MAX_NESTING`] (brackets, or
/// `- - -` sequences on one line) or indented deeper than [`MAX_INDENT`] columns: one linear pass,
/// so a hostile file costs no more than reading it, instead of a parse that takes minutes.
pub fn check_nesting(text: &str, file: &str) -> CoreResult<()> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (index, line) in text.lines().enumerate() {
        let too_deep = || {
            CoreError::invalid(format!(
                "{file}: line {} is nested more than {MAX_NESTING} levels deep; no Gen3 configuration is nested \
                 like that, so the file was not read. Check that this is the file you meant.",
                index + 1
            ))
        };
        if quote.is_none() {
            let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
            let dashes = line.trim_start().split_inclusive(' ').take_while(|t| t.trim() == "-").count();
            if indent > MAX_INDENT || dashes > MAX_NESTING {
                return Err(too_deep());
            }
        }
        let mut prev = ' ';
        for c in line.chars() {
            match (quote, c) {
                (None, '#') if prev == ' ' || prev == '\t' => break,
                // A quote opens a quoted scalar only where a token starts (`it's` is plain text).
                (None, '"' | '\'') if matches!(prev, ' ' | '\t' | '[' | '{' | ',' | ':') => quote = Some(c),
                (Some(q), _) if c == q && prev != '\\' => quote = None,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(too_deep());
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            prev = c;
        }
        // A single-quoted scalar never spans a comment; an unclosed one is ended by YAML's rules
        // at the next line only inside flow or quoted text, which the count above follows.
        if quote == Some('\'') && depth == 0 {
            quote = None;
        }
    }
    Ok(())
}

/// Fails on the first symbolic link under `root` (the folder, or the repository, being imported)
/// whose target lies outside it or does not exist, naming the link. Links inside stay allowed.
pub fn refuse_links_leaving(root: &Path) -> CoreResult<()> {
    let real_root = root.canonicalize().map_err(|e| CoreError::io("read", root, &e))?;
    let mut pending: Vec<(PathBuf, usize)> = vec![(root.to_path_buf(), 0)];
    let mut seen = 0usize;
    while let Some((dir, depth)) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| CoreError::io("list", &dir, &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| CoreError::io("list", &dir, &e))?;
            seen += 1;
            if seen > MAX_WALK_ENTRIES {
                return Err(CoreError::invalid(format!(
                    "{} holds more than {MAX_WALK_ENTRIES} files; a Gen3 commons folder holds a few dozen. Pick \
                     the commons folder itself.",
                    root.display()
                )));
            }
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| CoreError::io("read", &path, &e))?;
            if kind.is_symlink() {
                let inside = path.canonicalize().is_ok_and(|target| target.starts_with(&real_root));
                if !inside {
                    let target = std::fs::read_link(&path).map(|t| t.display().to_string()).unwrap_or_default();
                    return Err(CoreError::invalid(format!(
                        "{} is a link to {target}, outside {}. Files are read only from inside the folder being \
                         imported, so nothing was read. Replace the link with the file itself.",
                        path.display(),
                        root.display()
                    )));
                }
            } else if kind.is_dir() && depth < MAX_WALK_DEPTH {
                pending.push((path, depth + 1));
            }
        }
    }
    Ok(())
}

fn refuse_special(path: &Path, meta: &std::fs::Metadata, what: &str) -> CoreResult<()> {
    if meta.is_file() {
        return Ok(());
    }
    let kind = if meta.is_dir() { "a folder" } else { special_kind(meta) };
    Err(CoreError::invalid(format!(
        "{} is {kind}, not a regular file, so it was not read. Pick the {what} itself.",
        path.display()
    )))
}

#[cfg(unix)]
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_meta: &std::fs::Metadata) -> &'static str {
    "a special file"
}

/// Opens for reading without waiting for a writer, so a FIFO swapped in after the type check
/// cannot block the read (it is then refused by the second check).
#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32).open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

fn too_large(path: &Path, max_bytes: u64, what: &str) -> CoreError {
    let limit = if max_bytes >= 1024 * 1024 {
        format!("{} MiB", max_bytes / (1024 * 1024))
    } else {
        format!("{} KiB", max_bytes / 1024)
    };
    CoreError::invalid(format!(
        "{} is larger than {limit}, far larger than any {what}, so it was not read. Check that this is the file \
         you meant.",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused_by_line_and_real_shapes_pass() {
        for deep in
            ["[".repeat(100_000), "{a: ".repeat(100_000), "- ".repeat(100_000) + "x", " ".repeat(5_000) + "a: 1"]
        {
            let err = check_nesting(&deep, "deep.yaml").unwrap_err();
            assert!(err.message.contains("deep.yaml: line 1 is nested more than"), "{}", err.message);
        }
        let real = "global:\n  hostname: \"a[b\"  # a { comment\n  list: [1, [2, {x: '}'}]]\nfence:\n  - - a\n";
        check_nesting(real, "values.yaml").unwrap();
        check_nesting(&("[".repeat(MAX_NESTING) + &"]".repeat(MAX_NESTING)), "ok.json").unwrap();
    }

    #[test]
    fn utf16_and_boms_are_told_apart() {
        let utf16: Vec<u8> = "{\"a\": 1}".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let err = decode_text(utf16.clone(), "f", "values file").unwrap_err();
        assert!(err.message.contains("UTF-16"), "{}", err.message);
        let with_bom = [&[0xFF, 0xFE][..], &utf16].concat();
        assert!(decode_text(with_bom, "f", "values file").unwrap_err().message.contains("UTF-16"));
        assert_eq!(decode_text(b"\xEF\xBB\xBFa: 1".to_vec(), "f", "x").unwrap(), "a: 1");
        assert!(decode_text(b"a: \xFF".to_vec(), "f", "x").unwrap_err().message.contains("offset 3"));
        // NUL bytes are not UTF-16 (they pass as text; the parser then says it is not JSON).
        assert_eq!(decode_text(vec![0; 64], "f", "x").unwrap().len(), 64);
    }
}
