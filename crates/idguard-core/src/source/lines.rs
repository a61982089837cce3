//! Byte offset to line and column, computed on demand.

/// A 1-based position. `column_utf16` counts UTF-16 code units (LSP, browser
/// editors); `column_chars` counts Unicode scalar values (terminals, SARIF's
/// default `charOffset`-free regions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    pub line: u32,
    pub column_utf16: u32,
    pub column_chars: u32,
}

/// Start offsets of every line. Built once per file in one `memchr` pass
/// over the bytes; lookups are a binary search plus a scan of one line.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    /// Lines end at `\n`; a `\r\n` pair is one line end (the `\r` belongs
    /// to the line it ends and is never counted in a column, because no
    /// value spans it). A lone `\r` is not a line end, as in ARM's reader.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0u32];
        starts.extend(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        Self { starts }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset at which 1-based `line` starts.
    pub fn line_start(&self, line: u32) -> Option<u32> {
        self.starts.get((line as usize).checked_sub(1)?).copied()
    }

    /// The position of byte `offset` in `text` (the text this index was
    /// built from). An offset inside a multi-byte character, or past the
    /// end, is clamped to the nearest preceding character boundary.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = (offset as usize).min(text.len());
        let line_idx = match self.starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line_idx).copied().unwrap_or(0) as usize;
        let mut end = offset;
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let prefix = text.get(start..end).unwrap_or("");
        let mut chars = 0u32;
        let mut utf16 = 0u32;
        for c in prefix.chars() {
            chars += 1;
            utf16 += c.len_utf16() as u32;
        }
        // A BOM at the start of the file is not a visible column.
        if line_idx == 0 && prefix.starts_with('\u{feff}') {
            chars -= 1;
            utf16 -= 1;
        }
        LineCol {
            line: line_idx as u32 + 1,
            column_utf16: utf16 + 1,
            column_chars: chars + 1,
        }
    }

    /// The text of 1-based `line`, without its line end.
    pub fn line_text<'a>(&self, text: &'a str, line: u32) -> &'a str {
        let Some(start) = self.line_start(line) else {
            return "";
        };
        let end = self
            .line_start(line + 1)
            .map(|s| s as usize)
            .unwrap_or(text.len());
        let slice = text.get(start as usize..end).unwrap_or("");
        slice.trim_end_matches(['\n', '\r'])
    }
}

impl LineIndex {
    /// Lines as Bicep counts them: a line ends at `\n`, at `\r\n`, or at a
    /// lone `\r` (Bicep's `TextCoordinateConverter`, and LSP). Used for
    /// Bicep files, whose positions must agree with Bicep's own.
    pub fn with_lone_cr(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 32 + 1);
        starts.push(0u32);
        if memchr::memchr(b'\r', bytes).is_none() {
            starts.extend(
                memchr::memchr_iter(b'\n', bytes).map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
            );
            return Self { starts };
        }
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let lone_cr = bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) != Some(&b'\n');
            if bytes.get(i) == Some(&b'\n') || lone_cr {
                starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        Self { starts }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_and_chars() {
        let text = "{\n  \"a\": \"é😀x\"\r\n}";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 3);
        let x = text.find('x').unwrap() as u32;
        let pos = idx.line_col(text, x);
        assert_eq!(pos.line, 2);
        // `  "a": "` is 8 chars, then é (1 char, 1 unit), 😀 (1 char, 2 units)
        assert_eq!(pos.column_chars, 11);
        assert_eq!(pos.column_utf16, 12);
        assert_eq!(idx.line_text(text, 2), "  \"a\": \"é😀x\"");
        assert_eq!(idx.line_col(text, text.len() as u32).line, 3);
    }

    #[test]
    fn bom_is_not_a_column() {
        let text = "\u{feff}{}";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 3).column_chars, 1);
    }

    #[test]
    fn lone_cr_ends_a_line_for_bicep() {
        let text = "a\rb\r\nc\nd";
        let idx = LineIndex::with_lone_cr(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_col(text, 2).line, 2);
        assert_eq!(idx.line_col(text, 5).line, 3);
        assert_eq!(idx.line_col(text, 7).line, 4);
        assert_eq!(idx.line_text(text, 2), "b");
        assert_eq!(LineIndex::new(text).line_col(text, 2).line, 1);
    }
}
