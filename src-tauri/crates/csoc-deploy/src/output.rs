//! Writing the wizard's files into a folder all or nothing: every file goes to a synced temporary
//! file beside its target first, and only when all of them are written are they renamed into
//! place, so an operator never finds a commons folder half-written.

use std::collections::HashSet;
use std::fs;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use super::yaml::MAX_CONFIG_BYTES;
use super::GeneratedFile;
use csoc_model::error::{CoreError, CoreResult, ErrorCode};

/// Writes every file under `root` or none of them; returns the absolute paths written.
pub fn write_atomically(root: &Path, files: &[GeneratedFile]) -> CoreResult<Vec<PathBuf>> {
    let targets = targets(root, files)?;
    let mut staged = Staged::default();
    for (file, target) in files.iter().zip(&targets) {
        if let Err(e) = staged.stage(root, target, &file.contents) {
            staged.discard();
            return Err(e);
        }
    }
    staged.commit()?;
    Ok(targets)
}

/// What each file's path holds on disk now (`None` when absent or unreadable), for the review diff.
pub(crate) fn read_existing(root: &Path, files: &[GeneratedFile]) -> Vec<Option<String>> {
    files
        .iter()
        .map(|f| {
            let rel = relative_path(&f.path).ok()?;
            // Bounded and regular files only: a FIFO or a link to /dev/zero must not stall the review.
            let bytes =
                csoc_model::operator_files::read_bytes(&root.join(rel), MAX_CONFIG_BYTES, "generated file").ok()?;
            Some(String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect()
}

/// Checks a generated path: relative, inside the root, no `..`; returns it as a path.
pub(crate) fn relative_path(path: &str) -> CoreResult<PathBuf> {
    let bad =
        |why: &str| CoreError::invalid(format!("The generated file path “{path}” {why}, so nothing was written."));
    if path.trim().is_empty() {
        return Err(bad("is empty"));
    }
    if path.contains('\0') {
        return Err(bad("contains a NUL character"));
    }
    let mut out = PathBuf::new();
    for part in Path::new(path).components() {
        match part {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir => return Err(bad("climbs out of its folder with “..”")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(bad("is absolute; it must be relative to the folder"))
            }
        }
    }
    if out.as_os_str().is_empty() || path.ends_with('/') {
        return Err(bad("does not name a file"));
    }
    Ok(out)
}

/// Validates every path before anything is touched: relative, unique, not a folder already.
fn targets(root: &Path, files: &[GeneratedFile]) -> CoreResult<Vec<PathBuf>> {
    if !root.is_dir() {
        return Err(CoreError::new(
            ErrorCode::Io,
            format!("The destination folder {} does not exist, so nothing was written.", root.display()),
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let rel = relative_path(&f.path)?;
        if !seen.insert(rel.clone()) {
            return Err(CoreError::invalid(format!(
                "The file “{}” is listed twice among the generated files, so nothing was written.",
                f.path
            )));
        }
        let target = root.join(&rel);
        if target.is_dir() {
            return Err(CoreError::invalid(format!(
                "{} is a folder, so the generated file “{}” cannot replace it. Nothing was written.",
                target.display(),
                f.path
            )));
        }
        out.push(target);
    }
    Ok(out)
}

/// Temporary files and folders created so far, undone together if any step fails.
#[derive(Default)]
struct Staged {
    /// (temporary file, its target)
    files: Vec<(PathBuf, PathBuf)>,
    /// Folders this write created, parents first.
    dirs: Vec<PathBuf>,
}

impl Staged {
    fn stage(&mut self, root: &Path, target: &Path, contents: &str) -> CoreResult<()> {
        let dir = target.parent().unwrap_or(root);
        self.create_dirs(root, dir)?;
        // A symlinked folder could lead outside the destination; the operator chose the root only.
        let real_root = root.canonicalize().map_err(|e| CoreError::io("read", root, &e))?;
        let real_dir = dir.canonicalize().map_err(|e| CoreError::io("read", dir, &e))?;
        if !real_dir.starts_with(&real_root) {
            return Err(CoreError::invalid(format!(
                "{} leads outside {} (a symbolic link), so nothing was written.",
                dir.display(),
                root.display()
            )));
        }
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = dir.join(format!(".{name}.gen3-csoc-{}.tmp", uuid::Uuid::new_v4().simple()));
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| CoreError::io("create a temporary file in", dir, &e))?;
        self.files.push((temp.clone(), target.to_path_buf()));
        file.write_all(contents.as_bytes()).map_err(|e| CoreError::io("write", &temp, &e))?;
        // An existing file keeps its permissions (an operator may have made a script executable).
        if let Ok(meta) = fs::metadata(target) {
            file.set_permissions(meta.permissions()).map_err(|e| CoreError::io("set permissions on", &temp, &e))?;
        }
        file.sync_all().map_err(|e| CoreError::io("save", &temp, &e))?;
        Ok(())
    }

    fn create_dirs(&mut self, root: &Path, dir: &Path) -> CoreResult<()> {
        let mut missing = Vec::new();
        let mut cur = dir;
        while cur != root && !cur.exists() {
            missing.push(cur.to_path_buf());
            cur = match cur.parent() {
                Some(p) => p,
                None => break,
            };
        }
        if !cur.is_dir() {
            return Err(CoreError::invalid(format!(
                "{} is a file, not a folder, so the generated files cannot go under it. Nothing was written.",
                cur.display()
            )));
        }
        for d in missing.into_iter().rev() {
            fs::create_dir(&d).map_err(|e| CoreError::io("create the folder", &d, &e))?;
            self.dirs.push(d);
        }
        Ok(())
    }

    /// Removes every temporary file and created folder: the tree is as it was.
    fn discard(&mut self) {
        for (temp, _) in self.files.drain(..) {
            if let Err(e) = fs::remove_file(&temp) {
                tracing::warn!(path = %temp.display(), error = %e, "could not remove a temporary file");
            }
        }
        for d in self.dirs.drain(..).rev() {
            if let Err(e) = fs::remove_dir(&d) {
                tracing::warn!(path = %d.display(), error = %e, "could not remove a folder created for the output");
            }
        }
    }

    fn commit(mut self) -> CoreResult<()> {
        let files = std::mem::take(&mut self.files);
        for (i, (temp, target)) in files.iter().enumerate() {
            if let Err(e) = fs::rename(temp, target) {
                // Same folder, same file system: this does not happen short of the disk going away.
                // Leave no temporary file behind and say exactly what was replaced.
                for (t, _) in &files[i..] {
                    let _ = fs::remove_file(t);
                }
                let done: Vec<String> = files[..i].iter().map(|(_, t)| t.display().to_string()).collect();
                let mut err = CoreError::io("move into place", target, &e);
                err.message.push_str(&if done.is_empty() {
                    " No file was changed.".to_string()
                } else {
                    format!(" These files were already replaced: {}.", done.join(", "))
                });
                return Err(err);
            }
        }
        // Make the renames themselves durable.
        let mut dirs: Vec<&Path> = files.iter().filter_map(|(_, t)| t.parent()).collect();
        dirs.sort();
        dirs.dedup();
        for d in dirs {
            if let Ok(handle) = fs::File::open(d) {
                let _ = handle.sync_all();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_checked() {
        assert_eq!(relative_path("a/./b.yaml").unwrap(), PathBuf::from("a/b.yaml"));
        for bad in ["", "  ", "/etc/passwd", "../x.yaml", "a/../../x", "a/", "."] {
            let err = relative_path(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::Invalid, "{bad:?}");
        }
    }
}
