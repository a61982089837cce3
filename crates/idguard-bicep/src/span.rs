//! Byte spans and the line index: byte offset ↔ line and UTF-16 column.
//!
//! Spans are byte offsets into the `&str` the parser was given (a leading
//! UTF-8 byte-order mark included). Positions for editors and for Bicep's
//! own output are 0-based lines and UTF-16 columns, counted as Bicep and
//! LSP count them: a line ends at `\r\n`, `\r` or `\n`, and the BOM (which
//! Bicep strips before lexing, like every LSP client) occupies no column.

/// A half-open byte range `start..end` into the parsed text. Same layout as
/// `idguard_core::source::Span`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Self { start, end }
    }

    /// A zero-length span at `offset`.
    pub const fn empty(offset: u32) -> Self {
        Self {
            start: offset,
            end: offset,
        }
    }

    pub const fn len(self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    pub const fn is_empty(self) -> bool {
        self.end <= self.start
    }

    /// From the start of `self` to the end of `other` (in either order).
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// `offset` lies in `start..=end` (an editor cursor at the end of a
    /// token is still "in" it).
    pub const fn touches(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }

    /// `other` lies inside `self`.
    pub const fn encloses(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The text this span covers, or `""` if it does not fit `text` (a
    /// span from another text, or inside a multi-byte character).
    pub fn text(self, text: &str) -> &str {
        text.get(self.start as usize..self.end as usize)
            .unwrap_or("")
    }
}

/// A 0-based line and UTF-16 column (the LSP `Position`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    pub line: u32,
    /// UTF-16 code units from the start of the line.
    pub character: u32,
}

/// One multi-byte character: where it ends, and how many bytes more than
/// UTF-16 units (resp. characters) the text up to its end has used.
#[derive(Clone, Copy, Debug)]
struct Wide {
    start: u32,
    end: u32,
    extra_utf16: u32,
    extra_chars: u32,
}

/// Line starts and the positions of multi-byte characters, built in one
/// pass over the text. Every lookup is a binary search, so converting all
/// spans of a file costs `O(n log n)` whatever the line lengths are (a
/// minified one-line file included).
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    /// Byte offset of every line start (the first is 0, or 3 after a BOM).
    starts: Vec<u32>,
    /// The byte length (1 or 2) of the line break that ends each line but
    /// the last.
    breaks: Vec<u8>,
    /// Every character of more than one byte, in order.
    wide: Vec<Wide>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let mut starts = vec![bom];
        let mut breaks = Vec::new();
        let mut wide = Vec::new();
        let (mut extra16, mut extra_c) = (0u32, 0u32);
        if bom == 3 {
            // The BOM is no column at all.
            extra16 = 3;
            extra_c = 3;
            wide.push(Wide {
                start: 0,
                end: 3,
                extra_utf16: 3,
                extra_chars: 3,
            });
        }
        let mut i = bom as usize;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'\n' => {
                    i += 1;
                    starts.push(i as u32);
                    breaks.push(1);
                }
                b'\r' => {
                    i += 1;
                    let mut n = 1;
                    if bytes.get(i) == Some(&b'\n') {
                        i += 1;
                        n = 2;
                    }
                    starts.push(i as u32);
                    breaks.push(n);
                }
                0..=0x7f => i += 1,
                _ => {
                    let n = utf8_len(b);
                    // 4-byte characters are 2 UTF-16 units, others 1.
                    extra16 += if n == 4 { 2 } else { n as u32 - 1 };
                    extra_c += n as u32 - 1;
                    let start = i as u32;
                    i += n;
                    wide.push(Wide {
                        start,
                        end: i as u32,
                        extra_utf16: extra16,
                        extra_chars: extra_c,
                    });
                }
            }
        }
        Self {
            starts,
            breaks,
            wide,
            len,
        }
    }

    /// The number of lines (a text ending with a line break has an empty
    /// last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset at which 0-based `line` starts.
    pub fn line_start(&self, line: u32) -> Option<u32> {
        self.starts.get(line as usize).copied()
    }

    /// The 0-based line of byte `offset`.
    pub fn line_of(&self, offset: u32) -> u32 {
        match self.starts.binary_search(&offset) {
            Ok(i) => i as u32,
            Err(i) => i.saturating_sub(1) as u32,
        }
    }

    /// Multi-byte characters that end at or before `offset`.
    fn wide_before(&self, offset: u32) -> Option<&Wide> {
        let n = self.wide.partition_point(|w| w.end <= offset);
        n.checked_sub(1).and_then(|i| self.wide.get(i))
    }

    /// UTF-16 code units from the start of the text (after the BOM) to byte
    /// `offset`. An offset inside a multi-byte character counts as the
    /// start of that character.
    pub fn utf16_offset(&self, offset: u32) -> u32 {
        let offset = self.clamp(offset);
        offset - self.wide_before(offset).map_or(0, |w| w.extra_utf16)
    }

    /// Characters (Unicode scalar values) from the start of the text
    /// (after the BOM) to byte `offset`.
    pub fn char_offset(&self, offset: u32) -> u32 {
        let offset = self.clamp(offset);
        offset - self.wide_before(offset).map_or(0, |w| w.extra_chars)
    }

    /// Pulls an offset inside a multi-byte character back to its start,
    /// and an offset past the end to the end.
    fn clamp(&self, offset: u32) -> u32 {
        let offset = offset.min(self.len);
        let n = self.wide.partition_point(|w| w.end <= offset);
        match self.wide.get(n) {
            Some(w) if w.start < offset => w.start,
            _ => offset,
        }
    }

    /// The 0-based line and UTF-16 column of byte `offset`.
    pub fn position(&self, offset: u32) -> Position {
        let offset = self.clamp(offset);
        let line = self.line_of(offset);
        let start = self.starts.get(line as usize).copied().unwrap_or(0);
        Position {
            line,
            character: self.utf16_offset(offset) - self.utf16_offset(start),
        }
    }

    /// The 0-based line and column in characters (Unicode scalar values)
    /// of byte `offset`.
    pub fn position_chars(&self, offset: u32) -> Position {
        let offset = self.clamp(offset);
        let line = self.line_of(offset);
        let start = self.starts.get(line as usize).copied().unwrap_or(0);
        Position {
            line,
            character: self.char_offset(offset) - self.char_offset(start),
        }
    }

    /// The byte offset of an LSP position. A column past the end of its
    /// line gives the end of the line (before its line break); a line past
    /// the end gives the end of the text; a column inside a surrogate pair
    /// gives the start of that character.
    pub fn offset(&self, position: Position) -> u32 {
        let Some(start) = self.line_start(position.line) else {
            return self.len;
        };
        let line_end = self.line_end(position.line);
        let target = self.utf16_offset(start).saturating_add(position.character);
        // The last multi-byte character whose end is at or before `target`
        // in UTF-16 units fixes the byte/unit difference from there on.
        let n = self
            .wide
            .partition_point(|w| w.end - w.extra_utf16 <= target);
        let extra = n
            .checked_sub(1)
            .and_then(|i| self.wide.get(i))
            .map_or(0, |w| w.extra_utf16);
        let offset = target.saturating_add(extra).min(line_end);
        self.clamp(offset)
    }

    /// Byte offset of the end of 0-based `line`, before its line break.
    pub fn line_end(&self, line: u32) -> u32 {
        match (self.line_start(line + 1), self.breaks.get(line as usize)) {
            (Some(next), Some(&n)) => next - u32::from(n),
            _ => self.len,
        }
    }
}

/// The length of the UTF-8 sequence that starts with byte `b`.
pub(crate) const fn utf8_len(b: u8) -> usize {
    match b {
        0..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_lsp_line_breaks_and_utf16() {
        let text = "a\r\nbé😀x\rc\nd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        let x = text.find('x').unwrap() as u32;
        // b(1) é(1) 😀(2) → x at column 4 of line 1
        assert_eq!(
            idx.position(x),
            Position {
                line: 1,
                character: 4
            }
        );
        assert_eq!(idx.position_chars(x).character, 3);
        let c = text.find('c').unwrap() as u32;
        assert_eq!(
            idx.position(c),
            Position {
                line: 2,
                character: 0
            }
        );
        assert_eq!(
            idx.offset(Position {
                line: 1,
                character: 4
            }),
            x
        );
        assert_eq!(
            idx.offset(Position {
                line: 2,
                character: 0
            }),
            c
        );
        // Inside the surrogate pair: the start of the emoji.
        let emoji = text.find('😀').unwrap() as u32;
        assert_eq!(
            idx.offset(Position {
                line: 1,
                character: 3
            }),
            emoji
        );
        // Past the end of a line: the end of that line.
        assert_eq!(
            idx.offset(Position {
                line: 0,
                character: 99
            }),
            1
        );
        // Inside a multi-byte character: its start.
        assert_eq!(idx.position(emoji + 2), idx.position(emoji));
        assert_eq!(idx.position(text.len() as u32 + 5).line, 3);
    }

    #[test]
    fn the_bom_is_no_column() {
        let text = "\u{feff}ab\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.position(3),
            Position {
                line: 0,
                character: 0
            }
        );
        assert_eq!(idx.position(4).character, 1);
        assert_eq!(idx.utf16_offset(7), 4); // a, b, \n, c
        assert_eq!(
            idx.offset(Position {
                line: 0,
                character: 0
            }),
            3
        );
        assert_eq!(
            idx.offset(Position {
                line: 1,
                character: 1
            }),
            7
        );
    }

    #[test]
    fn line_ends_exclude_the_break() {
        let text = "ab\r\ncd\n\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_end(0), 2);
        assert_eq!(idx.line_end(1), 6);
        assert_eq!(idx.line_end(2), 7);
        assert_eq!(idx.line_end(3), 9);
    }
}
