//! Partition keys and message group ids given as strings (§7): the signed 64-bit integer the
//! engine shards by is the first 8 bytes, little-endian, of the MD5 of the key's bytes (UTF-8
//! for text), as Kinesis hashes partition keys with MD5. One rule, used for every string key
//! whichever way it reaches the engine.

use md5::block_api::compress;
use md5::{Digest, Md5};

/// MD5's initial state (RFC 1321, section 3.3).
const INITIAL_STATE: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];

/// The integer key of one string key's bytes.
#[inline]
pub fn key_hash(bytes: &[u8]) -> i64 {
    let n = bytes.len();
    if n >= 56 {
        let digest = Md5::digest(bytes);
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        return i64::from_le_bytes(first);
    }
    // A key of up to 55 bytes is one padded block (RFC 1321, sections 3.1–3.2: the bytes,
    // 0x80, zeros, the length in bits), compressed directly: keys are short, and the hasher's
    // buffering costs about a tenth of the time.
    let mut block = [0u8; 64];
    block[..n].copy_from_slice(bytes);
    block[n] = 0x80;
    block[56..].copy_from_slice(&(n as u64 * 8).to_le_bytes());
    let mut state = INITIAL_STATE;
    compress(&mut state, &[block]);
    // the digest's first 8 bytes are the first two state words, little-endian
    ((u64::from(state[1]) << 32) | u64::from(state[0])) as i64
}

/// The integer keys of keys stored end to end in `bytes`, key `i` being
/// `bytes[ends[i - 1]..ends[i]]` (`ends[-1]` = 0): the layout a batch of keys is gathered in
/// without one allocation per key.
pub fn key_hashes(bytes: &[u8], ends: &[usize]) -> Vec<i64> {
    let mut start = 0;
    ends.iter()
        .map(|&end| {
            let h = key_hash(&bytes[start..end]);
            start = end;
            h
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        // MD5("") = d41d8cd98f00b204 e980...; MD5("a") = 0cc175b9c0f1b6a8 31c3...
        assert_eq!(key_hash(b""), i64::from_le_bytes([0xd4, 0x1d, 0x8c, 0xd9, 0x8f, 0x00, 0xb2, 0x04]));
        assert_eq!(key_hash(b"a"), i64::from_le_bytes([0x0c, 0xc1, 0x75, 0xb9, 0xc0, 0xf1, 0xb6, 0xa8]));
    }

    #[test]
    fn one_block_keys_agree_with_the_hasher() {
        let bytes: Vec<u8> = (0..200u32).map(|i| (i * 37 + 11) as u8).collect();
        for n in 0..=bytes.len() {
            let digest = Md5::digest(&bytes[..n]);
            assert_eq!(key_hash(&bytes[..n]), i64::from_le_bytes(digest[..8].try_into().unwrap()), "{n} bytes");
        }
    }

    #[test]
    fn batches_split_at_the_ends() {
        let keys: [&[u8]; 4] = [b"clicks", b"", "é🙂".as_bytes(), b"x"];
        let (bytes, ends) = keys.iter().fold((Vec::new(), Vec::new()), |(mut b, mut e), k| {
            b.extend_from_slice(k);
            e.push(b.len());
            (b, e)
        });
        let want: Vec<i64> = keys.iter().map(|k| key_hash(k)).collect();
        assert_eq!(key_hashes(&bytes, &ends), want);
        assert!(key_hashes(&[], &[]).is_empty());
    }
}
