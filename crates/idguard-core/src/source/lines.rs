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

/// Distance in bytes between two column checkpoints of a long line: a
/// lookup scans at most this many bytes (plus one character).
const CHECKPOINT_STRIDE: usize = 1024;

/// The columns at a character boundary inside a long line: how many
/// characters and UTF-16 code units lie between the line's start and
/// `offset`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Checkpoint {
    offset: u32,
    chars: u32,
    utf16: u32,
}

/// Start offsets of every line, and column checkpoints every
/// [`CHECKPOINT_STRIDE`] bytes of the lines longer than that. Built once
/// per file in one `memchr` pass over the bytes plus one pass over the
/// long lines; a lookup is two binary searches and a scan of at most one
/// stride, so positions cost the same on a minified template written on
/// one line as on a pretty-printed one.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
    /// Sorted by offset; none at a line start (the columns are 0 there).
    checkpoints: Vec<Checkpoint>,
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
        Self::from_starts(text, starts)
    }

    /// Lines as Bicep counts them: a line ends at `\n`, at `\r\n`, or at a
    /// lone `\r` (Bicep's `TextCoordinateConverter`, and LSP). Used for
    /// Bicep files, whose positions must agree with Bicep's own.
    pub fn with_lone_cr(text: &str) -> Self {
        let bytes = text.as_bytes();
        if memchr::memchr(b'\r', bytes).is_none() {
            return Self::new(text);
        }
        let mut starts = Vec::with_capacity(bytes.len() / 32 + 1);
        starts.push(0u32);
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let lone_cr = bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) != Some(&b'\n');
            if bytes.get(i) == Some(&b'\n') || lone_cr {
                starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        Self::from_starts(text, starts)
    }

    /// The index of `text` given its line starts: adds the column
    /// checkpoints of the long lines.
    fn from_starts(text: &str, starts: Vec<u32>) -> Self {
        let mut checkpoints = Vec::new();
        let ends = starts
            .iter()
            .skip(1)
            .map(|s| *s as usize)
            .chain(std::iter::once(text.len()));
        for (start, end) in starts.iter().map(|s| *s as usize).zip(ends) {
            if end.saturating_sub(start) > CHECKPOINT_STRIDE {
                line_checkpoints(text, start, end, &mut checkpoints);
            }
        }
        Self {
            starts,
            checkpoints,
        }
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
        let line_start = self.starts.get(line_idx).copied().unwrap_or(0) as usize;
        let mut end = offset;
        while end > line_start && !text.is_char_boundary(end) {
            end -= 1;
        }
        // Start from the last checkpoint of this line at or before `end`.
        let at = self
            .checkpoints
            .partition_point(|c| (c.offset as usize) <= end);
        let base = at
            .checked_sub(1)
            .and_then(|i| self.checkpoints.get(i))
            .filter(|c| c.offset as usize > line_start)
            .copied()
            .unwrap_or(Checkpoint {
                offset: line_start as u32,
                chars: 0,
                utf16: 0,
            });
        let prefix = text.get(base.offset as usize..end).unwrap_or("");
        let mut chars = base.chars;
        let mut utf16 = base.utf16;
        for c in prefix.chars() {
            chars += 1;
            utf16 += c.len_utf16() as u32;
        }
        // A BOM at the start of the file is not a visible column.
        if line_idx == 0 && end >= 3 && text.starts_with('\u{feff}') {
            chars = chars.saturating_sub(1);
            utf16 = utf16.saturating_sub(1);
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

/// Checkpoints of the line `start..end` of `text` (`start` is a line
/// start, so a character boundary), one at the first character boundary at
/// or after every [`CHECKPOINT_STRIDE`] bytes.
fn line_checkpoints(text: &str, start: usize, end: usize, out: &mut Vec<Checkpoint>) {
    let Some(line) = text.get(start..end) else {
        return;
    };
    let (mut chars, mut utf16) = (0u32, 0u32);
    let mut next = CHECKPOINT_STRIDE;
    for (i, c) in line.char_indices() {
        if i >= next {
            out.push(Checkpoint {
                offset: u32::try_from(start + i).unwrap_or(u32::MAX),
                chars,
                utf16,
            });
            next = i + CHECKPOINT_STRIDE;
        }
        chars += 1;
        utf16 += c.len_utf16() as u32;
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

    /// Columns counted from the line start, the slow way.
    fn naive(text: &str, offset: usize) -> LineCol {
        let mut end = offset.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() as u32 + 1;
        let prefix = before[line_start..].trim_start_matches('\u{feff}');
        LineCol {
            line,
            column_chars: prefix.chars().count() as u32 + 1,
            column_utf16: prefix.encode_utf16().count() as u32 + 1,
        }
    }

    #[test]
    fn long_lines_use_checkpoints_and_agree_with_a_plain_count() {
        // Minified-template-like lines with multi-byte characters straddling
        // the checkpoint stride, a BOM, and a short line between long ones.
        let piece = "{\"a\":\"é😀x\",\"b\":[1,2,\"日本\"]},";
        let long = piece.repeat(300);
        let text = format!("\u{feff}{long}\r\nshort\n{long}\n{long}");
        let idx = LineIndex::new(&text);
        assert!(
            idx.checkpoints.len() > 3 * long.len() / CHECKPOINT_STRIDE - 6,
            "{} checkpoints",
            idx.checkpoints.len()
        );
        assert!(
            idx.checkpoints
                .windows(2)
                .all(|w| w[0].offset < w[1].offset)
        );
        for offset in (0..=text.len() + 2).step_by(7).chain([text.len()]) {
            assert_eq!(
                idx.line_col(&text, offset as u32),
                naive(&text, offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn offsets_inside_characters_clamp_on_long_lines() {
        let text = "😀".repeat(2000);
        let idx = LineIndex::new(&text);
        for offset in [0usize, 1, 2, 3, 4, 1023, 1024, 1025, 1026, 4097, 7999, 8000] {
            assert_eq!(
                idx.line_col(&text, offset as u32),
                naive(&text, offset),
                "{offset}"
            );
        }
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
