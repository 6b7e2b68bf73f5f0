//! The scanner's look-ahead buffer of decoded characters (harden's patch, see PATCHES.md).
//!
//! It replaces a `VecDeque<char>` with the methods the scanner used: a `Vec<char>` and the index
//! of its first unread character. Reading a character moves the index; the reader drops the read
//! characters (at most a few are left) before it appends the next decoded chunk.

use core::ops::{Index, Range};

pub(crate) struct CharBuf {
    chars: Vec<char>,
    head: usize,
}

impl CharBuf {
    pub(crate) fn with_capacity(capacity: usize) -> CharBuf {
        CharBuf {
            chars: Vec::with_capacity(capacity),
            head: 0,
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.chars.len() - self.head
    }

    #[inline]
    pub(crate) fn get(&self, index: usize) -> Option<&char> {
        self.chars.get(self.head + index)
    }

    #[inline]
    pub(crate) fn front(&self) -> Option<&char> {
        self.get(0)
    }

    #[inline]
    pub(crate) fn pop_front(&mut self) -> Option<char> {
        let ch = self.chars.get(self.head).copied();
        if ch.is_some() {
            self.head += 1;
        }
        ch
    }

    /// Drops the first characters; only ranges from 0 are supported (as the scanner uses).
    #[inline]
    pub(crate) fn drain(&mut self, range: Range<usize>) {
        debug_assert_eq!(range.start, 0);
        assert!(range.end <= self.len(), "drain past the end of the buffer");
        self.head += range.end;
    }

    /// The unread characters, for scans over runs.
    #[inline]
    pub(crate) fn as_slice(&self) -> &[char] {
        &self.chars[self.head..]
    }

    /// Forgets the read characters and makes room for `additional` more.
    pub(crate) fn compact_and_reserve(&mut self, additional: usize) {
        if self.head > 0 {
            self.chars.drain(..self.head);
            self.head = 0;
        }
        self.chars.reserve(additional);
    }

    #[inline]
    pub(crate) fn push_back(&mut self, ch: char) {
        self.chars.push(ch);
    }

    /// Appends ASCII bytes as characters.
    #[inline]
    pub(crate) fn extend_ascii(&mut self, ascii: &[u8]) {
        self.chars.extend(ascii.iter().map(|&b| char::from(b)));
    }

    pub(crate) fn clear(&mut self) {
        self.chars.clear();
        self.head = 0;
    }
}

impl Index<usize> for CharBuf {
    type Output = char;

    #[inline]
    fn index(&self, index: usize) -> &char {
        &self.chars[self.head + index]
    }
}
