//! Counts in messages said as people say them: "1 file", "3 files", never "3 file(s)".

/// `n` and the noun in the number it takes: `counted(1, "file", "files")` is "1 file".
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::counted;

    #[test]
    fn one_takes_the_singular_and_every_other_count_the_plural() {
        assert_eq!(counted(1, "file", "files"), "1 file");
        assert_eq!(counted(0, "file", "files"), "0 files");
        assert_eq!(counted(2, "values file", "values files"), "2 values files");
        assert_eq!(counted(11, "entry", "entries"), "11 entries");
    }
}
