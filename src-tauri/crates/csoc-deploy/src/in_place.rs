//! An imported commons written again: every file it was read from is edited in place rather than
//! written afresh. The generator works on the merged values Helm sees; here each change to them
//! goes to the file that holds it (the last value file that sets the key, as Helm applies them in
//! order), and each file is then edited with [`yaml_edit`], so unchanged files keep every byte.

use serde_yaml_ng::Value;

use super::answers::ImportedBase;
use super::yaml::{merge_value_files, parse_values_lenient};
use super::yaml_edit::{self, apply, changes, edit_text, existing_depth, exists, normalized, Change, Layout};
use super::GeneratedFile;

/// Files written from imported sources, and what could not keep its layout.
#[derive(Default)]
pub(crate) struct Written {
    pub files: Vec<GeneratedFile>,
    /// One sentence per file that had to be rewritten in whole or in part.
    pub notes: Vec<String>,
}

impl Written {
    fn push(&mut self, path: String, edited: yaml_edit::Edited) {
        match edited.layout {
            Layout::Unchanged | Layout::Kept => {}
            Layout::BlocksRewritten => self.notes.push(format!(
                "{path}: some top-level blocks were rewritten whole, so comments inside them are not kept."
            )),
            Layout::Rewritten => self.notes.push(format!(
                "{path} was written afresh, so its comments and layout are not kept (the change could not be made \
                 in place)."
            )),
        }
        self.files.push(GeneratedFile { path, contents: edited.text });
    }

    /// Writes the document at `relative` (inside the imported folder) as `doc`, editing its
    /// imported text in place; a file that was not imported is written afresh.
    pub(crate) fn document(&mut self, base: &ImportedBase, out_prefix: &str, relative: &str, doc: &Value) {
        let path = join(out_prefix, relative);
        match source_of(base, relative) {
            Some((text, before)) => self.push(path, edit_text(text, &before, doc)),
            None => self.files.push(GeneratedFile { path, contents: super::yaml::to_yaml(doc) }),
        }
    }

    /// Writes the value files `names` (in the order Helm applies them, under `values_dir`) so that
    /// together they say `after` where, as imported, they said what their merge says (not what
    /// the draft's base values say: a wizard such as the mesh's may have edited those).
    pub(crate) fn value_files(
        &mut self,
        base: &ImportedBase,
        out_prefix: &str,
        values_dir: &str,
        names: &[String],
        after: &Value,
    ) {
        let mut files: Vec<(String, &str, Value, Value)> = names
            .iter()
            .filter_map(|name| {
                let relative = join(values_dir, name);
                let (text, parsed) = source_of(base, &relative)?;
                let parsed = normalized(&parsed);
                Some((relative, text, parsed.clone(), parsed))
            })
            .collect();
        if files.is_empty() {
            return;
        }
        let mut before = Value::Mapping(Default::default());
        for (_, _, parsed, _) in &files {
            merge_value_files(&mut before, parsed);
        }
        for change in changes(&normalized(&before), &normalized(after)) {
            match &change {
                Change::Set(path, _) => {
                    let owner = files.iter().rposition(|(_, _, v, _)| exists(v, path)).unwrap_or_else(|| {
                        // A new key goes where its nearest parent is set; the first file when no file has one.
                        let depths: Vec<usize> = files.iter().map(|(_, _, v, _)| existing_depth(v, path)).collect();
                        let deepest = depths.iter().copied().max().unwrap_or(0);
                        if deepest == 0 {
                            0
                        } else {
                            depths.iter().rposition(|d| *d == deepest).unwrap_or(0)
                        }
                    });
                    apply(&mut files[owner].3, &change);
                }
                Change::Remove(path) => {
                    for file in files.iter_mut().filter(|f| exists(&f.3, path)) {
                        apply(&mut file.3, &change);
                    }
                }
            }
        }
        for (relative, text, before, after) in files {
            self.push(join(out_prefix, &relative), edit_text(text, &before, &after));
        }
    }
}

fn join(prefix: &str, relative: &str) -> String {
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() {
        relative.to_string()
    } else {
        format!("{prefix}/{relative}")
    }
}

/// The imported text of `relative` (inside the imported folder) and what it says.
fn source_of<'a>(base: &'a ImportedBase, relative: &str) -> Option<(&'a str, Value)> {
    let text = base.source(&join(&base.folder, relative))?;
    let (parsed, _) = parse_values_lenient(text, relative).ok()?;
    Some((text, parsed))
}
