//! HTML text escaping (the five characters that matter in text and attribute values).

/// Escape `s` for HTML text and double- or single-quoted attribute values.
///
/// ```
/// assert_eq!(report::html::escape("a<b & \"c\"'"), "a&lt;b &amp; &quot;c&quot;&#39;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn script_tags_are_neutralised() {
        let e = escape("</pre><script>alert(1)</script>");
        assert!(!e.contains('<'));
        assert!(!e.contains('>'));
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(escape("retry-storm 60/min"), "retry-storm 60/min");
    }
}
