//! Text columns as codes: each distinct string once, codes in order of first appearance.

/// A text column's dictionary: the distinct values, each stored once, and an open-addressing
/// table from a value to its code.
#[derive(Debug, Clone, Default)]
pub struct Text {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    hashes: Vec<u64>,
    /// code + 1 of the value in each slot, 0 for an empty slot; a power of two long
    slots: Vec<u32>,
}

impl Text {
    /// The number of distinct values.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The value of `code`.
    pub fn get(&self, code: u32) -> &[u8] {
        let i = code as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    /// The values, in code order, as UTF-8 (invalid bytes replaced).
    pub fn names(&self) -> Vec<String> {
        (0..self.len() as u32).map(|c| String::from_utf8_lossy(self.get(c)).into_owned()).collect()
    }

    /// The code of `value`, a new one (the next number) the first time it is seen.
    pub fn code(&mut self, value: &[u8]) -> u32 {
        if self.slots.is_empty() {
            self.slots = vec![0; 64];
        }
        let h = hash(value);
        let mask = self.slots.len() - 1;
        let mut i = (h as usize) & mask;
        loop {
            match self.slots[i] {
                0 => break,
                c => {
                    let code = c - 1;
                    if self.hashes[code as usize] == h && self.get(code) == value {
                        return code;
                    }
                }
            }
            i = (i + 1) & mask;
        }
        let code = self.ends.len() as u32;
        assert!(code < u32::MAX - 1, "more than 2^32 - 2 distinct values in one text column");
        self.bytes.extend_from_slice(value);
        self.ends.push(self.bytes.len());
        self.hashes.push(h);
        self.slots[i] = code + 1;
        if self.ends.len() * 2 > self.slots.len() {
            self.grow();
        }
        code
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let mask = size - 1;
        let mut slots = vec![0u32; size];
        for (code, &h) in self.hashes.iter().enumerate() {
            let mut i = (h as usize) & mask;
            while slots[i] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = code as u32 + 1;
        }
        self.slots = slots;
    }
}

/// A fast non-cryptographic hash of a short byte string (8 bytes a step); the table's order
/// never reaches the output, so its quality matters for speed only.
fn hash(value: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = value.len() as u64;
    let mut chunks = value.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h.rotate_left(23) ^ w).wrapping_mul(K);
    }
    let mut tail = [0u8; 8];
    let rest = chunks.remainder();
    tail[..rest.len()].copy_from_slice(rest);
    h = (h.rotate_left(23) ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    h ^ (h >> 29)
}

#[cfg(test)]
mod tests {
    use super::Text;

    #[test]
    fn codes_in_order_of_first_appearance() {
        let mut t = Text::default();
        let words: Vec<String> = (0..1000).map(|i| format!("w{}", i % 300)).collect();
        let codes: Vec<u32> = words.iter().map(|w| t.code(w.as_bytes())).collect();
        assert_eq!(t.len(), 300);
        assert_eq!(&codes[..3], &[0, 1, 2]);
        assert_eq!(codes[300], 0);
        assert_eq!(t.names()[299], "w299");
        assert_eq!(t.code(b""), 300);
        assert_eq!(t.get(300), b"");
    }
}
