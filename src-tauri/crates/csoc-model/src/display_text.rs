//! Text from files, servers and other users, made safe to put in a message or on a terminal:
//! control characters (terminal escape sequences among them) become `?`, and long text is cut.

/// `text` without control characters, at most `max_chars` characters (an ellipsis marks a cut).
pub fn shown(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    for (i, c) in text.chars().enumerate() {
        if i == max_chars {
            out.push('…');
            break;
        }
        out.push(if is_unsafe(c) { '?' } else { c });
    }
    out
}

/// C0 and C1 controls (ESC starts terminal sequences; 0x9B is a one-byte CSI), DEL, and the
/// bidirectional overrides that make text read differently from what it is.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn escapes_become_visible_and_long_text_is_cut() {
        assert_eq!(shown("ok\x1b]0;pwned\x07\x1b[2J", 100), "ok?]0;pwned??[2J");
        assert_eq!(shown("a\u{9b}31mb\u{202E}c", 100), "a?31mb?c");
        assert_eq!(shown(&"x".repeat(1_000_000), 5), "xxxxx…");
        assert_eq!(shown("naïve", 5), "naïve");
    }
}
