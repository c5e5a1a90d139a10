//! Server text (versions, status words, IdP names, ...) is shown and stored only after this:
//! control characters (terminal escapes, NULs, bidi overrides) are dropped and the length is
//! bounded, so a hostile or broken server cannot paint the board or grow the cache.

/// At most `max_chars` characters of `s` without control or bidi-override characters, trimmed;
/// an ellipsis marks a cut.
pub(crate) fn clean(s: &str, max_chars: usize) -> String {
    let kept: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .collect();
    let kept = kept.trim();
    if kept.chars().count() <= max_chars {
        return kept.to_string();
    }
    let mut cut: String = kept.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// The bound for a version string (`2025.09`, `4.3.0`, a commit).
pub(crate) const VERSION_CHARS: usize = 64;
/// The bound for a short server phrase quoted in a reason.
pub(crate) const PHRASE_CHARS: usize = 120;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_go_and_length_is_bounded() {
        assert_eq!(clean("2025.09\u{1b}[31m\u{0}", 64), "2025.09[31m");
        assert_eq!(clean("a\u{202e}b\nc", 64), "ab c");
        let long = "x".repeat(500);
        let c = clean(&long, 10);
        assert_eq!(c.chars().count(), 10);
        assert!(c.ends_with('…'));
        assert_eq!(clean("  4.3.0 ", 64), "4.3.0");
    }
}
