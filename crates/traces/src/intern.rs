//! Text columns as codes: each distinct string once, codes in order of first appearance.

/// A text column's dictionary: the distinct values, each stored once, and an open-addressing
/// table from a value to its code.
#[derive(Debug, Clone, Default)]
pub struct Text {
    bytes: Vec<u8>,
    /// where each value starts in `bytes`, and one more entry: where the next one will
    starts: Vec<usize>,
    hashes: Vec<u64>,
    /// per slot, the high 32 bits of the value's hash and its code + 1 (0: an empty slot), so
    /// that a probe reads one word before it compares bytes; a power of two long
    slots: Vec<u64>,
}

impl Text {
    /// The number of distinct values.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Forgets every value, keeping the memory for the next ones.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.starts.truncate(1);
        self.hashes.clear();
        self.slots.fill(0);
    }

    /// The value of `code`.
    pub fn get(&self, code: u32) -> &[u8] {
        let i = code as usize;
        &self.bytes[self.starts[i]..self.starts[i + 1]]
    }

    /// The values, in code order, as UTF-8 (invalid bytes replaced).
    pub fn names(&self) -> Vec<String> {
        (0..self.len() as u32).map(|c| String::from_utf8_lossy(self.get(c)).into_owned()).collect()
    }

    /// The code of `value`, a new one (the next number) the first time it is seen.
    #[inline]
    pub fn code(&mut self, value: &[u8]) -> u32 {
        if self.slots.is_empty() {
            self.slots = vec![0; 64];
            self.starts.push(0);
        }
        let h = hash(value);
        let tag = h & !0xFFFF_FFFF;
        let mask = self.slots.len() - 1;
        let mut i = (h as usize) & mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                break;
            }
            if slot & !0xFFFF_FFFF == tag {
                let code = (slot as u32) - 1;
                if same(self.get(code), value) {
                    return code;
                }
            }
            i = (i + 1) & mask;
        }
        self.insert(value, h, i)
    }

    #[cold]
    fn insert(&mut self, value: &[u8], h: u64, slot: usize) -> u32 {
        let code = self.hashes.len() as u32;
        assert!(code < u32::MAX - 1, "more than 2^32 - 2 distinct values in one text column");
        self.bytes.extend_from_slice(value);
        self.starts.push(self.bytes.len());
        self.hashes.push(h);
        self.slots[slot] = (h & !0xFFFF_FFFF) | u64::from(code + 1);
        if self.hashes.len() * 2 > self.slots.len() {
            self.grow();
        }
        code
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let mask = size - 1;
        let mut slots = vec![0u64; size];
        for (code, &h) in self.hashes.iter().enumerate() {
            let mut i = (h as usize) & mask;
            while slots[i] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = (h & !0xFFFF_FFFF) | (code as u64 + 1);
        }
        self.slots = slots;
    }
}

/// `a == b` without a call to memcmp (8 bytes a step, then byte by byte): most values are
/// short ids, for which the call costs more than the comparison.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    for (p, q) in (&mut x).zip(&mut y) {
        if u64::from_ne_bytes(p.try_into().expect("8 bytes")) != u64::from_ne_bytes(q.try_into().expect("8 bytes")) {
            return false;
        }
    }
    x.remainder().iter().zip(y.remainder()).all(|(p, q)| p == q)
}

/// A hash of a byte string from at most three of its 8-byte words (the first, the middle and
/// the last) and its length: constant time whatever the length, which matters when every row
/// carries two 64-character ids. Values that differ only elsewhere share a hash and are told
/// apart by the comparison; the table's order never reaches the output.
#[inline]
fn hash(value: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let n = value.len();
    let at = |i: usize| u64::from_le_bytes(value[i..i + 8].try_into().expect("8 bytes"));
    let (a, b, c) = if n >= 16 {
        (at(0), at(n / 2 - 4), at(n - 8))
    } else if n >= 8 {
        (at(0), at(n - 8), 0)
    } else {
        let mut w = [0u8; 8];
        w[..n].copy_from_slice(value);
        (u64::from_le_bytes(w), 0, 0)
    };
    let mut h = (n as u64).wrapping_mul(K) ^ a;
    h = (h.rotate_left(27) ^ b).wrapping_mul(K);
    h = (h.rotate_left(27) ^ c).wrapping_mul(K);
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
        // values that differ only where the hash does not look
        let long: Vec<String> = (0..50).map(|i| format!("{}{i:03}{}", "a".repeat(20), "b".repeat(20))).collect();
        let codes: Vec<u32> = long.iter().map(|w| t.code(w.as_bytes())).collect();
        assert_eq!(codes, (301..351).collect::<Vec<u32>>());
        assert_eq!(t.code(long[7].as_bytes()), 308);
        // cleared: codes from 0 again, the old values forgotten
        t.clear();
        assert!(t.is_empty());
        assert_eq!((t.code(b"w5"), t.code(long[0].as_bytes()), t.code(b"w5")), (0, 1, 0));
        assert_eq!(t.names(), ["w5", long[0].as_str()]);
    }
}
